//! The hand-written core of the generated `feishu` crate: client configuration, access
//! tokens, the one request path (transport, envelope, retries), errors, pagination and
//! validation helpers. Everything that does not vary per endpoint lives here, written
//! once; generated code describes endpoints and calls into it.

#![deny(missing_docs)]

mod auth;
mod call;
mod classify;
mod client;
mod download;
mod envelope;
mod error;
pub mod events;
mod execute;
#[doc(hidden)]
pub mod json;
mod multipart;
mod paginate;
mod request;
mod retry;
mod sanitize;
mod secret;
mod spec;
#[cfg(feature = "testing")]
pub mod testing;
mod timestamp;
mod token_manager;
mod transport;
mod unknown;
mod validate;

pub use auth::{
    AppTicketStore, BoxFuture, CachedToken, IssuedToken, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME,
    MemoryAppTicketStore, MemoryTokenCache, TokenCache, TokenEndpoints,
};
pub use call::{Call, DownloadCall, ResponseMeta, WithMeta};
pub use client::{
    Client, ClientBuilder, DEFAULT_DEADLINE, DEFAULT_MAX_EMPTY_PAGES, DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES, Domain,
};
pub use download::{BodyStream, Download};
pub use envelope::RawResponse;
pub use error::{
    ApiError, AuthError, BoxError, ConfigError, DecodeCause, DecodeError, Error, ErrorCode,
    ErrorDetail, FieldViolation, Help, PaginationError, PaginationStop, PermissionViolation,
    StatusError, TooLargeError,
};
pub use futures_util::Stream;
pub use multipart::FilePart;
pub use paginate::Items;
pub use request::RequestOptions;
pub use reqwest;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use serde;
pub use serde_json;
pub use spec::{EndpointSpec, Envelope, HostFamily, Method, TokenKind};
pub use timestamp::Timestamp;
pub use transport::{
    HttpRequest, HttpResponse, ReqwestTransport, StreamingResponse, Transport, TransportFailure,
};
pub use unknown::UnknownValue;
pub use validate::{Invalid, Validate};

/// What generated code needs and callers do not: request assembly, JSON conversions,
/// validation checks, pagination. Not part of the API; it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::json;
    pub use crate::multipart::Form;
    pub use crate::paginate::{Page, paginate};
    pub use crate::request::{OptionalParam, RepeatedParam, Request};
    pub use crate::timestamp::AsNumber;
    pub use crate::validate::{Checks, Number, Text};
}
