//! Joins the two sources into one [`Import`]: lark-oapi gives the endpoints (ids,
//! methods, paths, parameters, body and response models, uploads and downloads),
//! lark-mcp adds what it knows about requests (required flags, number or string, enum
//! values with labels) and the page titles and links. The rules are in schema/README.md.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToSnakeCase;

use super::dump::{Dump, McpEndpoint, OapiClass, OapiEndpoint, PyType};
use super::evidence::{self, ByField, Evidence};
use super::model::{Body, Endpoint, EnumDef, Field, Import, Response, Ty};
use super::overrides::Overrides;

/// What the hand-curated schema already defines.
#[derive(Debug, Default)]
pub struct Curated {
    pub endpoint_ids: BTreeSet<String>,
}

/// Integer fields neither source types for the wire: these name endings are sent as
/// strings (int64 ids and millisecond times), as lark-mcp shows for most fields so
/// named; every other integer is a number.
const STRING_INT_SUFFIXES: &[&str] = &["_id", "_ids", "_time", "_timestamp", "_at", "_token"];
const STRING_INT_NAMES: &[&str] = &["id", "ids", "time", "timestamp", "page_token"];

/// Method names of read-only calls sent as POST (lark-oapi names them so).
const READ_VERBS: &[&str] = &[
    "get",
    "list",
    "query",
    "search",
    "batch_get",
    "batch_query",
    "mget",
];

pub fn merge(dump: &Dump, overrides: &Overrides, curated: &Curated) -> Import {
    let mcp: BTreeMap<String, &McpEndpoint> = dump
        .mcp
        .iter()
        .map(|(name, e)| (snake_id(name), e))
        .collect();
    let classes = &dump.oapi.types;

    // Evidence over every endpoint both sources know, curated or not: a class shared
    // with a curated endpoint still learns from it.
    let mut by_field = ByField::new();
    for (id, e) in &dump.oapi.endpoints {
        if let (Some(body), Some(Some(z))) = (&e.body, mcp.get(id).map(|m| &m.body)) {
            evidence::observe(body, z, classes, &mut by_field);
        }
    }

    let mut cx = Cx {
        classes,
        by_field: &by_field,
        overrides,
        enums: BTreeMap::new(),
        reached: BTreeMap::new(),
    };
    let mut import = Import::default();
    for (id, e) in &dump.oapi.endpoints {
        if curated.endpoint_ids.contains(id) {
            continue;
        }
        if let Some(reason) = overrides.endpoints.get(id).and_then(|o| o.skip.clone()) {
            import.skipped.push((id.clone(), reason));
            continue;
        }
        if e.tokens.is_empty() && mcp.get(id).and_then(|m| m.tokens.as_ref()).is_none() {
            import.skipped.push((
                id.clone(),
                "token endpoint (no token kind): hand-curate it with a token_role".to_owned(),
            ));
            continue;
        }
        let ep = cx.endpoint(id, e, mcp.get(id).copied());
        import.endpoints.push(ep);
    }

    // Classes reached from the endpoints, transitively, with their fields typed; again
    // until nothing changes, since a class first met in a request may later turn out
    // to be in a response too (and then none of its fields is required).
    loop {
        let before = cx.reached.clone();
        for (name, in_response) in &before {
            if let Some(class) = classes.get(name) {
                let fields = cx.fields_of(name, class, *in_response, false);
                import.classes.insert(name.clone(), fields);
            }
        }
        if cx.reached == before {
            break;
        }
    }
    import.enums = cx.enums;
    import
}

/// `application.v6.applicationFeedback.list` -> `application.v6.application_feedback.list`.
pub fn snake_id(name: &str) -> String {
    name.split('.')
        .map(|p| p.to_snake_case())
        .collect::<Vec<_>>()
        .join(".")
}

struct Cx<'a> {
    classes: &'a BTreeMap<String, OapiClass>,
    by_field: &'a ByField,
    overrides: &'a Overrides,
    enums: BTreeMap<String, EnumDef>,
    /// Classes referred to, and whether any use is in a response.
    reached: BTreeMap<String, bool>,
}

/// Where a field sits: decides the enum's owner and the override key.
struct Place<'a> {
    scope: &'a str,
    owner: &'a str,
    key: String,
    in_response: bool,
    multipart: bool,
}

