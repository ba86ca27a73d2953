//! The one error type of every call. `C` is the endpoint's typed error-code enum, so
//! callers `match` on documented codes; undocumented codes keep their number.

use std::fmt;

use serde::Deserialize;

use crate::json::JsonError;
use crate::validate::Invalid;

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<C = i64> {
    /// The platform answered with a non-zero `code`.
    #[error("{0}")]
    Api(Box<ApiError<C>>),
    /// The request could not be sent or the response could not be read.
    #[error("transport error calling {endpoint}: {source}")]
    Transport {
        /// Endpoint id.
        endpoint: &'static str,
        /// The underlying HTTP client error.
        #[source]
        source: reqwest::Error,
    },
    /// No response within the configured timeout.
    #[error("{endpoint} timed out after {attempts} attempt(s)")]
    Timeout {
        /// Endpoint id.
        endpoint: &'static str,
        /// Attempts made.
        attempts: u32,
    },
    /// The response was not the JSON the schema describes.
    #[error("{0}")]
    Decode(Box<DecodeError>),
    /// The request breaks a rule of the schema; nothing was sent.
    #[error("invalid request: {0}")]
    Invalid(#[from] Invalid),
    /// No access token could be obtained.
    #[error("could not obtain an access token: {0}")]
    Auth(Box<AuthError>),
    /// The client is not set up for this call.
    #[error("client configuration: {0}")]
    Config(String),
}

/// A non-zero `code` from the platform.
#[derive(Debug, Clone)]
pub struct ApiError<C> {
    /// The typed code.
    pub code: C,
    /// The code as received.
    pub raw_code: i64,
    /// `msg` as received.
    pub msg: String,
    /// HTTP status of the response.
    pub http_status: u16,
    /// `X-Tt-Logid` (or `X-Request-Id`, or `error.log_id`): quote it to Feishu support.
    pub log_id: Option<String>,
    /// The `error` object's details, when the platform sent one.
    pub detail: ErrorDetail,
    /// Endpoint id.
    pub endpoint: &'static str,
}

impl<C> fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with code {}: {} (HTTP {}",
            self.endpoint, self.raw_code, self.msg, self.http_status
        )?;
        if let Some(id) = &self.log_id {
            write!(f, ", log id {id}")?;
        }
        f.write_str(")")?;
        if let Some(t) = &self.detail.troubleshooter {
            write!(f, "; troubleshooter: {t}")?;
        }
        Ok(())
    }
}

/// The optional `error` object of an error response.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct ErrorDetail {
    /// Log id as carried in the body.
    #[serde(default)]
    pub log_id: Option<String>,
    /// A link to the platform's troubleshooting page for this request.
    #[serde(default)]
    pub troubleshooter: Option<String>,
    /// Fields the platform rejected.
    #[serde(default)]
    pub field_violations: Vec<FieldViolation>,
    /// Permissions the app lacks.
    #[serde(default)]
    pub permission_violations: Vec<PermissionViolation>,
    /// Help links.
    #[serde(default)]
    pub helps: Vec<Help>,
}

/// A field the platform rejected.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct FieldViolation {
    /// Field path.
    #[serde(default)]
    pub field: String,
    /// Value received, when given.
    #[serde(default)]
    pub value: Option<String>,
    /// Why it was rejected.
    #[serde(default)]
    pub description: String,
}

/// A permission the app lacks.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct PermissionViolation {
    /// Kind of violation.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// The scope.
    #[serde(default)]
    pub subject: String,
    /// Description.
    #[serde(default)]
    pub description: String,
}

/// A help link.
#[derive(Debug, Clone, Default, Deserialize)]
#[non_exhaustive]
pub struct Help {
    /// URL.
    #[serde(default)]
    pub url: String,
    /// What it explains.
    #[serde(default)]
    pub description: String,
}

/// A response that could not be decoded; the raw body is kept.
#[derive(Debug)]
pub struct DecodeError {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// HTTP status.
    pub http_status: u16,
    /// Log id from the response headers.
    pub log_id: Option<String>,
    /// The body exactly as received (lossily decoded if it was not UTF-8).
    pub raw_body: String,
    /// What was wrong with it.
    pub cause: DecodeCause,
}

/// Why a response did not decode.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeCause {
    /// The body is not JSON.
    #[error("{0}")]
    Syntax(serde_json::Error),
    /// The JSON does not have the shape the schema describes.
    #[error("{0}")]
    Shape(JsonError),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} returned HTTP {} with a body that does not decode: {}",
            self.endpoint, self.http_status, self.cause
        )?;
        if let Some(id) = &self.log_id {
            write!(f, " (log id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

/// Token acquisition failed; `cause` is the failed token call.
#[derive(Debug)]
pub struct AuthError {
    /// What was being obtained.
    pub what: &'static str,
    /// Why it failed.
    pub cause: Error,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.cause)
    }
}

impl<C> Error<C> {
    /// The log id of the response, when there was one.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.log_id.as_deref(),
            Error::Decode(e) => e.log_id.as_deref(),
            Error::Auth(e) => e.cause.log_id(),
            _ => None,
        }
    }

    /// The typed API error, if this is one.
    pub fn api(&self) -> Option<&ApiError<C>> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// Converts the code type, e.g. from the raw `i64` to an endpoint's code enum.
    pub fn map_code<D>(self, f: impl FnOnce(C) -> D) -> Error<D> {
        match self {
            Error::Api(e) => {
                let e = *e;
                Error::Api(Box::new(ApiError {
                    code: f(e.code),
                    raw_code: e.raw_code,
                    msg: e.msg,
                    http_status: e.http_status,
                    log_id: e.log_id,
                    detail: e.detail,
                    endpoint: e.endpoint,
                }))
            }
            Error::Transport { endpoint, source } => Error::Transport { endpoint, source },
            Error::Timeout { endpoint, attempts } => Error::Timeout { endpoint, attempts },
            Error::Decode(e) => Error::Decode(e),
            Error::Invalid(e) => Error::Invalid(e),
            Error::Auth(e) => Error::Auth(e),
            Error::Config(e) => Error::Config(e),
        }
    }
}

impl<C: ErrorCode> Error<C> {
    /// Forgets the endpoint's code type, keeping the number.
    pub fn erase(self) -> Error {
        self.map_code(|c| c.code())
    }
}

/// An endpoint's typed error codes: every documented code has a variant, any other
/// keeps its number.
pub trait ErrorCode: Sized {
    /// The variant for a code as received.
    fn from_code(code: i64) -> Self;
    /// The numeric code.
    fn code(&self) -> i64;
}

/// The untyped code: what [`Error`] carries when no endpoint is involved.
impl ErrorCode for i64 {
    fn from_code(code: i64) -> Self {
        code
    }
    fn code(&self) -> i64 {
        *self
    }
}
