//! Why a delivery was refused, and the HTTP status that says so.
//!
//! The answer's body is a short fixed text per status: never the error's details, a
//! token, a key or the body. The details go to the log (without secrets) and to callers
//! of [`super::EventServer::try_handle`].

use bytes::Bytes;
use http::{HeaderValue, Response, StatusCode, header};

use super::crypto::DecryptError;
use crate::events::EnvelopeError;

/// Why a delivery was not dispatched, or why its handler's outcome is a failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// Deliveries are `POST`s; anything else is answered 405.
    #[error("method {0} is not allowed; deliveries are POSTs")]
    MethodNotAllowed(http::Method),
    /// The body is larger than the configured limit (413).
    #[error("the body is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The body could not be read to its end (the client went away, or a framing error).
    #[error("the body could not be read")]
    BodyUnreadable,
    /// The body or the decrypted plaintext is not a JSON object, or the body's
    /// `encrypt` is not a string (400). The text says which.
    #[error("{0}")]
    NotJson(&'static str),
    /// `encrypt` could not be decrypted with the configured keys (400). A wrong key and
    /// a tampered body look the same from here.
    #[error("the encrypted body could not be decrypted: {0}")]
    Decrypt(#[from] DecryptError),
    /// The body is encrypted and no Encrypt Key is configured (500: the server is
    /// misconfigured, and the platform's retries give its operator time to fix it).
    #[error("the body is encrypted but no encrypt key is configured")]
    NoEncryptKey,
    /// An event arrived without the signature headers although an Encrypt Key is set,
    /// which is when the platform always signs; or a quick-approval callback arrived in
    /// plaintext although a key is set, which is when the platform always seals it (401).
    #[error("the delivery is not signed or sealed although a key is configured")]
    Unsigned,
    /// The signature does not match the body (401).
    #[error("the signature does not match the body")]
    BadSignature,
    /// The verification token (or the quick-approval callback token) is missing or wrong (403).
    #[error("the {0} token is missing or wrong")]
    WrongToken(&'static str),
    /// The JSON is not an event envelope, a known callback or a `url_verification` (400).
    #[error("not an event: {0}")]
    Malformed(#[from] EnvelopeError),
    /// A `url_verification` without a string `challenge` (400).
    #[error("url_verification without a string challenge")]
    NoChallenge,
    /// The handler returned an error or panicked (500, so that the platform retries).
    #[error("the handler of {event_type} failed")]
    HandlerFailed {
        /// The event's type.
        event_type: String,
    },
    /// The same event is being handled now (a redelivery arrived before the first
    /// finished): 500, so the platform retries it, and the retry is answered by how the
    /// first run ended.
    #[error("{event_type} is being handled already")]
    InProgress {
        /// The event's type.
        event_type: String,
    },
}

impl Rejection {
    /// The HTTP status the delivery is answered with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::BodyTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::BodyUnreadable
            | Self::NotJson(_)
            | Self::Decrypt(_)
            | Self::Malformed(_)
            | Self::NoChallenge => StatusCode::BAD_REQUEST,
            Self::Unsigned | Self::BadSignature => StatusCode::UNAUTHORIZED,
            Self::WrongToken(_) => StatusCode::FORBIDDEN,
            Self::NoEncryptKey | Self::HandlerFailed { .. } | Self::InProgress { .. } => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// The answer: the status and a fixed JSON body that names the status only.
    ///
    /// Every 400 has the same body, so a forger probing with altered ciphertexts cannot
    /// tell bad padding from bad JSON (no padding oracle).
    pub fn into_response(&self) -> Response<Bytes> {
        let status = self.status();
        let msg: &'static str = match status {
            StatusCode::METHOD_NOT_ALLOWED => r#"{"msg":"method not allowed"}"#,
            StatusCode::PAYLOAD_TOO_LARGE => r#"{"msg":"body too large"}"#,
            StatusCode::BAD_REQUEST => r#"{"msg":"bad request"}"#,
            StatusCode::UNAUTHORIZED => r#"{"msg":"unauthorized"}"#,
            StatusCode::FORBIDDEN => r#"{"msg":"forbidden"}"#,
            _ => r#"{"msg":"internal error"}"#,
        };
        let mut response = json_response(status, Bytes::from_static(msg.as_bytes()));
        if status == StatusCode::METHOD_NOT_ALLOWED {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }

    /// Logs the rejection: warnings for what may be an attack or a misconfiguration,
    /// debug for noise. Only the error's own text, which holds no secret or body.
    pub(crate) fn log(&self) {
        match self {
            Self::Unsigned
            | Self::BadSignature
            | Self::WrongToken(_)
            | Self::NoEncryptKey
            | Self::Decrypt(_) => {
                tracing::warn!(
                    status = self.status().as_u16(),
                    "event delivery refused: {self}"
                );
            }
            // The answer module logs the handler's own error, with the event's id.
            Self::HandlerFailed { .. } => {}
            _ => tracing::debug!(
                status = self.status().as_u16(),
                "event delivery refused: {self}"
            ),
        }
    }
}

/// A JSON answer with the content type the SDKs send.
pub(crate) fn json_response(status: StatusCode, body: Bytes) -> Response<Bytes> {
    let mut response = Response::new(body);
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}
