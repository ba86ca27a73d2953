//! What one attempt's outcome means, decided without side effects: the response (or the
//! failure) becomes the call's result and a [`Class`] the retry policy acts on.

use std::time::Duration;

use reqwest::header::{HeaderMap, LOCATION};

use crate::envelope::{self, Parsed, RawResponse, Received};
use crate::error::{Error, StatusError, TooLargeError};
use crate::spec::EndpointSpec;
use crate::transport::{HttpResponse, TransportFailure};

/// Codes meaning the tenant or app token was rejected: drop it, fetch anew, retry once.
pub(crate) const TOKEN_INVALID: [i64; 4] = [99991661, 99991663, 99991664, 99991671];

/// What kind of outcome an attempt had, as far as trying again is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Final: success, or a failure that would come back the same.
    Done,
    /// Rate limited; the server's reset time, when it sent one.
    RateLimited(Option<Duration>),
    /// The access token was rejected.
    TokenRejected,
    /// Nothing reached the server.
    NotSent,
    /// The server may have acted on it (5xx, timeout, a connection cut mid-response).
    MaybeProcessed,
}

/// One attempt, classified: the class, and the call's result should it end here.
#[derive(Debug)]
pub(crate) struct Classified<T = RawResponse> {
    pub class: Class,
    pub result: Result<T, Error>,
}

/// Classifies attempt number `attempt` (1-based) of a call to `spec`.
pub(crate) fn classify(
    spec: &'static EndpointSpec,
    outcome: Result<HttpResponse, TransportFailure>,
    max_body: usize,
    attempt: u32,
) -> Classified {
    let endpoint = spec.id;
    let done = |class, result| Classified { class, result };
    let response = match outcome {
        Ok(response) => response,
        Err(TransportFailure::NotSent(source)) => {
            return done(Class::NotSent, Err(Error::Transport { endpoint, source }));
        }
        Err(TransportFailure::TimedOut) => {
            let timeout = Error::Timeout {
                endpoint,
                attempts: attempt,
            };
            return done(Class::MaybeProcessed, Err(timeout));
        }
        Err(TransportFailure::Interrupted(source)) => {
            return done(
                Class::MaybeProcessed,
                Err(Error::Transport { endpoint, source }),
            );
        }
        Err(TransportFailure::TooLarge { status, headers }) => {
            return done(
                Class::Done,
                Err(too_large(spec, status, &headers, max_body)),
            );
        }
    };
    let status = response.status;
    // A transport that ignored the limit still does not get a larger body through.
    if response.body.len() > max_body {
        return done(
            Class::Done,
            Err(too_large(spec, status, &response.headers, max_body)),
        );
    }
    let log_id = log_id(&response.headers);
    if (300..400).contains(&status) {
        let location = response
            .headers
            .get(LOCATION)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        return done(
            Class::Done,
            Err(status_error(spec, &response, log_id, location)),
        );
    }
    let reset = reset(&response.headers);
    let received = Received {
        status,
        log_id: log_id.clone(),
        body: response.body.clone(),
    };
    let parsed = envelope::parse(spec, received);
    let api = match &parsed {
        Ok(Parsed::Api(e)) => Some(e),
        _ => None,
    };
    let success = (200..300).contains(&status);
    // The envelope already decided whether a code means "rate limited" (it knows the
    // endpoint's own rate-limit codes); the status alone says so too.
    let class = match api {
        _ if status == 429 => Class::RateLimited(reset),
        Some(e) if e.rate_limited => Class::RateLimited(reset),
        Some(e) if TOKEN_INVALID.contains(&e.raw_code) => Class::TokenRejected,
        _ if status >= 500 => Class::MaybeProcessed,
        _ => Class::Done,
    };
    // The HTTP status wins over a body that claims success or does not decode: only a
    // platform error code tells more than the status.
    let result = match parsed {
        Ok(Parsed::Api(e)) => Err(Error::Api(e)),
        _ if !success => Err(status_error(spec, &response, log_id, None)),
        Ok(Parsed::Ok(raw)) => Ok(raw),
        Err(e) => Err(Error::Decode(e)),
    };
    done(class, result)
}

fn status_error(
    spec: &'static EndpointSpec,
    response: &HttpResponse,
    log_id: Option<String>,
    location: Option<String>,
) -> Error {
    Error::Status(Box::new(StatusError {
        endpoint: spec.id,
        http_status: response.status,
        location,
        log_id,
        body: envelope::kept_body(spec, &response.body),
    }))
}

fn too_large(spec: &EndpointSpec, status: u16, headers: &HeaderMap, limit: usize) -> Error {
    Error::TooLarge(Box::new(TooLargeError {
        endpoint: spec.id,
        http_status: status,
        log_id: log_id(headers),
        limit,
    }))
}

/// The log id Feishu support asks for: `X-Tt-Logid`, else `X-Request-Id`.
pub(crate) fn log_id(headers: &HeaderMap) -> Option<String> {
    ["x-tt-logid", "x-request-id"]
        .iter()
        .find_map(|h| headers.get(*h))
        .and_then(|v| v.to_str().ok())
        .map(bounded_log_id)
}

/// A log id as kept: at most 128 characters, as it is server-controlled (a real one is
/// about 40).
pub(crate) fn bounded_log_id(id: &str) -> String {
    const MAX_LOG_ID: usize = 128;
    id.chars().take(MAX_LOG_ID).collect()
}

