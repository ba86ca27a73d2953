//! The intermediate representation: the schema with every name resolved exactly once
//! (Rust identifier next to wire name) and everything in a deterministic order. Emission
//! reads only this.

// The schema's own vocabulary (methods, hosts, token kinds, wire forms) is the IR's too:
// the emitter takes them from here, and reads nothing but the IR.
pub use crate::model::{Envelope, EventEnvelope, Host, Method, TokenKind, TokenRole, Wire};
use crate::symbols::ModPath;

#[derive(Debug)]
pub struct Api {
    /// Modules in path order; `ModPath::Common` first.
    pub modules: Vec<Module>,
    /// Codes every endpoint can return, in code order.
    pub common_errors: Vec<ErrorCode>,
    /// The auth endpoints the client's token manager calls.
    pub token_endpoints: Vec<TokenEndpoint>,
    /// Every schema file, relative to the schema root, sorted.
    pub sources: Vec<String>,
    /// A plain value of each named type that has one, for usage examples.
    pub samples: std::collections::BTreeMap<(ModPath, String), Sample>,
}

/// A plain value of a named type, as a usage example writes it.
#[derive(Debug, Clone)]
pub enum Sample {
    /// An enum's variants: wire value and Rust name, in schema order (the example's
    /// value when it names one, else the first).
    Variants(Vec<(serde_json::Value, String)>),
    /// `Type::default()`: a named struct without required fields.
    Default,
}

#[derive(Debug)]
pub struct Module {
    pub path: ModPath,
    /// Schema files this module is generated from.
    pub sources: Vec<String>,
    /// The subset of `sources` declaring types or enums.
    pub type_sources: Vec<String>,
    pub structs: Vec<Struct>,
    pub enums: Vec<Enum>,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug)]
pub struct Struct {
    pub ident: String,
    /// What its documentation says; the emitter writes the words.
    pub about: About,
    pub fields: Vec<FieldIr>,
    /// Whether a `Validate` impl is generated (the struct or a nested one has rules).
    pub validates: bool,
    /// Named types are both sent and received; body and response structs one way only.
    pub direction: Direction,
    /// The struct its constructor takes instead of positional arguments (see
    /// [`Direction::Required`]).
    pub required: Option<String>,
}

impl Struct {
    pub fn has_secret(&self) -> bool {
        self.fields.iter().any(|f| f.secret)
    }
    pub fn has_required(&self) -> bool {
        self.fields.iter().any(|f| f.required)
    }
    /// Whether the client sends it (it gets `to_json`).
    pub fn sends(&self) -> bool {
        matches!(self.direction, Direction::Both | Direction::Request)
    }
    /// Whether the client reads it (it gets `from_json`).
    pub fn receives(&self) -> bool {
        matches!(self.direction, Direction::Both | Direction::Response)
    }
}

/// What a struct is, as far as its documentation goes.
#[derive(Debug, Clone)]
pub enum About {
    /// A type declared in the schema, under `name`.
    Named { name: String, description: String },
    /// An inline object.
    Inline,
    /// The JSON body of the builder `of`.
    Body { of: String },
    /// What the builder `of` returns.
    Response { of: String },
    /// The required arguments of `of`'s constructor.
    Required { of: String },
    /// The payload of an event or callback: it implements the runtime's `Event`.
    Event(Box<EventAbout>),
    /// What the callback whose payload is `of` answers.
    Reply { of: String, description: String },
}

/// An event as its payload struct's documentation and `Event` impl need it.
#[derive(Debug, Clone)]
pub struct EventAbout {
    pub event_type: String,
    pub envelope: EventEnvelope,
    pub summary: String,
    pub summary_en: Option<String>,
    pub description: String,
    pub doc_url: String,
    pub app_types: Vec<String>,
    pub scopes: Vec<String>,
    /// The reply struct's Rust name, for callbacks.
    pub reply: Option<String>,
    /// The platform's answer deadline, when the schema gives one.
    pub deadline_ms: Option<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Both,
    Request,
    Response,
    /// The required arguments of a constructor, as named fields: built by callers with a
    /// struct literal, never sent or received as such.
    Required,
}

#[derive(Debug, Clone)]
pub struct FieldIr {
    /// Held in a `Box`: the field's type holds the enclosing type again, by value.
    pub boxed: bool,
    /// The name of its setter and constructor argument: the field's own name, unless a
    /// rule renamed it (`set_new` beside a `new()`; `body_type` for a body field that
    /// shares a URL parameter's name; `set_send` beside a builder's `send()`).
    pub setter: String,
    pub wire: String,
    pub ident: String,
    pub ty: Ty,
    pub required: bool,
    pub secret: bool,
    /// The schema's description, default and example, as written; the emitter
    /// escapes them and writes the doc lines.
    pub description: String,
    pub default: Option<serde_json::Value>,
    pub example: Option<serde_json::Value>,
    pub rules: Rules,
}

#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub range: Option<(Option<i64>, Option<i64>)>,
    pub length: Option<(Option<i64>, Option<i64>)>,
    /// This field must be present when the sibling `field` (a Rust ident) has the wire
    /// value `equals`.
    pub required_when: Option<RequiredWhen>,
}

