//! A request on its way out: what generated code fills in before handing it to
//! [`crate::Client::execute`], and the per-call options a caller can add.

use std::fmt::Write as _;

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::header::{HeaderName, HeaderValue};

use crate::json::ToJson;
use crate::secret::Secret;
use crate::spec::EndpointSpec;

/// Characters escaped in a path segment (RFC 3986 `pchar` minus sub-delims we keep).
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'|');

/// Characters escaped in a query key or value.
const QUERY: &AsciiSet = &PATH_SEGMENT.add(b'&').add(b'=').add(b'+').add(b';');

/// Per-call options: a user token, the tenant of a marketplace app, extra headers, a
/// request id.
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    pub(crate) user_access_token: Option<Secret>,
    pub(crate) tenant_key: Option<String>,
    pub(crate) headers: Vec<(HeaderName, HeaderValue)>,
    pub(crate) request_id: Option<String>,
}

impl RequestOptions {
    /// No options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Calls as this user (for endpoints that accept a `user_access_token`).
    pub fn user_access_token(mut self, token: impl Into<Secret>) -> Self {
        self.user_access_token = Some(token.into());
        self
    }

    /// The tenant a marketplace app acts in; its tenant token is fetched and cached.
    pub fn tenant_key(mut self, tenant_key: impl Into<String>) -> Self {
        self.tenant_key = Some(tenant_key.into());
        self
    }

    /// An extra header on this call.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sent as `X-Request-Id`, to correlate with your own logs.
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }
}

/// One call being assembled by generated code.
#[derive(Debug)]
pub struct Request {
    pub(crate) spec: &'static EndpointSpec,
    path_params: Vec<String>,
    query: String,
    pub(crate) body: Option<bytes::Bytes>,
    pub(crate) options: RequestOptions,
}

impl Request {
    /// A request to `spec`'s endpoint.
    pub fn new(spec: &'static EndpointSpec, options: RequestOptions) -> Self {
        Request {
            spec,
            path_params: Vec::new(),
            query: String::new(),
            body: None,
            options,
        }
    }

    /// Fills the next `:placeholder` of the path; the value is percent-encoded.
    pub fn path_param(&mut self, value: &str) {
        self.path_params
            .push(utf8_percent_encode(value, PATH_SEGMENT).to_string());
    }

    /// Appends a query parameter; key and value are percent-encoded. Takes `&dyn
    /// Display` so this stays one function for every parameter type, and encodes as it
    /// formats, without an intermediate string.
    pub fn query(&mut self, name: &str, value: &dyn std::fmt::Display) {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        self.query.extend(utf8_percent_encode(name, QUERY));
        self.query.push('=');
        let _ = write!(QueryValue(&mut self.query), "{value}");
    }

    /// Appends the optional query parameter `name` if it is present: one call, so a
    /// generated body has no branch per parameter.
    pub fn query_opt(&mut self, name: &str, value: &dyn OptionalParam) {
        if let Some(value) = value.param() {
            self.query(name, value);
        }
    }

    /// Sets the JSON body. Writing a `Value` out cannot fail, so neither can this.
    pub fn json(&mut self, body: &dyn ToJson) {
        self.body = Some(body.to_json().to_string().into_bytes().into());
    }

    /// `base` followed by the path and query, with every placeholder filled.
    pub(crate) fn url(&self, base: &str) -> String {
        let mut out =
            String::with_capacity(base.len() + self.spec.path.len() + self.query.len() + 32);
        out.push_str(base);
        let mut params = self.path_params.iter();
        for (i, segment) in self.spec.path.split('/').enumerate() {
            if i > 0 {
                out.push('/');
            }
            match segment.strip_prefix(':') {
                Some(_) => out.push_str(params.next().map(String::as_str).unwrap_or_default()),
                None => out.push_str(segment),
            }
        }
        if !self.query.is_empty() {
            out.push('?');
            out.push_str(&self.query);
        }
        out
    }
}

/// Percent-encodes whatever is formatted into it onto the query string.
struct QueryValue<'a>(&'a mut String);

impl std::fmt::Write for QueryValue<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend(utf8_percent_encode(s, QUERY));
        Ok(())
    }
}

/// An optional query parameter: `Option<T>` of any `Display` type.
pub trait OptionalParam {
    /// The value, if present.
    fn param(&self) -> Option<&dyn std::fmt::Display>;
}

impl<T: std::fmt::Display> OptionalParam for Option<T> {
    fn param(&self) -> Option<&dyn std::fmt::Display> {
        self.as_ref().map(|v| v as &dyn std::fmt::Display)
    }
}
