//! What the fake knows of each endpoint: data the generator emits from the schema (a
//! table of statics, not code per endpoint, so knowing the whole API costs little to
//! compile).

use crate::spec::EndpointSpec;

/// One endpoint as the fake serves it.
#[derive(Debug)]
pub struct Route {
    /// Method, host family, path template, token kinds and envelope.
    pub spec: EndpointSpec,
    /// Query parameters.
    pub query: &'static [Field],
    /// The request body.
    pub body: Body,
    /// A response payload built from the schema's examples (`data` of the envelope, or
    /// the top level for flat envelopes), as JSON text; `{}` when the schema gives none.
    pub example: &'static str,
    /// The endpoint's documented error codes (the common codes apply to every endpoint too).
    pub errors: &'static [Code],
}

/// A request body as the schema describes it.
#[derive(Debug)]
pub enum Body {
    /// No body.
    None,
    /// A JSON object with these fields.
    Json(&'static [Field]),
    /// A JSON value of one named type, the whole body.
    Whole(&'static Shape),
    /// A `multipart/form-data` body with these parts.
    Multipart(&'static [Field]),
}

/// A named value: a query parameter, a body field, a form part.
#[derive(Debug)]
pub struct Field {
    /// The name on the wire.
    pub name: &'static str,
    /// What it holds.
    pub shape: &'static Shape,
    /// Whether a request without it is refused.
    pub required: bool,
}

/// The type of a value on the wire.
#[derive(Debug)]
pub enum Shape {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Bool,
    /// A JSON integer of 32 bits.
    I32,
    /// A JSON integer of 64 bits.
    I64,
    /// A JSON number.
    F64,
    /// A 64-bit integer sent as a string of digits (a number is accepted too).
    Int64String,
    /// Milliseconds since the epoch: a string of digits, or a number when `int`.
    Timestamp {
        /// Sent as a JSON number.
        int: bool,
    },
    /// One of these strings (an enum the schema lists; others are refused).
    StrEnum(&'static [&'static str]),
    /// One of these integers.
    IntEnum(&'static [i64]),
    /// An array of values of one shape (a repeated query parameter in a URL).
    Array(&'static Shape),
    /// An object with string keys and values of one shape.
    Map(&'static Shape),
    /// An object with these fields (unknown fields are refused).
    Object(&'static [Field]),
    /// Any JSON.
    Json,
    /// A file part of a multipart body.
    File,
}

/// A documented error code.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    /// The `code` of the envelope.
    pub code: i64,
    /// The HTTP status it comes with.
    pub http: u16,
    /// Its message.
    pub message: &'static str,
}
