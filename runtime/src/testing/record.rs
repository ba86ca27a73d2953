//! What the fake remembers of each request, for a test's assertions.

use serde_json::Value;

use crate::spec::TokenKind;

/// A request the fake received, with how it was answered.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The path as sent (still percent-encoded).
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Header names (lowercase) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: RecordedBody,
    /// The endpoint it matched, if any.
    pub endpoint: Option<&'static str>,
    /// The kind of the issued token it carried, if it carried one the fake issued.
    pub token: Option<TokenKind>,
    /// The tenant of that token, for a marketplace app's tenant token.
    pub tenant_key: Option<String>,
    /// The HTTP status of the answer; `None` when the connection was dropped.
    pub status: Option<u16>,
    /// The `code` of the answer's envelope, when it had one.
    pub code: Option<i64>,
}

/// A request body as recorded.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum RecordedBody {
    /// No body.
    Empty,
    /// A JSON body.
    Json(Value),
    /// A `multipart/form-data` body: the names of its parts, in order.
    Form(Vec<String>),
    /// Anything else: its length in bytes.
    Other(usize),
}

impl RecordedRequest {
    /// The JSON body, if it was JSON.
    pub fn json(&self) -> Option<&Value> {
        match &self.body {
            RecordedBody::Json(v) => Some(v),
            _ => None,
        }
    }

    /// The first value of the query parameter `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first value of the header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}
