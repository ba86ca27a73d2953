//! The hand-written core of the generated `feishu` crate: client configuration, access
//! tokens, the one request path (transport, envelope, retries), errors, pagination and
//! validation helpers. Everything that does not vary per endpoint lives here, written
//! once; generated code describes endpoints and calls into it.

#![deny(missing_docs)]

mod auth;
mod call;
mod classify;
mod client;
mod envelope;
mod error;
mod execute;
pub mod json;
mod paginate;
mod request;
mod retry;
mod sanitize;
mod secret;
mod spec;
mod token_manager;
mod transport;
mod unknown;
mod validate;

pub use auth::{
    AppTicketStore, BoxFuture, CachedToken, IssuedToken, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME,
    MemoryAppTicketStore, MemoryTokenCache, TokenCache, TokenEndpoints,
};
pub use call::{Call, ResponseMeta, WithMeta};
pub use client::{
    Client, ClientBuilder, DEFAULT_DEADLINE, DEFAULT_MAX_EMPTY_PAGES, DEFAULT_MAX_PAGES,
    DEFAULT_MAX_RESPONSE_BYTES, Domain,
};
pub use envelope::RawResponse;
pub use error::{
    ApiError, AuthError, BoxError, ConfigError, DecodeCause, DecodeError, Error, ErrorCode,
    ErrorDetail, FieldViolation, Help, PaginationError, PaginationStop, PermissionViolation,
    StatusError, TooLargeError,
};
pub use futures_util::Stream;
pub use paginate::{Page, paginate};
pub use request::{OptionalParam, Request, RequestOptions};
pub use reqwest;
pub use retry::RetryPolicy;
pub use secret::Secret;
pub use serde;
pub use serde_json;
pub use spec::{EndpointSpec, Envelope, HostFamily, Method, TokenKind};
pub use transport::{HttpRequest, HttpResponse, ReqwestTransport, Transport, TransportFailure};
pub use unknown::UnknownValue;
pub use validate::{Checks, Invalid, Number, Text, Validate};
