//! YAML text for the imported schema, written directly: fixed key order, block style,
//! and every string either plain (identifier-like) or double-quoted with JSON escapes
//! (a JSON string is a valid YAML double-quoted scalar), so the same import always
//! gives the same bytes.

use std::collections::BTreeMap;
use std::fmt::Write;

use heck::ToUpperCamelCase;

use super::model::{Body, Endpoint, EnumDef, Field, Response, Ty};
use super::names::Names;

/// The first line of every file the importer writes; files without it are curated and
/// never touched.
pub const MARKER: &str = "# imported by cargo xtask import; edits are overwritten";

/// A scalar: plain when it cannot be misread, quoted otherwise.
pub fn scalar(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '/')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-' | ':'))
        && !s.ends_with(':')
        && !s.contains(": ")
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "yes" | "no" | "on" | "off" | "y" | "n" | "~"
        );
    if plain {
        s.to_owned()
    } else {
        serde_json::Value::String(s.to_owned()).to_string()
    }
}

fn list(items: &[String]) -> String {
    let parts: Vec<String> = items.iter().map(|s| scalar(s)).collect();
    format!("[{}]", parts.join(", "))
}

pub fn endpoint(ep: &Endpoint, names: &Names) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{MARKER}");
    o.push_str("endpoint:\n");
    let kv = |o: &mut String, k: &str, v: &str| {
        let _ = writeln!(o, "  {k}: {v}");
    };
    kv(&mut o, "id", &ep.id);
    kv(&mut o, "summary", &scalar(&ep.summary));
    kv(&mut o, "description", &scalar(&ep.description));
    kv(&mut o, "doc_url", &scalar(&ep.doc_url));
    kv(&mut o, "method", &ep.method);
    kv(&mut o, "host", "open");
    kv(&mut o, "path", &scalar(&ep.path));
    kv(&mut o, "tokens", &list(&ep.tokens));
    kv(&mut o, "rate_limit", &scalar(&ep.rate_limit));
    kv(&mut o, "app_types", &list(&ep.app_types));
    kv(&mut o, "scopes", &list(&ep.scopes));
    kv(
        &mut o,
        "idempotent",
        if ep.idempotent { "true" } else { "false" },
    );
    if !ep.path_params.is_empty() {
        o.push_str("  path_params:\n");
        fields(&mut o, &ep.path_params, 4, names);
    }
    if !ep.query.is_empty() {
        o.push_str("  query:\n");
        fields(&mut o, &ep.query, 4, names);
    }
    match &ep.body {
        Some(Body::Named(class)) => {
            let _ = writeln!(o, "  body:\n    type: {}", names.classes[class]);
        }
        Some(Body::Fields {
            fields: f,
            multipart,
        }) if !f.is_empty() => {
            o.push_str("  body:\n");
            if *multipart {
                o.push_str("    multipart: true\n");
            }
            o.push_str("    fields:\n");
            fields(&mut o, f, 6, names);
        }
        _ => {}
    }
    match &ep.response {
        Some(Response::Binary) => o.push_str("  response:\n    envelope: binary\n"),
        Some(Response::Fields(f)) if !f.is_empty() => {
            o.push_str("  response:\n    fields:\n");
            fields(&mut o, f, 6, names);
            if let Some((items, has_more, token)) = &ep.pagination {
                let _ = writeln!(
                    o,
                    "    pagination:\n      items: {}\n      has_more: {}\n      token: {}",
                    scalar(items),
                    scalar(has_more),
                    scalar(token)
                );
            }
        }
        _ => {}
    }
    o
}

/// Types and enums of one service version.
pub fn types(
    classes: &BTreeMap<String, &Vec<Field>>,
    enums: &BTreeMap<String, &EnumDef>,
    names: &Names,
) -> String {
    let mut o = String::new();
    let _ = writeln!(o, "{MARKER}");
    if !classes.is_empty() {
        o.push_str("types:\n");
        for (name, f) in classes {
            let _ = writeln!(o, "  - name: {name}");
            if f.is_empty() {
                o.push_str("    fields: []\n");
            } else {
                o.push_str("    fields:\n");
                fields(&mut o, f, 6, names);
            }
        }
    }
    if !enums.is_empty() {
        o.push_str("enums:\n");
        for (name, def) in enums {
            let _ = writeln!(o, "  - name: {name}");
            let _ = writeln!(o, "    wire: {}", if def.int { "int" } else { "string" });
            o.push_str("    values:\n");
            for (value, vname, label) in variant_names(&def.values) {
                let value = match value.as_str() {
                    Some(s) => scalar(s),
                    None => value.to_string(),
                };
                let _ = write!(o, "      - {{value: {value}, name: {}", scalar(&vname));
                if !label.is_empty() {
                    let _ = write!(o, ", label: {}", serde_json::Value::String(label.clone()));
                }
                o.push_str("}\n");
            }
        }
    }
    o
}

