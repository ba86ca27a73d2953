//! The answers the fake sends, built the way the platform builds them: the envelope
//! around a payload, an error code with its HTTP status, a rate limit with its headers.

use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::check::Problem;
use super::table::{Code, Route};
use crate::spec::Envelope;

/// The platform's code for a request whose fields do not fit (HTTP 400).
pub(crate) const FIELD_VALIDATION_FAILED: i64 = 99992402;
/// The platform's rate-limit code.
pub(crate) const RATE_LIMITED: i64 = 99991400;

/// An HTTP answer, before it is written.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Bytes,
    /// The envelope's `code`, for the record.
    pub code: Option<i64>,
}

const JSON: &str = "application/json; charset=utf-8";

impl Reply {
    fn json(status: u16, body: &Value) -> Reply {
        Reply {
            status,
            content_type: JSON,
            headers: Vec::new(),
            body: Bytes::from(body.to_string()),
            code: body.get("code").and_then(Value::as_i64),
        }
    }

    /// A success carrying `data` as the route's envelope places it.
    pub fn success(route: &Route, data: Value) -> Reply {
        match route.spec.envelope {
            Envelope::Data => Reply::json(200, &json!({"code": 0, "msg": "success", "data": data})),
            Envelope::Flat => {
                let mut top = Map::new();
                top.insert("code".into(), 0.into());
                top.insert("msg".into(), "success".into());
                if let Value::Object(fields) = data {
                    // The platform's own `code` and `msg` win over a payload's.
                    for (k, v) in fields {
                        top.entry(k).or_insert(v);
                    }
                }
                Reply::json(200, &Value::Object(top))
            }
            Envelope::Binary => Reply::bytes(Bytes::from(data.to_string())),
        }
    }

    /// A download's bytes.
    pub fn bytes(body: Bytes) -> Reply {
        Reply {
            status: 200,
            content_type: "application/octet-stream",
            headers: vec![(
                "content-disposition",
                "attachment; filename=\"fake.bin\"".into(),
            )],
            body,
            code: None,
        }
    }

    /// The error `code` with its HTTP status and message, `detail` after the message.
    pub fn error(code: &Code, detail: Option<&str>) -> Reply {
        let msg = match detail {
            Some(detail) => format!("{}: {detail}", code.message),
            None => code.message.to_owned(),
        };
        Reply::json(code.http, &json!({"code": code.code, "msg": msg}))
    }

    /// The platform's field-validation failure, each problem in `msg` and as a field
    /// violation (which the client exposes as `ApiError::field_violations`).
    pub fn invalid(problems: &[Problem]) -> Reply {
        let msg = problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        let violations: Vec<Value> = problems
            .iter()
            .map(|p| json!({"field": p.field, "description": p.description}))
            .collect();
        Reply::json(
            400,
            &json!({
                "code": FIELD_VALIDATION_FAILED,
                "msg": msg,
                "error": {"field_violations": violations},
            }),
        )
    }

    /// The rate limiter's answer.
    pub fn rate_limited(code: &Code, reset_secs: u64) -> Reply {
        let mut reply = Reply::error(code, None);
        reply.status = 429;
        reply
            .headers
            .push(("x-ogw-ratelimit-reset", reset_secs.to_string()));
        reply
    }

    /// No such endpoint: HTTP 404 with the envelope, `msg` saying what is near.
    pub fn not_found(msg: String) -> Reply {
        Reply::json(404, &json!({"code": 404, "msg": msg}))
    }

    /// A body larger than the fake reads.
    pub fn too_large(limit: usize) -> Reply {
        Reply::json(
            413,
            &json!({"code": 413, "msg": format!("request body over {limit} bytes")}),
        )
    }

    /// A failing gateway's answer: a status and no envelope.
    pub fn fault(status: u16) -> Reply {
        let status = if (200..=599).contains(&status) {
            status
        } else {
            500
        };
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            headers: Vec::new(),
            body: Bytes::from(format!("fake fault: HTTP {status}")),
            code: None,
        }
    }
}
