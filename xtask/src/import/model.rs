//! What the importer decides, before it is written as YAML: endpoints, named types and
//! enums, each with the schema's own vocabulary.

use std::collections::BTreeMap;

/// A field's type. Enums and named types are referred to by key and named later
/// ([`super::names`]), once every use is known.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ty {
    /// A schema leaf type: `string`, `bool`, `i64`, `f64`, `int64_string`, `json`, `file`.
    Leaf(&'static str),
    /// A type named in the overrides file.
    Given(String),
    /// A model class, `service.version.Class`.
    Class(String),
    /// An enum, by its key in [`Import::enums`].
    Enum(String),
    Object(Vec<Field>),
    Array(Box<Ty>),
    Map(Box<Ty>),
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Field {
    pub name: String,
    pub ty: Ty,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumDef {
    pub int: bool,
    /// (wire value, name, label), in value order.
    pub values: Vec<(serde_json::Value, String, String)>,
    /// The field it was found on: its name gives the enum's name.
    pub field: String,
    /// `service.version` where it is written, and the owner (class or endpoint) name
    /// used when the bare field name is taken.
    pub scope: String,
    pub owner: String,
}

#[derive(Debug)]
pub enum Body {
    Fields { fields: Vec<Field>, multipart: bool },
    Named(String),
}

#[derive(Debug)]
pub enum Response {
    Fields(Vec<Field>),
    Binary,
}

#[derive(Debug)]
pub struct Endpoint {
    pub id: String,
    pub summary: String,
    pub description: String,
    pub doc_url: String,
    pub method: String,
    pub path: String,
    pub tokens: Vec<String>,
    pub rate_limit: String,
    pub app_types: Vec<String>,
    pub scopes: Vec<String>,
    pub idempotent: bool,
    pub path_params: Vec<Field>,
    pub query: Vec<Field>,
    pub body: Option<Body>,
    pub response: Option<Response>,
    /// (items, has_more, token) response field names.
    pub pagination: Option<(String, String, String)>,
}

/// The whole import, before naming.
#[derive(Debug, Default)]
pub struct Import {
    pub endpoints: Vec<Endpoint>,
    /// Model classes reached from the endpoints, by `service.version.Class`.
    pub classes: BTreeMap<String, Vec<Field>>,
    pub enums: BTreeMap<String, EnumDef>,
    /// Endpoints left out, with the reason.
    pub skipped: Vec<(String, String)>,
}