/// `x-ogw-ratelimit-reset`: seconds until the rate-limit window resets.
fn reset(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get("x-ogw-ratelimit-reset")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{Envelope, HostFamily, Method, TokenKind};

    static SPEC: EndpointSpec = EndpointSpec {
        id: "demo.v1.thing.get",
        method: Method::Get,
        host: HostFamily::Open,
        path: "/open-apis/demo/v1/things/:id",
        tokens: &[TokenKind::Tenant],
        idempotent: true,
        envelope: Envelope::Data,
        rate_limit_codes: &[230020],
    };

    fn response(status: u16, headers: &[(&'static str, &str)], body: &str) -> HttpResponse {
        let mut map = HeaderMap::new();
        for (k, v) in headers {
            map.insert(*k, v.parse().unwrap());
        }
        HttpResponse {
            status,
            headers: map,
            body: bytes::Bytes::copy_from_slice(body.as_bytes()),
        }
    }

    fn class_of(outcome: Result<HttpResponse, TransportFailure>) -> Classified {
        classify(&SPEC, outcome, 1024, 1)
    }

    #[test]
    fn responses_classify_as_the_table_says() {
        let ok = r#"{"code":0,"msg":"ok","data":{}}"#;
        const RESET: &[(&str, &str)] = &[("x-ogw-ratelimit-reset", "7")];
        // (status, headers, body, class, which result)
        type Row<'a> = (u16, &'a [(&'a str, &'a str)], &'a str, Class, &'a str);
        let table: &[Row] = &[
            (200, &[], ok, Class::Done, "ok"),
            (200, &[], r#"{"code":1,"msg":"no"}"#, Class::Done, "api"),
            (
                429,
                RESET,
                r#"{"code":99991400}"#,
                Class::RateLimited(Some(Duration::from_secs(7))),
                "api",
            ),
            (429, &[], "<html>", Class::RateLimited(None), "status"),
            (
                400,
                &[],
                r#"{"code":99991400}"#,
                Class::RateLimited(None),
                "api",
            ),
            (
                200,
                &[],
                r#"{"code":230020}"#,
                Class::RateLimited(None),
                "api",
            ),
            (
                401,
                &[],
                r#"{"code":99991663}"#,
                Class::TokenRejected,
                "api",
            ),
            (500, &[], ok, Class::MaybeProcessed, "status"),
            (
                503,
                &[],
                "<html>busy</html>",
                Class::MaybeProcessed,
                "status",
            ),
            (502, &[], r#"{"code":2200}"#, Class::MaybeProcessed, "api"),
            (404, &[], "not found", Class::Done, "status"),
            (400, &[], ok, Class::Done, "status"),
            (200, &[], "<html>", Class::Done, "decode"),
            (200, &[], r#"{"code":"0"}"#, Class::Done, "decode"),
            (
                307,
                &[("location", "https://elsewhere.example/x")],
                "",
                Class::Done,
                "status",
            ),
            (302, &[], "", Class::Done, "status"),
        ];
        for (status, headers, body, class, result) in table {
            let got = class_of(Ok(response(*status, headers, body)));
            assert_eq!(got.class, *class, "{status} {body}");
            let kind = match &got.result {
                Ok(_) => "ok",
                Err(Error::Api(_)) => "api",
                Err(Error::Status(_)) => "status",
                Err(Error::Decode(_)) => "decode",
                Err(e) => panic!("{status} {body}: unexpected {e:?}"),
            };
            assert_eq!(kind, *result, "{status} {body}");
        }
    }

    #[test]
    fn a_redirect_names_its_location() {
        let got = class_of(Ok(response(
            308,
            &[("location", "https://evil.example/steal")],
            "",
        )));
        match got.result {
            Err(Error::Status(e)) => {
                assert_eq!(e.location.as_deref(), Some("https://evil.example/steal"));
                assert!(e.to_string().contains("never follows redirects"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn failures_classify_by_whether_anything_was_sent() {
        let boxed = || -> crate::error::BoxError { "boom".into() };
        let table = [
            (TransportFailure::NotSent(boxed()), Class::NotSent),
            (TransportFailure::TimedOut, Class::MaybeProcessed),
            (
                TransportFailure::Interrupted(boxed()),
                Class::MaybeProcessed,
            ),
            (
                TransportFailure::TooLarge {
                    status: 200,
                    headers: HeaderMap::new(),
                },
                Class::Done,
            ),
        ];
        for (failure, class) in table {
            let got = class_of(Err(failure));
            assert_eq!(got.class, class);
            assert!(got.result.is_err());
        }
    }

    #[test]
    fn a_body_over_the_limit_is_refused_even_when_the_transport_read_it() {
        let big = format!(r#"{{"code":0,"data":"{}"}}"#, "x".repeat(2000));
        let got = class_of(Ok(response(200, &[], &big)));
        assert!(
            matches!(got.result, Err(Error::TooLarge(_))),
            "{:?}",
            got.result
        );
    }

    #[test]
    fn log_ids_are_bounded() {
        let long = "a".repeat(1000);
        let got = class_of(Ok(response(500, &[("x-tt-logid", &long)], "")));
        assert_eq!(got.result.unwrap_err().log_id().map(str::len), Some(128));
    }
}
