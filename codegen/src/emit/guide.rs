//! The crate-level guide on the generated crate's front page: set-up, a call, errors,
//! pagination, retries, tokens, events and testing with the fake, each with an
//! example compiled as a doctest. The examples use the crate's own endpoints (the
//! first one an example can be written for, the first list endpoint), so the guide
//! fits whatever schema the crate comes from.

use super::example::usage_code;
use crate::ir::{Api, Endpoint, Module};
use crate::symbols::ModPath;

/// The guide's doc lines.
pub fn guide(api: &Api, krate: &str) -> Vec<String> {
    let mut d: Vec<String> = Vec::new();
    let mut text = |lines: &[&str]| d.extend(lines.iter().map(|l| (*l).to_owned()));
    text(&[
        "A typed client for the Feishu (Lark) Open Platform, generated from `schema/`.",
        "",
        "Each service is a module and a cargo feature; each endpoint a request builder",
        "reached from the [`Client`] (`client.service().version().resource().method(..)`),",
        "with the endpoint's page, tokens, rate tier and error codes in its docs.",
        "",
        "# Set-up",
        "",
        "A self-built app gives its credentials; the client fetches the",
        "`tenant_access_token`, caches it, refreshes it before it expires and once more",
        "when the platform rejects it. A marketplace app uses `marketplace_app` and feeds",
        "it the `app_ticket` event (see Events). Clients are cheap to clone and share",
        "their connections and tokens.",
        "",
        "```no_run",
        "# fn main() -> Result<(), Box<dyn std::error::Error>> {",
    ]);
    d.push(format!("let client = {krate}::Client::builder()"));
    d.extend(
        [
            "    .app_credentials(\"cli_a1b2c3d4e5f6\", \"app secret\")",
            "    .build()?;",
            "# let _ = client;",
            "# Ok(()) }",
            "```",
            "",
        ]
        .map(str::to_owned),
    );
    if let Some(code) = first(api, |_| true, krate) {
        d.extend(
            [
                "# A call",
                "",
                "Required parameters are the method's arguments (more than three, or two",
                "of one type side by side, come as a `…Required` struct with named fields);",
                "optional ones are setters; `send()` returns a future of the response.",
                "",
                "```no_run",
            ]
            .map(str::to_owned),
        );
        d.extend(code);
        d.push("```".to_owned());
        d.push(String::new());
    }
    d.extend(
        [
            "# Errors",
            "",
            "A call fails with [`Error<E>`](Error), `E` the endpoint's code enum (its",
            "documented codes and the common ones; a code no schema lists yet arrives as",
            "`Unknown`). An endpoint that documents no codes of its own answers with",
            "[`GeneralError`], the common ones. Every error answers `log_id()`, `raw_code()`,",
            "`http_status()`, `is_rate_limited()` and `is_token_invalid()`:",
            "",
            "```no_run",
        ]
        .map(str::to_owned),
    );
    d.push(format!(
        "fn report<E: std::fmt::Debug>(e: &{krate}::Error<E>) {{"
    ));
    d.extend(
        [
            "    if e.is_rate_limited() {",
            "        eprintln!(\"rate limited: back off\");",
            "    } else {",
            "        eprintln!(\"failed (code {:?}, log id {:?}): {e}\", e.raw_code(), e.log_id());",
            "    }",
            "}",
            "```",
            "",
        ]
        .map(str::to_owned),
    );
    if let Some(code) = first(api, |e| e.pagination.is_some(), krate) {
        d.extend(
            [
                "# Pagination",
                "",
                "List endpoints have `stream()`: every item of every page, fetched as it is",
                "read (`next`, `try_next`, `try_collect`; no pinning, no other crate). A",
                "server that never ends (a repeated token, endless empty pages) cannot keep",
                "it going.",
                "",
                "```no_run",
            ]
            .map(str::to_owned),
        );
        // The usage example with `stream()` in place of `send()`.
        for line in code {
            match line.as_str() {
                "    .send()" => d.push("    .stream();".to_owned()),
                "    .await?;" => {}
                "# let _ = response;" => {
                    d.push("let mut items = response;".to_owned());
                    d.push("while let Some(item) = items.try_next().await? {".to_owned());
                    d.push("    let _ = item;".to_owned());
                    d.push("}".to_owned());
                }
                _ => d.push(line),
            }
        }
        d.push("```".to_owned());
        d.push(String::new());
    }
    d.extend(
        [
            "# Retries and limits",
            "",
            "Rate-limited calls wait for the reset the platform announces and are sent",
            "again; 5xx answers and timeouts are retried for idempotent endpoints only;",
            "every call has a deadline (2 minutes by default), every response a size limit",
            "(16 MiB). `Client::builder()` sets them (`retry`, `deadline`, `timeout`,",
            "`max_response_bytes`), per call `.options(RequestOptions::new()..)`.",
            "",
            "# Events",
            "",
            "Events and callbacks are typed too (their payloads implement",
            "[`events::Event`]): register handlers on an [`events::Dispatcher`] and serve it",
            "over HTTP (features `events-http`, `axum`) or the long connection",
            "(`events-ws`). Given the client, the dispatcher feeds `app_ticket` events to a",
            "marketplace app's token flow.",
            "",
            "# Testing without an account",
            "",
            "The `testing` feature adds a fake Feishu that knows every endpoint of this",
            "crate (`testing::fake()`): it checks each request against the schema, issues",
            "tokens, answers the schema's examples or what a test scripts, and records",
            "requests.",
        ]
        .map(str::to_owned),
    );
    d
}

/// The usage code of the first endpoint (in module and name order, auth last: its
/// calls are the client's business) that `pick` accepts and an example can be
/// written for.
fn first(api: &Api, pick: impl Fn(&Endpoint) -> bool, krate: &str) -> Option<Vec<String>> {
    let is_auth =
        |m: &Module| matches!(&m.path, ModPath::Service { service, .. } if service == "auth");
    let ordered = api
        .modules
        .iter()
        .filter(|m| !is_auth(m))
        .chain(api.modules.iter().filter(|m| is_auth(m)));
    ordered
        .flat_map(|m| m.endpoints.iter().map(move |e| (m, e)))
        .filter(|(_, e)| pick(e))
        .find_map(|(m, e)| usage_code(e, &m.path, api, krate))
}