impl Cx<'_> {
    fn endpoint(&mut self, id: &str, e: &OapiEndpoint, mcp: Option<&McpEndpoint>) -> Endpoint {
        let parts: Vec<&str> = id.split('.').collect();
        let scope = format!("{}.{}", parts[0], parts[1]);
        let owner = format!("{}_{}", parts[2], parts[3]);
        let ov = self.overrides.endpoints.get(id);

        // A path parameter the path does not hold is never sent by lark-oapi either
        // (`lingo.v1.entity.get` lists `repo_id`): it is left out.
        let path_params = e
            .path_params
            .iter()
            .filter(|p| {
                e.path
                    .split('/')
                    .any(|seg| seg.strip_prefix(':') == Some(p.name.as_str()))
            })
            .map(|p| {
                let ev = evidence::of_param(mcp.and_then(|m| m.path_params.as_ref()), &p.name);
                let place = Place {
                    scope: &scope,
                    owner: &owner,
                    key: format!("{id}:path.{}", p.name),
                    in_response: false,
                    multipart: false,
                };
                let ty = self.param_type(&p.ty, ev.as_ref(), &p.name, &place);
                Field {
                    name: p.name.clone(),
                    ty,
                    required: true,
                }
            })
            .collect();
        let query = e
            .query
            .iter()
            .map(|p| {
                let ev = evidence::of_param(mcp.and_then(|m| m.query.as_ref()), &p.name);
                let place = Place {
                    scope: &scope,
                    owner: &owner,
                    key: format!("{id}:query.{}", p.name),
                    in_response: false,
                    multipart: false,
                };
                let ty = if p.name == "page_token" {
                    Ty::Leaf("string")
                } else {
                    self.param_type(&p.ty, ev.as_ref(), &p.name, &place)
                };
                // Required only when lark-mcp says so; a paginated call's page_token
                // never is.
                let required = ev.is_some_and(|ev| ev.required > 0) && p.name != "page_token";
                Field {
                    name: p.name.clone(),
                    ty,
                    required,
                }
            })
            .collect();

        let body = e.body.as_ref().map(|b| self.body(b, e.multipart, &scope));
        let response = if e.download {
            Some(Response::Binary)
        } else {
            e.response.as_ref().and_then(|r| self.response(r))
        };
        let pagination = match &response {
            Some(Response::Fields(fields)) => pagination(fields, &e.query),
            _ => None,
        };

        // Token kinds: every kind either source lists, in the schema's order.
        let mut kinds: BTreeSet<&str> = e.tokens.iter().map(String::as_str).collect();
        if let Some(t) = mcp.and_then(|m| m.tokens.as_ref()) {
            kinds.extend(t.iter().map(String::as_str));
        }
        let tokens = ["tenant", "app", "user"]
            .iter()
            .filter(|k| kinds.contains(**k))
            .map(|k| (*k).to_owned())
            .collect();

        let method = e.method.to_uppercase();
        let verb = parts[3];
        let idempotent = matches!(method.as_str(), "GET" | "PUT" | "DELETE")
            || (method == "POST"
                && READ_VERBS
                    .iter()
                    .any(|v| verb == *v || verb.starts_with(&format!("{v}_"))));

        let title_zh = mcp.and_then(|m| m.title_zh.clone());
        let title_en = mcp.and_then(|m| m.title_en.clone());
        let doc_url = mcp.and_then(|m| m.doc_url.clone()).unwrap_or_else(|| {
            format!(
                "https://open.feishu.cn/document/uAjLw4CM/ukTMukTMukTM/reference/{}-{}/{}/{}",
                parts[0], parts[1], parts[2], parts[3]
            )
        });
        let doc_url = ov.and_then(|o| o.doc_url.clone()).unwrap_or(doc_url);
        let summary = ov
            .and_then(|o| o.summary.clone())
            .or(title_zh)
            .or_else(|| title_en.clone())
            .unwrap_or_else(|| format!("{} {}", parts[2], parts[3]));
        let what = title_en.unwrap_or_else(|| format!("`{id}`"));
        let description = format!(
            "{what}: `{method} {}`. The linked page has the details.",
            e.path
        );

        Endpoint {
            id: id.to_owned(),
            summary,
            description,
            doc_url,
            method,
            path: e.path.clone(),
            tokens: ov.and_then(|o| o.tokens.clone()).unwrap_or(tokens),
            rate_limit: ov
                .and_then(|o| o.rate_limit.clone())
                .unwrap_or_else(|| self.overrides.defaults.rate_limit.clone()),
            app_types: ov
                .and_then(|o| o.app_types.clone())
                .unwrap_or_else(|| self.overrides.defaults.app_types.clone()),
            scopes: ov.and_then(|o| o.scopes.clone()).unwrap_or_default(),
            idempotent: ov.and_then(|o| o.idempotent).unwrap_or(idempotent),
            path_params,
            query,
            body,
            response,
            pagination,
        }
    }

    fn body(&mut self, body: &PyType, multipart: bool, scope: &str) -> Body {
        match body {
            PyType::Ref { name } if multipart || is_inline(name) => {
                let fields = match self.classes.get(name) {
                    Some(class) => self.fields_of(name, class, false, multipart),
                    None => Vec::new(),
                };
                Body::Fields { fields, multipart }
            }
            PyType::Ref { name } => {
                self.reached.entry(name.clone()).or_insert(false);
                Body::Named(name.clone())
            }
            other => {
                // Not seen in the SDK: a body that is not a model class.
                let place = Place {
                    scope,
                    owner: "body",
                    key: String::new(),
                    in_response: false,
                    multipart,
                };
                let ty = self.ty(other, None, "body", &place);
                Body::Fields {
                    fields: vec![Field {
                        name: "body".to_owned(),
                        ty,
                        required: true,
                    }],
                    multipart,
                }
            }
        }
    }

    fn response(&mut self, data: &PyType) -> Option<Response> {
        match data {
            PyType::Ref { name } => {
                let class = self.classes.get(name)?;
                Some(Response::Fields(self.fields_of(name, class, true, false)))
            }
            _ => None,
        }
    }

    /// The fields of a class; required only in request-only classes and only when every
    /// lark-mcp schema that lists the field requires it.
    fn fields_of(
        &mut self,
        name: &str,
        class: &OapiClass,
        in_response: bool,
        multipart: bool,
    ) -> Vec<Field> {
        let (scope, owner) = name.rsplit_once('.').unwrap_or(("", name));
        let mut out = Vec::new();
        for f in &class.fields {
            let ev = self.by_field.get(&(name.to_owned(), f.name.clone()));
            let place = Place {
                scope,
                owner,
                key: format!("{name}.{}", f.name),
                in_response,
                multipart,
            };
            let ty = self.ty(&f.ty, ev, &f.name, &place);
            // The file part of an upload is required: lark-mcp has no upload tools to say
            // so, and an upload without its file is no request.
            let required = (!in_response && ev.is_some_and(|e| e.seen > 0 && e.required == e.seen))
                || ty == Ty::Leaf("file");
            out.push(Field {
                name: f.name.clone(),
                ty,
                required,
            });
        }
        out
    }

    /// A query or path parameter: strings, numbers, bools, enums, or arrays of those.
    fn param_type(&mut self, py: &PyType, ev: Option<&Evidence>, name: &str, place: &Place) -> Ty {
        if let Some(t) = self.given(&place.key) {
            return t;
        }
        match py {
            PyType::List { items } => match self.ty(items, ev, name, place) {
                t @ (Ty::Leaf(_) | Ty::Enum(_)) => Ty::Array(Box::new(t)),
                _ => Ty::Array(Box::new(Ty::Leaf("string"))),
            },
            other => match self.ty(other, ev, name, place) {
                t
                @ (Ty::Leaf("string" | "bool" | "i64" | "f64" | "int64_string") | Ty::Enum(_)) => t,
                _ => Ty::Leaf("string"),
            },
        }
    }

    fn given(&self, key: &str) -> Option<Ty> {
        self.overrides
            .field_types
            .get(key)
            .map(|t| Ty::Given(t.clone()))
    }

    fn ty(&mut self, py: &PyType, ev: Option<&Evidence>, name: &str, place: &Place) -> Ty {
        if let Some(t) = self.given(&place.key) {
            return t;
        }
        match py {
            PyType::Str => match ev {
                Some(e) if e.is_enum() => self.enum_of(e, false, name, place),
                _ => Ty::Leaf("string"),
            },
            PyType::Int => match ev {
                Some(e) if e.is_enum() && numeric_options(e) => self.enum_of(e, true, name, place),
                Some(e) if e.string && !e.number => Ty::Leaf("int64_string"),
                Some(e) if e.number => Ty::Leaf("i64"),
                _ if STRING_INT_NAMES.contains(&name)
                    || STRING_INT_SUFFIXES.iter().any(|s| name.ends_with(s)) =>
                {
                    Ty::Leaf("int64_string")
                }
                _ => Ty::Leaf("i64"),
            },
            PyType::Float => Ty::Leaf("f64"),
            PyType::Bool => Ty::Leaf("bool"),
            PyType::Any => Ty::Leaf("json"),
            PyType::File if place.multipart => Ty::Leaf("file"),
            PyType::File => Ty::Leaf("json"),
            PyType::List { items } => Ty::Array(Box::new(self.ty(items, ev, name, place))),
            PyType::Dict { values } => match self.ty(values, ev, name, place) {
                // int64_string is a field or array type only.
                Ty::Leaf("int64_string") => Ty::Map(Box::new(Ty::Leaf("i64"))),
                t => Ty::Map(Box::new(t)),
            },
            PyType::Ref { name: class } => {
                if !self.classes.contains_key(class) {
                    return Ty::Leaf("json");
                }
                let r = self.reached.entry(class.clone()).or_insert(false);
                *r |= place.in_response;
                Ty::Class(class.clone())
            }
        }
    }

    fn enum_of(&mut self, e: &Evidence, int: bool, field: &str, place: &Place) -> Ty {
        let mut values: Vec<(serde_json::Value, String, String)> = Vec::new();
        let label = |v: &serde_json::Value| {
            e.options
                .iter()
                .find(|o| &o.value == v)
                .map(|o| (o.name.clone(), string_label(v, &o.label)))
        };
        if int {
            for o in &e.options {
                if o.value.is_i64() {
                    let name = o
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("value_{}", o.value));
                    values.push((o.value.clone(), name, short_label(&o.label)));
                }
            }
        } else {
            let listed: Vec<serde_json::Value> = if e.values.is_empty() {
                e.options.iter().map(|o| o.value.clone()).collect()
            } else {
                e.values.clone()
            };
            for v in listed {
                let Some(s) = v.as_str() else { continue };
                let text = label(&v).map(|(_, l)| l).unwrap_or_default();
                values.push((v.clone(), s.to_owned(), text));
            }
        }
        values.sort_by(|a, b| cmp_value(&a.0, &b.0));
        values.dedup_by(|a, b| a.0 == b.0);
        if values.is_empty() {
            return Ty::Leaf(if int { "i64" } else { "string" });
        }
        let key = format!("{}#{}", place.key, field);
        self.enums.insert(
            key.clone(),
            EnumDef {
                int,
                values,
                field: field.to_owned(),
                scope: place.scope.to_owned(),
                owner: place.owner.to_owned(),
            },
        );
        Ty::Enum(key)
    }
}

