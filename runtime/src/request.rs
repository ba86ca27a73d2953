//! A request on its way out: what generated code fills in before handing it to
//! [`crate::Client::execute`], and the per-call options a caller can add.

use std::fmt::{self, Write as _};

use percent_encoding::{AsciiSet, CONTROLS, utf8_percent_encode};
use reqwest::header::{
    AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue,
    TRANSFER_ENCODING,
};

use crate::json::ToJson;
use crate::secret::Secret;
use crate::spec::EndpointSpec;
use crate::validate::Invalid;

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
#[derive(Clone, Default)]
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

    /// An extra header on this call. It replaces the client's `Content-Type`,
    /// `User-Agent` or `X-Request-Id`; the client owns `Authorization` (use
    /// [`RequestOptions::user_access_token`]), `Host`, `Content-Length` and
    /// `Transfer-Encoding`, and a call that sets one of those fails as
    /// [`crate::Error::Invalid`] without sending anything.
    pub fn header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sent as `X-Request-Id`, to correlate with your own logs. An id that is not a
    /// valid header value (CR, LF, other control characters) fails the call as
    /// [`crate::Error::Invalid`].
    pub fn request_id(mut self, id: impl Into<String>) -> Self {
        self.request_id = Some(id.into());
        self
    }

    /// The reason these options cannot be sent, if any.
    fn check(&self) -> Result<(), Invalid> {
        if let Some(id) = &self.request_id
            && HeaderValue::from_str(id).is_err()
        {
            return Err(Invalid::new(
                "options.request_id",
                "is not a valid header value (control characters such as CR or LF)",
            ));
        }
        for (name, _) in &self.headers {
            if [&AUTHORIZATION, &HOST, &CONTENT_LENGTH, &TRANSFER_ENCODING].contains(&name) {
                let why = if name == AUTHORIZATION {
                    "is set by the client: pass a user token with RequestOptions::user_access_token"
                } else {
                    "is set by the HTTP client and cannot be overridden"
                };
                return Err(Invalid::new(format!("options.headers.{name}"), why));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for RequestOptions {
    // Header values may be credentials of the caller's own (a gateway key, a cookie):
    // only their names are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestOptions")
            .field("user_access_token", &self.user_access_token)
            .field("tenant_key", &self.tenant_key)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("request_id", &self.request_id)
            .finish()
    }
}

/// One call being assembled by generated code.
pub struct Request {
    pub(crate) spec: &'static EndpointSpec,
    path_params: Vec<String>,
    query: String,
    pub(crate) body: Option<bytes::Bytes>,
    /// The body's `Content-Type`, when it is not JSON.
    content_type: Option<HeaderValue>,
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
            content_type: None,
            options,
        }
    }

    /// Fills the next `:placeholder` of the path; the value is percent-encoded (`/`,
    /// `?`, `#`, `%` included), so it stays one segment. `.`, `..` and the empty value
    /// would still change the path (URL normalisation removes dot segments, encoded or
    /// not; `//` is merged by many servers): the call refuses them as
    /// [`crate::Error::Invalid`] and sends nothing.
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

    /// Appends the parameter `name` once per value (`?id=a&id=b`), for array-typed
    /// query parameters, required (`Vec`) or optional (`Option<Vec>`).
    pub fn query_all(&mut self, name: &str, values: &dyn RepeatedParam) {
        values.each(&mut |value| self.query(name, value));
    }

    /// Sets a `multipart/form-data` body (the upload endpoints).
    pub fn multipart(&mut self, form: crate::multipart::Form) {
        let (content_type, body) = form.finish();
        self.content_type = HeaderValue::from_str(&content_type).ok();
        self.body = Some(body);
    }

    /// Sets the JSON body. Writing a `Value` out cannot fail, so neither can this.
    pub fn json(&mut self, body: &dyn ToJson) {
        self.body = Some(body.to_json().to_string().into_bytes().into());
    }

    /// Checks what the schema cannot: every path parameter non-empty, the per-call
    /// headers sendable. Returns the headers to send, but for the client's `User-Agent`
    /// (added unless a per-call header replaced it) and `Authorization`.
    pub(crate) fn check(&self) -> Result<HeaderMap, Invalid> {
        let placeholders = self
            .spec
            .path
            .split('/')
            .filter_map(|s| s.strip_prefix(':'));
        for (name, value) in placeholders.zip(&self.path_params) {
            if matches!(value.as_str(), "" | "." | "..") {
                return Err(Invalid::new(
                    name,
                    format!(
                        "is {value:?}, which would change the path: a path parameter must name something"
                    ),
                ));
            }
        }
        self.options.check()?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, self.content_type.clone().unwrap_or(JSON_UTF8));
        if let Some(id) = &self.options.request_id
            && let Ok(value) = HeaderValue::from_str(id)
        {
            headers.insert("x-request-id", value);
        }
        // A per-call header replaces a default of the same name; repeated ones add up.
        let mut replaced: Vec<&HeaderName> = Vec::new();
        for (name, value) in &self.options.headers {
            if replaced.contains(&name) {
                headers.append(name, value.clone());
            } else {
                headers.insert(name, value.clone());
                replaced.push(name);
            }
        }
        Ok(headers)
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

const JSON_UTF8: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");

impl fmt::Debug for Request {
    // The body of a token endpoint is the app secret: only its size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("endpoint", &self.spec.id)
            .field("path_params", &self.path_params)
            .field("query", &self.query)
            .field("body_len", &self.body.as_ref().map(bytes::Bytes::len))
            .field("options", &self.options)
            .finish()
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

/// A repeated query parameter: `Vec<T>` or `Option<Vec<T>>` of any `Display` type.
pub trait RepeatedParam {
    /// Calls `f` with each value.
    fn each(&self, f: &mut dyn FnMut(&dyn std::fmt::Display));
}

impl<T: std::fmt::Display> RepeatedParam for Vec<T> {
    fn each(&self, f: &mut dyn FnMut(&dyn std::fmt::Display)) {
        for value in self {
            f(value);
        }
    }
}

impl<T: std::fmt::Display> RepeatedParam for Option<Vec<T>> {
    fn each(&self, f: &mut dyn FnMut(&dyn std::fmt::Display)) {
        if let Some(values) = self {
            values.each(f);
        }
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
