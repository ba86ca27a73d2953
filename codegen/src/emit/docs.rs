//! Doc comments: one `#[doc = " line"]` per line so they print as `///`. Text from the
//! schema goes through [`doc_text`] first; the markdown built here around it (tables,
//! code spans, links to generated items) is the generator's own.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_text::{self, code, pipes};
use crate::ir::{Endpoint, ErrorCode};
use crate::model::{Host, Method, TokenKind};

/// `#[doc]` attributes for `lines`. Each line goes through [`doc_text::scrub_line`]: a
/// no-op on escaped schema text and on the generator's markdown, it keeps a line built
/// around raw schema text a single line that compiles and opens no code block (so no
/// doctest). Lines here never start a code block; an example would need its own path.
pub fn doc(lines: &[String]) -> TokenStream {
    lines
        .iter()
        .map(|line| {
            let text = if line.is_empty() {
                String::new()
            } else {
                format!(" {}", doc_text::scrub_line(line))
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
    let mut d = doc_text::escape(&ep.summary);
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
    d.push(format!(
        "Codes arrive as [`{}`] in [`Error::Api`](feishu_runtime::Error::Api):",
        ep.error_ident
    ));
    d.push(String::new());
    d.extend(error_table(&ep.errors, common));
    d.push(String::new());
    d.push(format!(
        "Source: {} (schema {})",
        doc_text::url(&ep.doc_url),
        code(&ep.source)
    ));
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
