//! How the fake answers one request, without I/O: find the endpoint, check the token,
//! check the request against the schema, then use the next scripted answer or the
//! default one (a token, or the schema's example). Every request is recorded.

use std::time::Duration;

use bytes::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use super::check::{self, Problems};
use super::form;
use super::record::{RecordedBody, RecordedRequest};
use super::reply::{RATE_LIMITED, Reply};
use super::routing;
use super::script::{Fault, Step};
use super::state::{Inner, State};
use super::table::{Body, Route};
use super::tokens;
use crate::spec::TokenKind;

/// A request as read from the connection.
#[derive(Debug)]
pub(crate) struct Incoming {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
}

impl Incoming {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to do with the connection.
#[derive(Debug)]
pub(crate) enum Outcome {
    Reply(Reply),
    /// Close it without answering.
    Drop,
}

/// The answer, and how long to wait before giving it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub delay: Option<Duration>,
    pub outcome: Outcome,
}

/// Answers `request` and records it.
pub(crate) fn answer(state: &State, request: Incoming) -> Answer {
    let mut inner = state.lock();
    let query = decode_query(request.query.as_deref());
    let mut record = RecordedRequest {
        method: request.method.clone(),
        path: request.path.clone(),
        query: query.clone(),
        headers: request.headers.clone(),
        body: RecordedBody::Empty,
        endpoint: None,
        token: None,
        tenant_key: None,
        status: None,
        code: None,
    };
    let mut answer = decide(state, &mut inner, &request, &query, &mut record);
    inner.answered += 1;
    let log_id = format!("fake{:016}", inner.answered);
    if let Outcome::Reply(reply) = &mut answer.outcome {
        reply.headers.push(("x-tt-logid", log_id));
        record.status = Some(reply.status);
        record.code = reply.code;
    }
    inner.record(record);
    answer
}

fn decide(
    state: &State,
    inner: &mut Inner,
    request: &Incoming,
    query: &[(String, String)],
    record: &mut RecordedRequest,
) -> Answer {
    let reply = |reply| Answer {
        delay: None,
        outcome: Outcome::Reply(reply),
    };
    let route = match routing::find(&state.routes, &request.method, &request.path) {
        Ok(route) => route,
        Err(message) => {
            record.body = guess_body(&request.body);
            return reply(Reply::not_found(message));
        }
    };
    record.endpoint = Some(route.spec.id);

    let mut problems = Problems::default();
    check::query(route.spec.id, route.query, query, &mut problems);
    let content_type = request.header("content-type").unwrap_or("");
    record.body = read_body(route, content_type, &request.body, &mut problems);

    if let Err(refusal) = check_token(state, inner, route, request.header("authorization"), record)
    {
        return reply(refusal);
    }
    if !problems.0.is_empty() {
        return reply(Reply::invalid(&problems.0));
    }

    let mut delay = None;
    let step = inner
        .scripts
        .get_mut(route.spec.id)
        .and_then(|q| q.pop_front());
    let scripted = match step {
        None => None,
        Some(Step::Respond(data)) => Some(Reply::success(route, data)),
        Some(Step::Bytes(bytes)) => Some(Reply::bytes(bytes)),
        Some(Step::Error(code)) => Some(Reply::error(&state.code(Some(route), code), None)),
        Some(Step::RateLimited(secs)) => Some(Reply::rate_limited(
            &state.code(Some(route), RATE_LIMITED),
            secs,
        )),
        Some(Step::Fault(Fault::Status(status))) => Some(Reply::fault(status)),
        Some(Step::Fault(Fault::Drop)) => {
            return Answer {
                delay: None,
                outcome: Outcome::Drop,
            };
        }
        Some(Step::Fault(Fault::Delay(d))) => {
            delay = Some(d);
            None
        }
    };
    let reply = scripted.unwrap_or_else(|| default_reply(state, inner, route, record));
    Answer {
        delay,
        outcome: Outcome::Reply(reply),
    }
}

/// The answer when nothing is scripted: a token from the auth endpoints, the schema's
/// example from the others.
fn default_reply(
    state: &State,
    inner: &mut Inner,
    route: &Route,
    record: &RecordedRequest,
) -> Reply {
    let body = record.json().cloned().unwrap_or(Value::Null);
    let app = (state.app_id.as_str(), state.app_secret.as_str());
    match tokens::answer(route.spec.id, &body, app, &mut inner.tokens) {
        Some(Ok(payload)) => Reply::success(route, payload),
        Some(Err((code, detail))) => Reply::error(&state.code(Some(route), code), Some(&detail)),
        None => {
            // The table's examples are JSON the generator wrote; an unreadable one is
            // answered as the empty object rather than failing the fake.
            let example =
                serde_json::from_str(route.example).unwrap_or(Value::Object(Default::default()));
            Reply::success(route, example)
        }
    }
}

