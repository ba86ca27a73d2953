//! Discovery (events.md §2 "Discovery"): the app's credentials buy a one-time
//! WebSocket URL and the server's `ClientConfig`. It is repeated before every
//! connection attempt, because the URL carries a ticket that is not reusable.

use std::time::Duration;

use serde_json::{Value, json};

use super::WsError;
use crate::secret::Secret;

/// The path under the open-platform base; it has no `/open-apis` prefix.
pub(crate) const DISCOVERY_PATH: &str = "/callback/ws/endpoint";

/// Codes the platform documents as temporary: 1 "system busy", 1000040343 "internal
/// error". Any other non-zero code is a client error that retrying does not fix.
const RETRYABLE_CODES: [i64; 2] = [1, 1_000_040_343];

/// Where to connect, as discovery answered.
pub(crate) struct Endpoint {
    /// The `wss://` URL with its credentials; only the connector reads it.
    pub url: Secret,
    /// `service_id` from the URL's query: pings must name it.
    pub service_id: i32,
    /// `device_id` from the URL's query: the connection's id, safe to log.
    pub conn_id: String,
    /// `ClientConfig`, when sent.
    pub config: Option<Value>,
}

/// A discovery that did not produce an endpoint.
pub(crate) enum Failure {
    /// Worth another attempt after the reconnect interval.
    Retry(String),
    /// Retrying will not help.
    Fatal(WsError),
}

/// Asks `open_base` for a connection URL.
pub(crate) async fn discover(
    http: &reqwest::Client,
    open_base: &str,
    app_id: &str,
    app_secret: &Secret,
    timeout: Duration,
) -> Result<Endpoint, Failure> {
    let response = http
        .post(format!("{open_base}{DISCOVERY_PATH}"))
        .header("locale", "zh")
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(json!({"AppID": app_id, "AppSecret": app_secret.expose()}).to_string())
        .timeout(timeout)
        .send()
        .await
        .map_err(|e| Failure::Retry(format!("discovery request failed: {}", e.without_url())))?;
    let status = response.status();
    if status != reqwest::StatusCode::OK {
        return Err(Failure::Retry(format!("discovery answered HTTP {status}")));
    }
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Failure::Retry(format!("discovery body unreadable: {}", e.without_url())))?;
    let body: Value = serde_json::from_slice(&bytes)
        .map_err(|e| Failure::Retry(format!("discovery body is not JSON: {e}")))?;
    read_answer(&body)
}

/// Reads the discovery answer `{code, msg, data: {URL, ClientConfig}}`.
fn read_answer(body: &Value) -> Result<Endpoint, Failure> {
    let code = body.get("code").and_then(Value::as_i64);
    let msg = body
        .get("msg")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    match code {
        Some(0) => {}
        Some(code) if RETRYABLE_CODES.contains(&code) => {
            return Err(Failure::Retry(format!(
                "discovery answered code {code}: {msg}"
            )));
        }
        Some(code) => return Err(Failure::Fatal(WsError::Discovery { code, msg })),
        None => return Err(Failure::Retry("discovery answer has no code".into())),
    }
    let data = body.get("data");
    let url = data
        .and_then(|d| d.get("URL"))
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| Failure::Retry("discovery answer has no URL".into()))?;
    let query = query_pairs(url);
    let param = |name: &str| {
        query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let service_id = param("service_id")
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Failure::Retry("discovery URL has no integer service_id".into()))?;
    Ok(Endpoint {
        url: Secret::new(url),
        service_id,
        conn_id: param("device_id").unwrap_or_default(),
        config: data.and_then(|d| d.get("ClientConfig")).cloned(),
    })
}

/// The decoded `key=value` pairs of a URL's query.
fn query_pairs(url: &str) -> Vec<(String, String)> {
    let Some((_, query)) = url.split_once('?') else {
        return Vec::new();
    };
    let query = query.split('#').next().unwrap_or_default();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(&s.replace('+', " "))
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (decode(k), decode(v)),
            None => (decode(p), String::new()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(code: i64) -> Value {
        json!({"code": code, "msg": "m", "data": {
            "URL": "wss://h/ws/v2?fpid=1&device_id=d%201&access_key=k&service_id=33&ticket=t",
            "ClientConfig": {"PingInterval": 90}
        }})
    }

    #[test]
    fn a_good_answer_gives_the_service_and_connection_ids() {
        let Ok(e) = read_answer(&answer(0)) else {
            panic!("not an endpoint")
        };
        assert_eq!(e.service_id, 33);
        assert_eq!(e.conn_id, "d 1");
        assert_eq!(e.config, Some(json!({"PingInterval": 90})));
    }

    #[test]
    fn busy_codes_are_retried_and_others_are_fatal() {
        assert!(matches!(read_answer(&answer(1)), Err(Failure::Retry(_))));
        assert!(matches!(
            read_answer(&answer(1_000_040_343)),
            Err(Failure::Retry(_))
        ));
        assert!(matches!(
            read_answer(&answer(10003)),
            Err(Failure::Fatal(WsError::Discovery { code: 10003, .. }))
        ));
    }

    #[test]
    fn a_url_without_a_service_id_is_retried() {
        let body = json!({"code": 0, "data": {"URL": "wss://h/ws/v2?device_id=d"}});
        assert!(matches!(read_answer(&body), Err(Failure::Retry(_))));
    }
}
