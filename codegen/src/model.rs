//! The schema as written: plain serde structs mirroring schema/README.md. Every key is
//! listed, so `deny_unknown_fields` turns a typo into an error instead of a silently
//! ignored field. Names and references keep their source position for diagnostics.

use serde::Deserialize;
use serde_saphyr::Spanned;

/// One YAML file. Any section may appear; a file with none of them is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaFile {
    pub endpoint: Option<Endpoint>,
    /// An event or callback; its payload (and reply) become named types when loaded.
    pub event: Option<EventDef>,
    #[serde(default)]
    pub types: Vec<TypeDef>,
    #[serde(default)]
    pub enums: Vec<EnumDef>,
    #[serde(default)]
    pub errors: Vec<ErrorDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    pub id: Spanned<String>,
    pub summary: String,
    /// The summary in English, shown first in the docs.
    pub summary_en: Option<String>,
    pub description: String,
    pub doc_url: String,
    pub method: Method,
    pub host: Host,
    pub path: Spanned<String>,
    pub tokens: Vec<TokenKind>,
    pub rate_limit: Spanned<String>,
    pub app_types: Vec<AppType>,
    pub scopes: Vec<String>,
    #[serde(default)]
    pub field_scopes: Vec<String>,
    pub idempotent: bool,
    pub token_role: Option<Spanned<TokenRole>>,
    #[serde(default)]
    pub path_params: Vec<Field>,
    #[serde(default)]
    pub query: Vec<Field>,
    pub body: Option<Spanned<Body>>,
    pub response: Option<Response>,
    #[serde(default)]
    pub errors: Vec<ErrorDef>,
}

/// An event or callback the platform delivers (events.md §1, §3).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventDef {
    /// The type on the wire: `header.event_type` (2.0), `event.type` (1.0).
    #[serde(rename = "type")]
    pub event_type: Spanned<String>,
    /// The name of the payload's type (a named type like any other).
    pub name: Spanned<String>,
    pub envelope: EventEnvelope,
    pub summary: String,
    /// The summary in English, shown first in the docs.
    pub summary_en: Option<String>,
    #[serde(default)]
    pub description: String,
    pub doc_url: String,
    pub app_types: Vec<AppType>,
    #[serde(default)]
    pub scopes: Vec<String>,
    /// How long the platform waits for the answer, when it is not the 3 s of events.
    pub deadline_ms: Option<Spanned<u64>>,
    /// The payload's fields; moved into a named type when loaded.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// What a callback answers; events have none.
    pub reply: Option<ReplyDef>,
}

/// The envelope an event arrives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EventEnvelope {
    /// `{schema: "2.0", header, event}`.
    V2,
    /// `{uuid, token, ts, type: "event_callback", event}`.
    V1,
    /// Bare JSON with no envelope (the third-party approval quick-action callback).
    None,
}

/// A callback's answer: a named type like any other.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub fields: Vec<Field>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Method {
    GET,
    POST,
    PUT,
    PATCH,
    DELETE,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Host {
    Open,
    Www,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    Tenant,
    App,
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppType {
    /// Self-built (企业自建) app.
    Custom,
    /// Marketplace (商店) app.
    Isv,
}

/// Which step of token acquisition an auth endpoint performs; the client's token
/// manager is wired to these endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenRole {
    TenantInternal,
    AppInternal,
    AppMarketplace,
    TenantMarketplace,
    AppTicketResend,
}

/// What the client's token manager expects of a token endpoint: the runtime trait
/// method it backs, the arguments it can supply, and the response field with the token.
pub struct RoleContract {
    pub method: &'static str,
    pub args: &'static [&'static str],
    pub token_field: Option<&'static str>,
}

impl TokenRole {
    /// Every role, in the order of the runtime's `TokenEndpoints` trait.
    pub const ALL: [TokenRole; 5] = [
        TokenRole::TenantInternal,
        TokenRole::AppInternal,
        TokenRole::AppMarketplace,
        TokenRole::TenantMarketplace,
        TokenRole::AppTicketResend,
    ];

    pub fn contract(self) -> RoleContract {
        let (method, args, token_field): (_, &'static [&'static str], _) = match self {
            TokenRole::TenantInternal => (
                "tenant_internal",
                &["app_id", "app_secret"],
                Some("tenant_access_token"),
            ),
            TokenRole::AppInternal => (
                "app_internal",
                &["app_id", "app_secret"],
                Some("app_access_token"),
            ),
            TokenRole::AppMarketplace => (
                "app_marketplace",
                &["app_id", "app_secret", "app_ticket"],
                Some("app_access_token"),
            ),
            TokenRole::TenantMarketplace => (
                "tenant_marketplace",
                &["app_access_token", "tenant_key"],
                Some("tenant_access_token"),
            ),
            TokenRole::AppTicketResend => ("app_ticket_resend", &["app_id", "app_secret"], None),
        };
        RoleContract {
            method,
            args,
            token_field,
        }
    }
}

/// A request body: either a list of fields or one named type that is the whole body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Body {
    #[serde(rename = "type")]
    pub ty: Option<Spanned<String>>,
    pub fields: Option<Vec<Field>>,
    /// Sent as `multipart/form-data` (uploads): the fields are form fields, `file`
    /// fields are file parts.
    #[serde(default)]
    pub multipart: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Response {
    #[serde(default)]
    pub envelope: Envelope,
    #[serde(default)]
    pub fields: Vec<Field>,
    pub pagination: Option<Spanned<Pagination>>,
}

/// Where the response payload sits: under `data` (almost everything) or at the top
/// level next to `code` and `msg` (the auth endpoints).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Envelope {
    #[default]
    Data,
    Flat,
    /// The response is a file (downloads); errors still come as `{code, msg}`.
    Binary,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    pub items: String,
    pub has_more: String,
    pub token: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub name: Spanned<String>,
    #[serde(rename = "type")]
    pub ty: Spanned<String>,
    pub items: Option<Spanned<String>>,
    pub fields: Option<Vec<Field>>,
    #[serde(default)]
    pub required: bool,
    #[serde(default)]
    pub secret: bool,
    pub default: Option<Spanned<serde_json::Value>>,
    #[serde(default)]
    pub description: String,
    pub example: Option<serde_json::Value>,
    pub range: Option<Spanned<Bounds>>,
    pub length: Option<Spanned<Bounds>>,
    pub required_when: Option<Spanned<RequiredWhen>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bounds {
    pub min: Option<i64>,
    pub max: Option<i64>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequiredWhen {
    pub field: String,
    pub equals: serde_json::Value,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub fields: Vec<Field>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumDef {
    pub name: Spanned<String>,
    #[serde(default)]
    pub description: String,
    pub wire: Wire,
    pub values: Vec<EnumValue>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Wire {
    Int,
    String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: Spanned<serde_json::Value>,
    pub name: Spanned<String>,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorDef {
    pub code: Spanned<i64>,
    pub http: u16,
    pub name: Spanned<String>,
    pub message: String,
    #[serde(default)]
    pub hint: String,
    /// The code means "rate limited" (an endpoint's own, like 230020 on message send):
    /// the client waits and retries as it does for 99991400.
    #[serde(default)]
    pub rate_limit: bool,
}
