//! The one error type of every call. `C` is the endpoint's typed error-code enum, so
//! callers `match` on documented codes; undocumented codes keep their number.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;

use crate::json::JsonError;
use crate::sanitize::Clean;
use crate::validate::Invalid;

/// Why a call failed.
///
/// Messages follow the std convention: an error either prints its cause or returns it
/// from [`std::error::Error::source`], never both, so error reports show each cause once.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<C = i64> {
    /// The platform answered with a non-zero `code`.
    #[error(transparent)]
    Api(Box<ApiError<C>>),
    /// The HTTP status says the call failed and the body carries no platform error code:
    /// a 5xx with `code: 0`, an HTML error page, or a redirect (never followed).
    #[error(transparent)]
    Status(Box<StatusError>),
    /// The response body is larger than the client accepts (see
    /// `ClientBuilder::max_response_bytes`); reading stopped at the limit.
    #[error(transparent)]
    TooLarge(Box<TooLargeError>),
    /// The request could not be sent or the response could not be read.
    #[error("transport error calling {endpoint}")]
    Transport {
        /// Endpoint id.
        endpoint: &'static str,
        /// The underlying failure.
        #[source]
        source: BoxError,
    },
    /// No response within the per-attempt timeout, or the call's deadline passed.
    #[error("{endpoint} timed out after {attempts} attempt(s)")]
    Timeout {
        /// Endpoint id.
        endpoint: &'static str,
        /// Attempts made.
        attempts: u32,
    },
    /// The response was not the JSON the schema describes; the source says what and
    /// where (a syntax error, or the JSON path of the value that does not fit).
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// The request breaks a rule of the schema or of the client; nothing was sent.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// No access token could be obtained; the source is the failed token call.
    #[error(transparent)]
    Auth(Box<AuthError>),
    /// The client is not set up for this call.
    #[error(transparent)]
    Config(ConfigError),
    /// A list stream stopped before the server said it was done.
    #[error(transparent)]
    Pagination(PaginationError),
}

/// Any error a transport reports.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What the client is missing for a call, or could not set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The endpoint takes only a user token and the call has none.
    #[error(
        "{endpoint} needs a user_access_token: pass one with RequestOptions::user_access_token"
    )]
    UserTokenRequired {
        /// Endpoint id.
        endpoint: &'static str,
    },
    /// A marketplace app's tenant token needs the tenant.
    #[error("a marketplace app needs the tenant: pass it with RequestOptions::tenant_key")]
    TenantKeyRequired,
    /// The call needs an app or tenant token and the client has no credentials.
    #[error(
        "no app credentials: set app_credentials, marketplace_app or fixed_token on the builder"
    )]
    NoCredentials,
    /// App credentials were given to a plain runtime client, which cannot fetch tokens.
    #[error(
        "app credentials need the generated auth endpoints: build the client with feishu::Client::builder()"
    )]
    NoTokenEndpoints,
    /// The generated crate's schema has no endpoint for this token role, so the client
    /// cannot fetch that token.
    #[error("the schema has no endpoint with token_role {role}")]
    NoTokenEndpoint {
        /// The token role, as the schema names it.
        role: &'static str,
    },
    /// A marketplace app has not received an `app_ticket` yet; a resend was requested.
    #[error(
        "no app_ticket received yet; a resend was requested, retry after the app_ticket event arrives"
    )]
    NoAppTicket,
    /// The `User-Agent` is not a valid header value.
    #[error("user agent {0:?} is not a valid header value")]
    InvalidUserAgent(String),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
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
    /// Whether the code means "rate limited" (99991400, HTTP 429, or a code the schema
    /// marks as this endpoint's rate limit).
    pub rate_limited: bool,
}

impl<C> fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} failed with code {}: {} (HTTP {}",
            self.endpoint,
            self.raw_code,
            Clean(&self.msg),
            self.http_status
        )?;
        if let Some(id) = &self.log_id {
            write!(f, ", log id {}", Clean(id))?;
        }
        f.write_str(")")?;
        if let Some(t) = &self.detail.troubleshooter {
            write!(f, "; troubleshooter: {}", Clean(t))?;
        }
        Ok(())
    }
}

impl<C: fmt::Debug> std::error::Error for ApiError<C> {}

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

/// A response that could not be decoded; the start of the raw body is kept.
#[derive(Debug)]
pub struct DecodeError {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// HTTP status.
    pub http_status: u16,
    /// Log id from the response headers.
    pub log_id: Option<String>,
    /// The first 4 KiB of the body as received (lossily decoded if it was not UTF-8);
    /// empty for the token endpoints, whose bodies carry credentials.
    pub raw_body: String,
    /// The body's whole length in bytes.
    pub body_len: usize,
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
            "{} returned HTTP {} with a body that does not decode",
            self.endpoint, self.http_status
        )?;
        write_log_id(f, self.log_id.as_deref())
    }
}

fn write_log_id(f: &mut fmt::Formatter<'_>, log_id: Option<&str>) -> fmt::Result {
    match log_id {
        Some(id) => write!(f, " (log id {})", Clean(id)),
        None => Ok(()),
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.cause)
    }
}

