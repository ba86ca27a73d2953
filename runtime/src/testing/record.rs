//! What the fake remembers of each request, for a test's assertions.

use std::io;

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
    /// A JSON body under 64 KiB. A larger one is recorded as [`Other`](Self::Other)
    /// with its length as compact JSON, so a flood of large bodies cannot grow the
    /// record without bound.
    Json(Value),
    /// A `multipart/form-data` body: the names of its parts, in order.
    Form(Vec<String>),
    /// Anything else: its length in bytes.
    Other(usize),
}

/// The largest JSON body the record keeps parsed, in bytes as compact JSON; a parsed
/// value takes several times its text's size, and the record holds thousands of them.
pub(crate) const MAX_RECORDED_JSON: usize = 64 * 1024;

impl RecordedBody {
    /// The body as the record keeps it: JSON of [`MAX_RECORDED_JSON`] bytes or more
    /// becomes its length.
    pub(crate) fn capped(self) -> RecordedBody {
        match self {
            RecordedBody::Json(value) => match json_len(&value) {
                len if len < MAX_RECORDED_JSON => RecordedBody::Json(value),
                len => RecordedBody::Other(len),
            },
            other => other,
        }
    }
}

/// The length of `value` as compact JSON, counted without building the text.
fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    // Writing a `Value` to a writer that never fails cannot fail.
    let _ = serde_json::to_writer(&mut count, value);
    count.0
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
