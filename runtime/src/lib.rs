//! The hand-written core of the generated `feishu` crate: client configuration, access
//! tokens, the one request path (transport, envelope, retries), errors, pagination and
//! validation helpers. Everything that does not vary per endpoint lives here, written
//! once; generated code describes endpoints and calls into it.

#![deny(missing_docs)]

mod auth;
mod call;
mod client;
mod envelope;
mod error;
pub mod json;
mod paginate;
mod request;
mod retry;
mod secret;
mod spec;
mod transport;
mod validate;

pub use auth::{
    AppTicketStore, BoxFuture, CachedToken, IssuedToken, MemoryAppTicketStore, MemoryTokenCache,
    TokenCache, TokenEndpoints,
};
pub use call::Call;
pub use client::{Client, ClientBuilder, Domain};
pub use envelope::RawResponse;
pub use error::{
    ApiError, AuthError, DecodeCause, DecodeError, Error, ErrorCode, ErrorDetail, FieldViolation,
    Help, PermissionViolation,
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
pub use validate::{Checks, Invalid, Number, Text, Validate};
