//! The static description of an endpoint that generated code hands to the runtime.

/// HTTP method of an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    pub(crate) fn to_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }
}

/// Which host family serves an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HostFamily {
    /// `https://open.feishu.cn` / `https://open.larksuite.com`: the Open Platform.
    Open,
    /// `https://www.feishu.cn` / `https://www.larksuite.com`: legacy approval APIs.
    Www,
}

/// A kind of access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenKind {
    /// `tenant_access_token`: the app acting within one tenant.
    Tenant,
    /// `app_access_token`: the app itself.
    App,
    /// `user_access_token`: the app acting for a user (obtained by OAuth, passed per call).
    User,
}

/// Where a response carries its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Envelope {
    /// `{code, msg, data: {...}}`
    Data,
    /// `{code, msg, ...fields}`: the auth endpoints.
    Flat,
    /// A file; errors still come as `{code, msg}` (downloads).
    Binary,
}

/// Everything the runtime needs to know about an endpoint, generated from its schema.
#[derive(Debug)]
pub struct EndpointSpec {
    /// `service.version.resource.method`
    pub id: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Host family.
    pub host: HostFamily,
    /// Path template with `:name` placeholders, filled in order.
    pub path: &'static str,
    /// Accepted token kinds, in order of preference; empty for the token endpoints.
    pub tokens: &'static [TokenKind],
    /// Whether a request that may have reached the server can be sent again.
    pub idempotent: bool,
    /// Where the payload sits in the response.
    pub envelope: Envelope,
    /// Error codes of this endpoint's own that mean "rate limited" (besides the
    /// platform-wide 99991400): retried after the reset like it.
    pub rate_limit_codes: &'static [i64],
}