/// Checks that the request carries an issued token of a kind the endpoint takes, and
/// records which; the refusal is the platform's token error.
fn check_token(
    state: &State,
    inner: &Inner,
    route: &Route,
    authorization: Option<&str>,
    record: &mut RecordedRequest,
) -> Result<(), Reply> {
    let kinds = route.spec.tokens;
    if kinds.is_empty() {
        return Ok(());
    }
    let refuse = |code: i64, detail: String| {
        Err(Reply::error(&state.code(Some(route), code), Some(&detail)))
    };
    let Some(token) = authorization.and_then(|v| v.strip_prefix("Bearer ")) else {
        return refuse(99991661, "send `Authorization: Bearer <token>`".to_owned());
    };
    // The code a platform gives for a token it does not accept names the kind the
    // endpoint wanted first.
    let invalid = match kinds[0] {
        TokenKind::Tenant => 99991663,
        TokenKind::App => 99991664,
        TokenKind::User => 99991668,
    };
    let Some(issued) = inner.tokens.lookup(token.trim()) else {
        return refuse(
            invalid,
            "not a token this fake issued (or it was revoked)".to_owned(),
        );
    };
    record.token = Some(issued.kind);
    record.tenant_key.clone_from(&issued.tenant_key);
    if !kinds.contains(&issued.kind) {
        return refuse(
            invalid,
            format!(
                "{} given; {} takes {}",
                kind_name(issued.kind),
                route.spec.id,
                kind_names(kinds)
            ),
        );
    }
    Ok(())
}

fn kind_name(kind: TokenKind) -> &'static str {
    match kind {
        TokenKind::Tenant => "tenant_access_token",
        TokenKind::App => "app_access_token",
        TokenKind::User => "user_access_token",
    }
}

fn kind_names(kinds: &[TokenKind]) -> String {
    kinds
        .iter()
        .map(|k| kind_name(*k))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// Reads the body as the route describes it, noting what does not fit.
fn read_body(route: &Route, content_type: &str, body: &[u8], out: &mut Problems) -> RecordedBody {
    let json_type = content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    match &route.body {
        Body::None if body.is_empty() => RecordedBody::Empty,
        Body::None => {
            out.push(
                "body",
                format!(
                    "{} takes no body, found {} bytes",
                    route.spec.id,
                    body.len()
                ),
            );
            guess_body(body)
        }
        Body::Json(_) | Body::Whole(_) if !body.is_empty() && !json_type => {
            out.push(
                "header.content-type",
                format!(
                    "expected application/json, found {}",
                    check::quote(content_type)
                ),
            );
            guess_body(body)
        }
        Body::Json(fields) => {
            // No body at all is an empty object: nothing optional was set.
            let value = if body.is_empty() {
                Value::Object(Default::default())
            } else {
                match parse_json(body, out) {
                    Some(v) => v,
                    None => return RecordedBody::Other(body.len()),
                }
            };
            check::object("body", fields, &value, out);
            RecordedBody::Json(value)
        }
        Body::Whole(shape) => {
            if body.is_empty() {
                out.push("body", "required");
                return RecordedBody::Empty;
            }
            let Some(value) = parse_json(body, out) else {
                return RecordedBody::Other(body.len());
            };
            check::check("body", shape, &value, out);
            RecordedBody::Json(value)
        }
        Body::Multipart(fields) => read_form(fields, content_type, body, out),
    }
}

fn parse_json(body: &[u8], out: &mut Problems) -> Option<Value> {
    match serde_json::from_slice(body) {
        Ok(v) => Some(v),
        Err(e) => {
            out.push("body", format!("not JSON: {e}"));
            None
        }
    }
}

fn read_form(
    fields: &[super::table::Field],
    content_type: &str,
    body: &[u8],
    out: &mut Problems,
) -> RecordedBody {
    let Some(boundary) = form::boundary(content_type) else {
        out.push(
            "header.content-type",
            format!(
                "expected multipart/form-data with a boundary, found {}",
                check::quote(content_type)
            ),
        );
        return RecordedBody::Other(body.len());
    };
    let parts = match form::parts(body, boundary) {
        Ok(parts) => parts,
        Err(why) => {
            out.push("body", format!("not a multipart/form-data body: {why}"));
            return RecordedBody::Other(body.len());
        }
    };
    for part in &parts {
        let at = format!("form.{}", part.name);
        let Some(field) = fields.iter().find(|f| f.name == part.name) else {
            out.push(at, "not a part of this form");
            continue;
        };
        match (field.shape, &part.filename) {
            (super::table::Shape::File, None) => {
                out.push(at, "expected a file part (with a filename)")
            }
            (super::table::Shape::File, Some(_)) => {}
            (shape, _) => {
                let text = String::from_utf8_lossy(&part.content);
                if let Some(expected) = check::text_mismatch(shape, &text) {
                    out.push(
                        at,
                        format!("expected {expected}, found {}", check::quote(&text)),
                    );
                }
            }
        }
    }
    for field in fields.iter().filter(|f| f.required) {
        if !parts.iter().any(|p| p.name == field.name) {
            out.push(format!("form.{}", field.name), "required");
        }
    }
    RecordedBody::Form(parts.into_iter().map(|p| p.name).collect())
}

/// The body of a request no route describes, recorded as well as it can be.
fn guess_body(body: &[u8]) -> RecordedBody {
    if body.is_empty() {
        return RecordedBody::Empty;
    }
    serde_json::from_slice(body).map_or(RecordedBody::Other(body.len()), RecordedBody::Json)
}

/// Query pairs, percent-decoded (`+` as a space, as forms send it).
fn decode_query(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}