/// A string option reads `value(Name label)` in lark-mcp, the name being the value in
/// UpperCamelCase: the name is dropped.
fn string_label(value: &serde_json::Value, text: &str) -> String {
    let squash = |s: &str| s.replace(['_', '-', '.'], "").to_lowercase();
    let text = match (value.as_str(), text.split_once(' ')) {
        (Some(v), Some((first, rest))) if squash(first) == squash(v) => rest,
        _ => text,
    };
    short_label(text)
}

/// Labels are the value's short name: the text up to the first clause mark, when that
/// is short; explanations are the doc page's, not ours.
fn short_label(text: &str) -> String {
    let head = text
        .split(['，', '。', '；', '：', ';', ',', '!', '?', '！', '？', '\n'])
        .next()
        .unwrap_or("")
        .trim();
    if head.chars().count() <= 40 {
        head.to_owned()
    } else {
        String::new()
    }
}

fn numeric_options(e: &Evidence) -> bool {
    e.number && e.options.iter().any(|o| o.value.is_i64())
}

fn cmp_value(a: &serde_json::Value, b: &serde_json::Value) -> std::cmp::Ordering {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x.cmp(&y),
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// `XRequestBody` and `XResponseBody` classes are the endpoint's own: their fields are
/// written inline in the endpoint file.
fn is_inline(class: &str) -> bool {
    class.ends_with("RequestBody") || class.ends_with("ResponseBody")
}

/// `{items: [...], has_more: bool, page_token: string}` beside a `page_token` query
/// parameter: the pagination the client can follow.
fn pagination(
    fields: &[Field],
    query: &[super::dump::OapiField],
) -> Option<(String, String, String)> {
    if !query.iter().any(|q| q.name == "page_token") {
        return None;
    }
    let has_more = fields
        .iter()
        .find(|f| f.name == "has_more" && f.ty == Ty::Leaf("bool"))?;
    let token = fields.iter().find(|f| {
        (f.name == "page_token" || f.name == "next_page_token")
            && matches!(f.ty, Ty::Leaf("string" | "int64_string"))
    })?;
    let arrays: Vec<&Field> = fields
        .iter()
        .filter(|f| matches!(f.ty, Ty::Array(_)))
        .collect();
    let items = match arrays.as_slice() {
        [one] => *one,
        many => many.iter().find(|f| f.name == "items").copied()?,
    };
    Some((
        items.name.clone(),
        has_more.name.clone(),
        token.name.clone(),
    ))
}
