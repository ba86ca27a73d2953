//! A usage example on each endpoint's page: the accessor chain, the required
//! arguments filled with the schema's examples (or a plain value of their type), and
//! `send`. Compiled as a doctest (`no_run`: it needs a server), so it cannot rot.
//! Written as text, not tokens: it is a comment, and its layout is what readers see.

use std::fmt::Write;

use crate::ir::{Api, Body, Endpoint, FieldIr, NamedKind, Sample, Ty};
use crate::symbols::ModPath;

/// The example's doc lines, or `None` when a required value has no plain form (a
/// struct without a default, a file).
pub fn usage(ep: &Endpoint, here: &ModPath, api: &Api, krate: &str) -> Option<Vec<String>> {
    let code = usage_code(ep, here, api, krate)?;
    let mut lines = vec![
        "# Example".to_owned(),
        String::new(),
        "```no_run".to_owned(),
    ];
    lines.extend(code);
    lines.push("```".to_owned());
    Some(lines)
}

/// The example's code lines (hidden set-up lines start with `# `), without the fence.
pub fn usage_code(ep: &Endpoint, here: &ModPath, api: &Api, krate: &str) -> Option<Vec<String>> {
    let ModPath::Service { service, version } = here else {
        return None;
    };
    let v = Values { api, here, krate };
    let required: Vec<&FieldIr> = ep
        .params
        .iter()
        .map(|p| &p.field)
        .filter(|f| f.required)
        .collect();
    let whole = match &ep.body {
        Body::Whole { arg, ty } => Some((arg.as_str(), ty)),
        _ => None,
    };
    let mut args = String::new();
    match &ep.required {
        Some(r) => {
            // A `…Required` struct literal: fields hold the stored types.
            let _ = writeln!(args, "{krate}::{service}::{version}::{r} {{");
            for f in &required {
                let value = v.stored(&f.ty, f.example.as_ref())?;
                let value = if f.boxed {
                    format!("Box::new({value})")
                } else {
                    value
                };
                let _ = writeln!(args, "        {}: {value},", f.setter);
            }
            if let Some((arg, ty)) = whole {
                let _ = writeln!(args, "        {arg}: {},", v.stored(ty, None)?);
            }
            args.push_str("    }");
        }
        None => {
            let mut list = Vec::new();
            for f in &required {
                list.push(v.positional(&f.ty, f.example.as_ref())?);
            }
            if let Some((_, ty)) = whole {
                list.push(v.stored(ty, None)?);
            }
            args = list.join(", ");
        }
    }
    let mut lines = vec![
        format!(
            "# async fn example(client: {krate}::Client) -> Result<(), Box<dyn std::error::Error>> {{"
        ),
        "let response = client".to_owned(),
        format!("    .{service}().{version}().{}()", ep.resource),
    ];
    let call = format!("    .{}({args})", ep.method_ident);
    lines.extend(call.lines().map(str::to_owned));
    lines.push("    .send()".to_owned());
    lines.push("    .await?;".to_owned());
    lines.push("# let _ = response;".to_owned());
    lines.push("# Ok(()) }".to_owned());
    Some(lines)
}

struct Values<'a> {
    api: &'a Api,
    here: &'a ModPath,
    krate: &'a str,
}

impl Values<'_> {
    /// A value as a positional argument takes it (strings as `impl Into<String>`).
    fn positional(&self, ty: &Ty, example: Option<&serde_json::Value>) -> Option<String> {
        match ty {
            Ty::String | Ty::Int64String => Some(string_literal(ty, example)),
            _ => self.stored(ty, example),
        }
    }

    /// A value of the field's own Rust type.
    fn stored(&self, ty: &Ty, example: Option<&serde_json::Value>) -> Option<String> {
        let krate = self.krate;
        Some(match ty {
            Ty::String | Ty::Int64String => format!("{}.into()", string_literal(ty, example)),
            Ty::Bool => example
                .and_then(serde_json::Value::as_bool)
                .unwrap_or(false)
                .to_string(),
            Ty::I32 | Ty::I64 => {
                let n = example.and_then(serde_json::Value::as_i64).unwrap_or(0);
                let fits = matches!(ty, Ty::I64) || i32::try_from(n).is_ok();
                if fits { n.to_string() } else { "0".to_owned() }
            }
            Ty::F64 => "0.0".to_owned(),
            Ty::Timestamp { .. } => {
                let ms = example.and_then(millis).unwrap_or(1_700_000_000_000);
                format!("{krate}::runtime::Timestamp::from_millis({ms})")
            }
            Ty::Json => format!("{krate}::runtime::serde_json::Value::Null"),
            Ty::Array(_) => "Vec::new()".to_owned(),
            Ty::Map(_) => "Default::default()".to_owned(),
            Ty::File => return None,
            Ty::Named {
                module,
                ident,
                kind,
                ..
            } => {
                let module = module.as_ref().unwrap_or(self.here);
                let path = type_path(krate, module, ident);
                match (
                    self.api.samples.get(&(module.clone(), ident.clone()))?,
                    kind,
                ) {
                    (Sample::Variants(variants), NamedKind::Enum(_)) => {
                        let chosen = variants.iter().find(|(value, _)| Some(value) == example);
                        let (_, variant) = chosen.or(variants.first())?;
                        format!("{path}::{variant}")
                    }
                    (Sample::Default, NamedKind::Struct) => format!("{path}::default()"),
                    _ => return None,
                }
            }
        })
    }
}

/// A string literal from the example (numbers written as their digits), or a plain
/// placeholder; escaped as Rust escapes it, so any schema text stays one valid literal.
fn string_literal(ty: &Ty, example: Option<&serde_json::Value>) -> String {
    let text = match example {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ if matches!(ty, Ty::Int64String) => "0".to_owned(),
        _ => "...".to_owned(),
    };
    format!("{text:?}")
}

fn millis(v: &serde_json::Value) -> Option<i64> {
    match v {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn type_path(krate: &str, module: &ModPath, ident: &str) -> String {
    match module {
        ModPath::Common => format!("{krate}::{ident}"),
        ModPath::Service { service, version } => format!("{krate}::{service}::{version}::{ident}"),
    }
}
