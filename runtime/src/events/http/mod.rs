//! Receiving events and callbacks over HTTP (events.md §1): the platform POSTs each
//! delivery to a URL of yours; [`EventServer`] checks and decrypts it, answers
//! `url_verification`, and hands the rest to a [`Dispatcher`](crate::events::Dispatcher).
//!
//! The core takes and returns plain `http` types, so it fits any framework; the `axum`
//! feature adds a ready route (`events::http::axum::route`).
//!
//! ```no_run
//! # async fn doc(dispatcher: feishu_runtime::events::Dispatcher, request: http::Request<bytes::Bytes>) {
//! use feishu_runtime::events::http::EventServer;
//! let server = EventServer::builder(dispatcher)
//!     .verification_token("v-token from the console")
//!     .encrypt_key("encrypt key from the console")
//!     .build();
//! let response: http::Response<bytes::Bytes> = server.handle(request).await;
//! # }
//! ```
//!
//! What each outcome is answered with:
//! - handled event, duplicate, unhandled type, late handler, payload that does not
//!   fit its type: 200 `{"msg":"success"}` (`{}` for card callbacks), so the platform
//!   stops retrying;
//! - a callback's reply (card toast or card, quick-approval answer): 200 with it;
//! - `url_verification`: 200 `{"challenge": ...}`;
//! - handler failure: 500, so the platform retries; see [`Rejection`] for the refusals
//!   (400, 401, 403, 405, 413, 500).

mod answer;
#[cfg(feature = "axum")]
pub mod axum;
mod body;
mod config;
mod crypto;
mod rejection;
mod server;

pub use config::{DEFAULT_BODY_LIMIT, EventServerBuilder};
pub use crypto::{DecryptError, EncryptKey};
pub use rejection::Rejection;
pub use server::EventServer;
