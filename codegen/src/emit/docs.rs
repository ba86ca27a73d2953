//! Doc comments: one `#[doc = " line"]` per line so they print as `///`. Text from the
//! schema goes through [`doc_text`] first; the markdown built here around it (tables,
//! code spans, links to generated items) is the generator's own.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_text::{self, code, pipes};
use crate::ir::{About, Endpoint, Enum, ErrorCode, EventAbout, EventEnvelope, FieldIr, Struct};
use crate::ir::{Host, Method, TokenKind};

/// `#[doc]` attributes for `lines`. Each line goes through [`doc_text::scrub_line`]: a
/// no-op on escaped schema text and on the generator's markdown, it keeps a line built
/// around raw schema text a single line that compiles and opens no code block (so no
/// doctest). Lines here never start a code block; examples go through [`code_doc`].
pub fn doc(lines: &[String]) -> TokenStream {
    attrs(lines.iter().map(|line| doc_text::scrub_line(line)))
}

/// `#[doc]` attributes for lines the generator wrote whole (a usage example with its
/// code fence): not scrubbed, so indentation and the fence stay; nothing in them comes
/// from the schema unescaped (values are Rust literals written with `{:?}`).
pub fn code_doc(lines: &[String]) -> TokenStream {
    attrs(lines.iter().cloned())
}

/// One `#[doc = " line"]` per line (an empty line stays empty), so they print as `///`.
fn attrs(lines: impl Iterator<Item = String>) -> TokenStream {
    lines
        .map(|line| {
            let text = if line.is_empty() {
                line
            } else {
                format!(" {line}")
            };
            quote!(#[doc = #text])
        })
        .collect()
}

/// One doc line.
pub fn doc1(line: impl Into<String>) -> TokenStream {
    doc(&[line.into()])
}

/// The full documentation of an endpoint's request builder: what it does, the HTTP
/// call, tokens, rate tier, app types, scopes, error codes, and the source page.
pub fn endpoint_doc(ep: &Endpoint, common: &[ErrorCode]) -> Vec<String> {
    let mut d = summary(&ep.summary, ep.summary_en.as_deref());
    if d.is_empty() {
        d.push(code(&ep.id));
    }
    d.push(String::new());
    let description = doc_text::escape(&ep.description);
    if !description.is_empty() {
        d.extend(description);
        d.push(String::new());
    }
    d.push(code(&format!(
        "{} {}{}",
        method(ep.method),
        host(ep.host),
        ep.path
    )));
    d.push(String::new());
    d.push("| | |".into());
    d.push("|---|---|".into());
    d.push(format!("| Endpoint id | {} |", pipes(&code(&ep.id))));
    d.push(format!("| Access tokens | {} |", tokens(&ep.tokens)));
    d.push(format!(
        "| Rate limit | {} |",
        doc_text::cell(&rate(&ep.rate_limit))
    ));
    d.push(format!("| App types | {} |", ep.app_types.join(", ")));
    d.push(format!(
        "| Scopes (any one) | {} |",
        code_list(&ep.scopes, "none")
    ));
    if !ep.field_scopes.is_empty() {
        d.push(format!(
            "| Field scopes | {} |",
            code_list(&ep.field_scopes, "none")
        ));
    }
    let retry = if ep.idempotent {
        "idempotent: retried after 5xx and timeouts"
    } else {
        "not idempotent: only rate-limited or unsent attempts are retried"
    };
    d.push(format!("| Retries | {retry} |"));
    d.push(String::new());
    d.push("# Errors".into());
    d.push(String::new());
    if super::errors::is_general(ep) {
        // The common codes are documented once, on the enum this type aliases.
        d.push(format!(
            "None of its own: codes arrive as [`{}`] (the codes any endpoint can return, [`{general}`](crate::{general})) in [`Error::Api`](feishu_runtime::Error::Api).",
            ep.error_ident,
            general = super::errors::GENERAL,
        ));
    } else {
        d.push(format!(
            "Codes arrive as [`{}`] in [`Error::Api`](feishu_runtime::Error::Api):",
            ep.error_ident
        ));
        d.push(String::new());
        d.extend(error_table(&ep.errors, common));
    }
    d.push(String::new());
    d.push(format!(
        "Source: {} (schema {})",
        doc_text::url(&ep.doc_url),
        code(&ep.source)
    ));
    d
}

/// The English summary first (rustdoc lists the first paragraph next to the item's
/// name), then the schema's own, which for curated endpoints is the Chinese title of
/// the vendor's page.
fn summary(own: &str, english: Option<&str>) -> Vec<String> {
    let mut d = english.map(doc_text::escape).unwrap_or_default();
    let own = doc_text::escape(own);
    if !d.is_empty() && !own.is_empty() {
        d.push(String::new());
    }
    d.extend(own);
    d
}

fn error_table(errors: &[ErrorCode], common: &[ErrorCode]) -> Vec<String> {
    let mut t = vec![
        "| HTTP | Code | Message | Hint |".to_owned(),
        "|---|---|---|---|".to_owned(),
    ];
    for e in errors.iter().chain(common) {
        t.push(format!(
            "| {} | {} | {} | {} |",
            e.http,
            e.code,
            cell(&e.message),
            cell(&e.hint)
        ));
    }
    t
}

/// Schema text in a markdown table cell.
fn cell(s: &str) -> String {
    doc_text::cell(s)
}

pub fn method(m: Method) -> &'static str {
    match m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
    }
}

