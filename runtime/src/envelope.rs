//! Decoding the `{code, msg, data}` envelope once, and the typed payload from it.

use serde_json::{Map, Value};

use crate::error::{ApiError, DecodeCause, DecodeError, Error, ErrorDetail};
use crate::json::{FromJson, JsonError};
use crate::sanitize::body_prefix;
use crate::spec::{EndpointSpec, Envelope};

/// The platform-wide code of a rate-limited call (HTTP 429, or 400 on older APIs).
const RATE_LIMITED: i64 = 99991400;

/// A successful response (`code == 0`), payload parsed but not yet typed.
pub struct RawResponse {
    spec: &'static EndpointSpec,
    status: u16,
    log_id: Option<String>,
    body: bytes::Bytes,
    payload: Value,
}

impl std::fmt::Debug for RawResponse {
    // A token endpoint's body is a token: only the size is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RawResponse")
            .field("endpoint", &self.spec.id)
            .field("status", &self.status)
            .field("log_id", &self.log_id)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// The envelope of a response: success, or the platform's error.
pub(crate) enum Parsed {
    Ok(RawResponse),
    Api(Box<ApiError<i64>>),
}

/// What the envelope is parsed from: one complete response.
pub(crate) struct Received {
    pub status: u16,
    pub log_id: Option<String>,
    pub body: bytes::Bytes,
}

pub(crate) fn parse(
    spec: &'static EndpointSpec,
    received: Received,
) -> Result<Parsed, Box<DecodeError>> {
    let fail = |cause: DecodeCause, received: Received| {
        decode_error(
            spec,
            &received.body,
            received.status,
            received.log_id,
            cause,
        )
    };
    let mut map = match serde_json::from_slice::<Value>(&received.body) {
        Ok(Value::Object(map)) => map,
        Ok(other) => {
            let shape = JsonError::expected("an object", &other);
            return Err(fail(DecodeCause::Shape(shape), received));
        }
        Err(e) => return Err(fail(DecodeCause::Syntax(e), received)),
    };
    let code = match code(&map) {
        Ok(code) => code,
        Err(shape) => return Err(fail(DecodeCause::Shape(shape), received)),
    };
    if code == 0 {
        let payload = match spec.envelope {
            // Absent or `null` data reads as `{}`: endpoints that return nothing omit it.
            Envelope::Data => match map.remove("data") {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(data) => data,
            },
            Envelope::Flat | Envelope::Binary => Value::Object(map),
        };
        return Ok(Parsed::Ok(RawResponse {
            spec,
            status: received.status,
            log_id: received.log_id,
            body: received.body,
            payload,
        }));
    }
    let msg = match map.remove("msg") {
        Some(Value::String(s)) => s,
        _ => String::new(),
    };
    // The details are a courtesy: a malformed `error` object must not hide the code.
    let detail: ErrorDetail = map
        .remove("error")
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default();
    let log_id = received.log_id.or_else(|| {
        detail
            .log_id
            .as_deref()
            .map(crate::classify::bounded_log_id)
    });
    Ok(Parsed::Api(Box::new(ApiError {
        code,
        raw_code: code,
        msg,
        http_status: received.status,
        log_id,
        detail,
        endpoint: spec.id,
        rate_limited: received.status == 429
            || code == RATE_LIMITED
            || spec.rate_limit_codes.contains(&code),
    })))
}

fn code(map: &Map<String, Value>) -> Result<i64, JsonError> {
    match map.get("code") {
        None => Err(JsonError::missing("code")),
        Some(v) => v
            .as_i64()
            .ok_or_else(|| JsonError::expected("an integer", v).at("code")),
    }
}

impl RawResponse {
    /// The log id of the response.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// The log id and HTTP status.
    pub fn meta(&self) -> crate::call::ResponseMeta {
        crate::call::ResponseMeta {
            log_id: self.log_id.clone(),
            http_status: self.status,
        }
    }

    /// The decode error of a JSON success where a file belongs.
    pub(crate) fn not_a_file(self) -> Box<DecodeError> {
        let shape = JsonError::expected("a file", &Value::Object(Map::new()));
        decode_error(
            self.spec,
            &self.body,
            self.status,
            self.log_id,
            DecodeCause::Shape(shape),
        )
    }

    /// Types the payload: `data`, or the whole body for flat envelopes.
    pub fn decode<T: FromJson, C>(self) -> Result<T, Error<C>> {
        T::from_json(self.payload).map_err(|shape| {
            let shape = match self.spec.envelope {
                Envelope::Data => shape.at("data"),
                Envelope::Flat | Envelope::Binary => shape,
            };
            Error::Decode(decode_error(
                self.spec,
                &self.body,
                self.status,
                self.log_id,
                DecodeCause::Shape(shape),
            ))
        })
    }
}

fn decode_error(
    spec: &'static EndpointSpec,
    body: &[u8],
    status: u16,
    log_id: Option<String>,
    cause: DecodeCause,
) -> Box<DecodeError> {
    Box::new(DecodeError {
        endpoint: spec.id,
        http_status: status,
        log_id,
        raw_body: kept_body(spec, body),
        body_len: body.len(),
        cause,
    })
}

/// What an error keeps of a body: a bounded prefix, and nothing at all from the token
/// endpoints (the endpoints that take no token), whose bodies are credentials.
pub(crate) fn kept_body(spec: &EndpointSpec, body: &[u8]) -> String {
    if spec.tokens.is_empty() {
        String::new()
    } else {
        body_prefix(body)
    }
}
