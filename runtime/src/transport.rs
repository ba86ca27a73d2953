//! One attempt on the wire: build the HTTP request, send it, read the whole body.
//! Non-generic, so every endpoint shares this code.

use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};

use crate::request::Request;
use crate::secret::Secret;

/// What came back from one attempt.
pub(crate) struct Received {
    pub status: u16,
    pub log_id: Option<String>,
    /// `x-ogw-ratelimit-reset`: seconds until the rate-limit window resets.
    pub reset: Option<Duration>,
    pub body: bytes::Bytes,
}

/// Why an attempt got no complete response.
pub(crate) enum Failure {
    /// The connection was never made: nothing was sent, always safe to retry.
    Connect(reqwest::Error),
    /// No response in time: the request may have been processed.
    Timeout,
    /// Any other failure (connection reset mid-response, ...): may have been processed.
    Other(reqwest::Error),
}

pub(crate) struct Wire<'a> {
    pub http: &'a reqwest::Client,
    pub url: &'a str,
    pub timeout: Duration,
    pub user_agent: &'a HeaderValue,
}

const JSON_UTF8: HeaderValue = HeaderValue::from_static("application/json; charset=utf-8");

pub(crate) async fn send_once(
    wire: &Wire<'_>,
    req: &Request,
    token: Option<&Secret>,
) -> Result<Received, Failure> {
    let mut builder = wire
        .http
        .request(req.spec.method.to_reqwest(), wire.url)
        .timeout(wire.timeout)
        .header(CONTENT_TYPE, JSON_UTF8)
        .header(USER_AGENT, wire.user_agent.clone());
    if let Some(token) = token {
        let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose()))
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
        value.set_sensitive(true);
        builder = builder.header(AUTHORIZATION, value);
    }
    if let Some(id) = &req.options.request_id
        && let Ok(v) = HeaderValue::from_str(id)
    {
        builder = builder.header("x-request-id", v);
    }
    for (name, value) in &req.options.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &req.body {
        builder = builder.body(body.clone());
    }
    let response = builder.send().await.map_err(classify)?;
    let status = response.status().as_u16();
    let log_id = log_id(response.headers());
    let reset = response
        .headers()
        .get("x-ogw-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let body = response.bytes().await.map_err(classify)?;
    Ok(Received {
        status,
        log_id,
        reset,
        body,
    })
}

fn classify(e: reqwest::Error) -> Failure {
    if e.is_timeout() {
        Failure::Timeout
    } else if e.is_connect() {
        Failure::Connect(e)
    } else {
        Failure::Other(e)
    }
}

fn log_id(headers: &HeaderMap) -> Option<String> {
    ["x-tt-logid", "x-request-id"]
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}