fn host(h: Host) -> &'static str {
    match h {
        Host::Open => "https://open.feishu.cn",
        Host::Www => "https://www.feishu.cn",
    }
}

fn tokens(kinds: &[TokenKind]) -> String {
    if kinds.is_empty() {
        return "none (this endpoint issues tokens)".into();
    }
    let names: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            TokenKind::Tenant => "`tenant_access_token`",
            TokenKind::App => "`app_access_token`",
            TokenKind::User => "`user_access_token`",
        })
        .collect();
    names.join(", ")
}

fn rate(r: &str) -> String {
    if r == "special" {
        "special (特殊频控)".into()
    } else {
        r.to_owned()
    }
}

fn code_list(items: &[String], empty: &str) -> String {
    if items.is_empty() {
        return empty.to_owned();
    }
    items
        .iter()
        .map(|s| pipes(&code(s)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A struct's documentation.
pub fn struct_doc(s: &Struct) -> Vec<String> {
    match &s.about {
        About::Named { name, description } => or(description, format!("The `{name}` type.")),
        About::Inline => vec![format!("An inline object of [`{}`].", s.ident)],
        About::Body { of } => vec![format!("The JSON body of [`{of}`].")],
        About::Response { of } => vec![format!("What [`{of}`] returns.")],
        About::Required { of } => vec![
            format!("The required arguments of [`{of}`]'s constructor, by name."),
            String::new(),
            "Build it with a struct literal: every field is required, so a missing one does not compile, and none can be passed in another's place.".to_owned(),
        ],
        About::Event(e) => event_doc(e),
        About::Reply { of, description } => or(
            description,
            format!("What a handler of [`{of}`] answers the platform with."),
        ),
    }
}

/// An event payload's documentation: what it is, how it arrives, how to handle it.
fn event_doc(e: &EventAbout) -> Vec<String> {
    let mut d = summary(&e.summary, e.summary_en.as_deref());
    if d.is_empty() {
        d.push(format!("The payload of the {} event.", code(&e.event_type)));
    }
    d.push(String::new());
    let description = doc_text::escape(&e.description);
    if !description.is_empty() {
        d.extend(description);
        d.push(String::new());
    }
    let envelope = match e.envelope {
        EventEnvelope::V2 => "the 2.0 envelope (`schema`, `header`, `event`)",
        EventEnvelope::V1 => "the 1.0 envelope (`uuid`, `token`, `event`)",
        EventEnvelope::None => "bare JSON, with no envelope",
    };
    d.push("| | |".into());
    d.push("|---|---|".into());
    d.push(format!("| Event type | {} |", pipes(&code(&e.event_type))));
    d.push(format!("| Arrives in | {envelope} |"));
    d.push(format!("| App types | {} |", e.app_types.join(", ")));
    d.push(format!(
        "| Scopes (any one) | {} |",
        code_list(&e.scopes, "none")
    ));
    let answer = match &e.reply {
        Some(reply) => format!("[`{reply}`], within the deadline"),
        None => "an acknowledgement ([`NoReply`](feishu_runtime::events::NoReply))".to_owned(),
    };
    d.push(format!("| Handler returns | {answer} |"));
    let deadline = e.deadline_ms.unwrap_or(3000);
    d.push(format!(
        "| Answer within | {} ms (the dispatcher answers 500 ms before) |",
        deadline
    ));
    d.push(String::new());
    d.push("Register a handler with [`DispatcherBuilder::on`](feishu_runtime::events::DispatcherBuilder::on); the dispatcher reads the envelope, drops duplicates and answers in time.".into());
    d.push(String::new());
    d.push(format!("Source: {}", doc_text::url(&e.doc_url)));
    d
}

/// An enum's documentation.
pub fn enum_doc(e: &Enum) -> Vec<String> {
    or(&e.description, format!("The `{}` enum.", e.name))
}

/// A field's documentation: its description, then the server's default and an example.
pub fn field_doc(f: &FieldIr) -> Vec<String> {
    let mut doc = or(&f.description, format!("The `{}` field.", f.wire));
    if let Some(d) = &f.default {
        doc.push(String::new());
        doc.push(format!(
            "Default (applied by the server when omitted): `{}`",
            shown(d)
        ));
    }
    if let Some(e) = &f.example {
        doc.push(String::new());
        doc.push(format!("Example: `{}`", shown(e)));
    }
    doc
}

/// Schema prose as doc lines, or `fallback` (the generator's own words) when there is
/// none.
fn or(text: &str, fallback: String) -> Vec<String> {
    let lines = doc_text::escape(text);
    if lines.is_empty() {
        vec![fallback]
    } else {
        lines
    }
}

/// A YAML scalar as the docs show it, strings without JSON quotes, as the inside of a
/// code span the caller closes with one backtick on each side: [`doc_text::code`]
/// without its outermost backticks, so backticks and line breaks in the value cannot
/// end the span early.
pub fn shown(v: &serde_json::Value) -> String {
    let text = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let span = doc_text::code(&text);
    span[1..span.len() - 1].to_owned()
}