#[derive(Debug, Clone)]
pub struct RequiredWhen {
    pub field: String,
    pub wire_field: String,
    pub equals: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    String,
    Bool,
    I32,
    I64,
    F64,
    /// An integer carried as a JSON string (ms timestamps); decoding accepts a number too.
    Int64String,
    Named {
        /// The module it is emitted in; `None` for an inline object, which lives in the
        /// same file as everything that names it.
        module: Option<ModPath>,
        /// Its Rust name in that module.
        ident: String,
        kind: NamedKind,
        /// Whether the named type has a `Validate` impl.
        validates: bool,
    },
    Array(Box<Ty>),
    /// Milliseconds since the epoch: `feishu_runtime::Timestamp`; `int` when the wire
    /// form is a number rather than a string of digits.
    Timestamp {
        int: bool,
    },
    /// An object with string keys: `BTreeMap<String, T>`.
    Map(Box<Ty>),
    /// Any JSON: `serde_json::Value`.
    Json,
    /// A file part of a multipart body: `feishu_runtime::FilePart`.
    File,
}

impl Ty {
    /// The type inside any arrays and maps: what a collection ultimately holds.
    pub fn element(&self) -> &Ty {
        match self {
            Ty::Array(inner) | Ty::Map(inner) => inner.element(),
            other => other,
        }
    }

    /// Whether a value of this type has rules of its own to check (a named type with a
    /// `Validate` impl, or a collection of them).
    pub fn validates(&self) -> bool {
        match self {
            Ty::Named { validates, .. } => *validates,
            Ty::Array(inner) | Ty::Map(inner) => inner.validates(),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NamedKind {
    Struct,
    Enum(Wire),
}

#[derive(Debug)]
pub struct Enum {
    pub ident: String,
    /// The schema's name, for the fallback doc line.
    pub name: String,
    /// The schema's description, as written.
    pub description: String,
    pub wire: Wire,
    pub variants: Vec<Variant>,
}

#[derive(Debug)]
pub struct Variant {
    pub ident: String,
    pub value: serde_json::Value,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct ErrorCode {
    pub code: i64,
    pub http: u16,
    pub ident: String,
    pub message: String,
    pub hint: String,
    pub rate_limit: bool,
}

#[derive(Debug)]
pub struct Endpoint {
    pub id: String,
    /// Resource accessor, e.g. `application_feedback`.
    pub resource: String,
    /// Method on the resource, e.g. `patch`.
    pub method_ident: String,
    /// Request builder type, e.g. `ApplicationFeedbackPatch`.
    pub ident: String,
    pub summary: String,
    pub summary_en: Option<String>,
    pub description: String,
    pub doc_url: String,
    pub source: String,
    pub method: Method,
    pub host: Host,
    pub path: String,
    pub tokens: Vec<TokenKind>,
    pub rate_limit: String,
    pub app_types: Vec<String>,
    pub scopes: Vec<String>,
    pub field_scopes: Vec<String>,
    pub idempotent: bool,
    pub envelope: Envelope,
    pub params: Vec<Param>,
    pub body: Body,
    /// Structs only this endpoint uses: its body, its response and inline objects.
    pub own_structs: Vec<Struct>,
    pub response: Option<String>,
    pub pagination: Option<Pagination>,
    pub errors: Vec<ErrorCode>,
    pub error_ident: String,
    /// The struct the builder's constructor takes (see [`Direction::Required`]).
    pub required: Option<String>,
    pub validates: bool,
}

#[derive(Debug)]
pub struct Param {
    pub field: FieldIr,
    pub location: Location,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    Path,
    Query,
    Body,
    /// A field of a `multipart/form-data` body: kept in the builder like a URL
    /// parameter, written into the form when sent.
    Form,
}

#[derive(Debug)]
pub enum Body {
    None,
    /// The body struct (one of `own_structs`) built from the endpoint's body fields.
    Fields(String),
    /// A `multipart/form-data` body: the `Location::Form` parameters.
    Multipart,
    /// The whole body is a named type, taken as one argument called `arg`.
    Whole {
        arg: String,
        ty: Ty,
    },
}

#[derive(Debug)]
pub struct Pagination {
    /// The response's fields: the page's items, whether more follow, the next token.
    pub items: PageField,
    pub item_ty: Ty,
    pub has_more: PageField,
    pub token: PageField,
}

/// A response field pagination reads: its Rust name, and whether it is required (a
/// plain value) or optional (an `Option`).
#[derive(Debug)]
pub struct PageField {
    pub ident: String,
    pub required: bool,
}

#[derive(Debug)]
pub struct TokenEndpoint {
    pub role: TokenRole,
    /// The schema file of the endpoint.
    pub source: String,
    pub module: ModPath,
    pub ident: String,
    /// Required parameters in constructor order.
    pub args: Vec<String>,
    /// The struct the builder's constructor takes, if it takes one.
    pub required: Option<String>,
    /// The response field holding the token, for the roles that return one.
    pub token_field: Option<String>,
}