/// Token acquisition failed; the source is the failed token call. Calls that waited for
/// the same fetch share its outcome, so they share the cause.
#[derive(Debug)]
pub struct AuthError {
    /// What was being obtained.
    pub what: &'static str,
    /// Why it failed.
    pub cause: Arc<Error>,
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "could not obtain the {}", self.what)
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.cause)
    }
}

/// A response whose HTTP status says it failed, without a platform error code.
#[derive(Debug)]
pub struct StatusError {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// HTTP status.
    pub http_status: u16,
    /// The `Location` of a redirect, which the client never follows.
    pub location: Option<String>,
    /// Log id from the response headers.
    pub log_id: Option<String>,
    /// The first 4 KiB of the body (empty for the token endpoints).
    pub body: String,
}

impl fmt::Display for StatusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} answered HTTP {}", self.endpoint, self.http_status)?;
        match &self.location {
            Some(to) => write!(
                f,
                ", a redirect to {}; the client never follows redirects",
                Clean(to)
            )?,
            None if (300..400).contains(&self.http_status) => {
                f.write_str(", a redirect; the client never follows redirects")?
            }
            None => f.write_str(" without a platform error code")?,
        }
        write_log_id(f, self.log_id.as_deref())
    }
}

impl std::error::Error for StatusError {}

/// A response body over the client's limit.
#[derive(Debug)]
pub struct TooLargeError {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// HTTP status.
    pub http_status: u16,
    /// Log id from the response headers.
    pub log_id: Option<String>,
    /// The limit, in bytes.
    pub limit: usize,
}

impl fmt::Display for TooLargeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} answered HTTP {} with a body over the {}-byte limit",
            self.endpoint, self.http_status, self.limit
        )?;
        write_log_id(f, self.log_id.as_deref())
    }
}

impl std::error::Error for TooLargeError {}

/// Why a list stream ended before the server said it was done. The items already
/// yielded are correct; the list is incomplete.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{endpoint}: pagination stopped after {pages} page(s): {reason}")]
pub struct PaginationError {
    /// Endpoint id.
    pub endpoint: &'static str,
    /// Pages fetched.
    pub pages: u32,
    /// Why it stopped.
    pub reason: PaginationStop,
}

/// What made a list stream stop early.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PaginationStop {
    /// The server handed back a page token it had already given.
    #[error("the server repeated a page token")]
    RepeatedToken,
    /// The server said more pages follow but gave no page token.
    #[error("the server said more pages follow but gave no page token")]
    MissingToken,
    /// The stream reached the client's page limit (`ClientBuilder::max_pages`).
    #[error("reached the limit of {0} pages")]
    PageLimit(u32),
    /// Several pages in a row were empty although the server said more follow.
    #[error("{0} empty pages in a row, each saying more follow")]
    EmptyPages(u32),
}

impl<C> Error<C> {
    /// The log id of the response, when there was one.
    pub fn log_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.log_id.as_deref(),
            Error::Decode(e) => e.log_id.as_deref(),
            Error::Status(e) => e.log_id.as_deref(),
            Error::TooLarge(e) => e.log_id.as_deref(),
            Error::Auth(e) => e.cause.log_id(),
            _ => None,
        }
    }

    /// The platform's error code, for an API error (also inside a failed token fetch).
    pub fn raw_code(&self) -> Option<i64> {
        match self {
            Error::Api(e) => Some(e.raw_code),
            Error::Auth(e) => e.cause.raw_code(),
            _ => None,
        }
    }

    /// The HTTP status of the response, when there was one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.http_status),
            Error::Status(e) => Some(e.http_status),
            Error::TooLarge(e) => Some(e.http_status),
            Error::Decode(e) => Some(e.http_status),
            Error::Auth(e) => e.cause.http_status(),
            _ => None,
        }
    }

    /// Whether the platform still said "rate limited" after the retries the policy
    /// allows: HTTP 429, code 99991400, or a code the schema marks as this endpoint's
    /// rate limit. Worth backing off before calling again.
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::Api(e) => e.rate_limited,
            Error::Status(e) => e.http_status == 429,
            Error::Auth(e) => e.cause.is_rate_limited(),
            _ => false,
        }
    }

    /// Whether the access token was rejected (codes 99991661, 99991663, 99991664,
    /// 99991671) even after the client fetched a fresh one: the app's credentials or
    /// the user's token need attention.
    pub fn is_token_invalid(&self) -> bool {
        self.raw_code()
            .is_some_and(|c| crate::classify::TOKEN_INVALID.contains(&c))
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
                    rate_limited: e.rate_limited,
                }))
            }
            Error::Status(e) => Error::Status(e),
            Error::TooLarge(e) => Error::TooLarge(e),
            Error::Transport { endpoint, source } => Error::Transport { endpoint, source },
            Error::Timeout { endpoint, attempts } => Error::Timeout { endpoint, attempts },
            Error::Decode(e) => Error::Decode(e),
            Error::Invalid(e) => Error::Invalid(e),
            Error::Auth(e) => Error::Auth(e),
            Error::Config(e) => Error::Config(e),
            Error::Pagination(e) => Error::Pagination(e),
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