/// Variant names: snake_case identifiers, never `unknown` (reserved), unique after the
/// generator's case conversion.
fn variant_names(
    values: &[(serde_json::Value, String, String)],
) -> Vec<(serde_json::Value, String, String)> {
    let mut used = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for (value, name, label) in values {
        let mut n: String = name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        n = n
            .split('_')
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("_");
        if n.is_empty() {
            n = format!(
                "value_{}",
                value.as_i64().map(|i| i.to_string()).unwrap_or_default()
            );
            n = n.trim_end_matches('_').to_owned();
        }
        if n.starts_with(|c: char| c.is_ascii_digit()) {
            n = format!("v{n}");
        }
        if matches!(n.as_str(), "unknown" | "self" | "super" | "crate") {
            n = format!("{n}_value");
        }
        let mut candidate = n.clone();
        let mut i = 2;
        while !used.insert(candidate.to_upper_camel_case()) {
            candidate = format!("{n}_{i}");
            i += 1;
        }
        out.push((value.clone(), candidate, label.clone()));
    }
    out
}

fn fields(o: &mut String, fs: &[Field], indent: usize, names: &Names) {
    let pad = " ".repeat(indent);
    for f in fs {
        let (ty, items, nested) = type_of(&f.ty, names);
        let _ = writeln!(o, "{pad}- name: {}", scalar(&f.name));
        let _ = writeln!(o, "{pad}  type: {}", scalar(&ty));
        if let Some(items) = items {
            let _ = writeln!(o, "{pad}  items: {}", scalar(&items));
        }
        if f.required {
            let _ = writeln!(o, "{pad}  required: true");
        }
        if let Some(nested) = nested {
            if nested.is_empty() {
                let _ = writeln!(o, "{pad}  fields: []");
            } else {
                let _ = writeln!(o, "{pad}  fields:");
                fields(o, nested, indent + 4, names);
            }
        }
    }
}

/// (`type`, `items`, nested `fields`) of a field.
fn type_of<'a>(ty: &'a Ty, names: &Names) -> (String, Option<String>, Option<&'a [Field]>) {
    match ty {
        Ty::Object(f) => ("object".to_owned(), None, Some(f)),
        Ty::Array(inner) | Ty::Map(inner) => {
            let outer = if matches!(ty, Ty::Array(_)) {
                "array"
            } else {
                "map"
            };
            match &**inner {
                Ty::Object(f) => (outer.to_owned(), Some("object".to_owned()), Some(f)),
                Ty::Array(x) | Ty::Map(x) => {
                    let kind = if matches!(**inner, Ty::Array(_)) {
                        "array"
                    } else {
                        "map"
                    };
                    let items = match named(x, names) {
                        Some(n) => format!("{kind}<{}>", widen(n)),
                        None => "json".to_owned(),
                    };
                    (outer.to_owned(), Some(items), None)
                }
                other => {
                    let n = named(other, names).unwrap_or_else(|| "json".to_owned());
                    (outer.to_owned(), Some(n), None)
                }
            }
        }
        other => (
            named(other, names).unwrap_or_else(|| "json".to_owned()),
            None,
            None,
        ),
    }
}

/// `int64_string` only stands alone or as an array's items.
fn widen(n: String) -> String {
    if n == "int64_string" {
        "i64".to_owned()
    } else {
        n
    }
}

fn named(ty: &Ty, names: &Names) -> Option<String> {
    match ty {
        Ty::Leaf(s) => Some((*s).to_owned()),
        Ty::Given(s) => Some(s.clone()),
        Ty::Class(q) => names.classes.get(q).cloned(),
        Ty::Enum(k) => names.enums.get(k).cloned(),
        _ => None,
    }
}
