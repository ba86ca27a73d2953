//! The client under bad conditions, against real servers on 127.0.0.1: rate limits,
//! server errors, broken bodies, slow servers, dropped connections. Retries happen only
//! where they are safe, every failure is a typed error, and nothing panics.

use std::time::Duration;

use feishu::application::v6::FeedbackStatus;
use feishu_tests::*;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/open-apis/application/v6/applications/cli_1/feedbacks";
const BADGE: &str = "/open-apis/application/v6/app_badge/set";

fn client(base: &str) -> feishu::Client {
    feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(base)
        .www_base_url(base)
        .timeout(Duration::from_millis(300))
        .retry(fast_retries())
        .build()
        .unwrap()
}

fn ok_list() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(
        json!({"code": 0, "msg": "ok", "data": {"feedback_list": [], "has_more": false}}),
    )
}

/// A GET (idempotent) and a POST (not idempotent) endpoint.
async fn list(c: &feishu::Client) -> Result<(), String> {
    c.application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .send()
        .await
        .map(drop)
        .map_err(|e| format!("{e:?}"))
}

async fn badge(
    c: &feishu::Client,
) -> Result<(), feishu::Error<feishu::application::v6::AppBadgeSetError>> {
    c.application()
        .v6()
        .app_badge()
        .set(feishu::application::v6::AppBadgeSetRequired {
            user_id: "ou_1".into(),
            version: "1".into(),
        })
        .send()
        .await
}

#[tokio::test]
async fn http_429_waits_for_the_reset_and_retries() {
    let server = MockServer::start().await;
    Mock::given(path(BADGE))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ogw-ratelimit-reset", "1")
                .insert_header("x-ogw-ratelimit-limit", "100")
                .set_body_json(json!({"code": 99991400, "msg": "request trigger frequency limit"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(BADGE))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok", "data": {}})),
        )
        .mount(&server)
        .await;
    // Even a non-idempotent call is retried: a rate-limited request was not processed.
    badge(&client(&server.uri())).await.unwrap();
    assert_eq!(requests_to(&server, BADGE).await.len(), 2);
}

#[tokio::test]
async fn code_99991400_with_http_400_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path(LIST))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991400, "msg": "request trigger frequency limit"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(LIST))
        .respond_with(ok_list())
        .mount(&server)
        .await;
    list(&client(&server.uri())).await.unwrap();
    assert_eq!(requests_to(&server, LIST).await.len(), 2);
}

#[tokio::test]
async fn rate_limit_that_never_lifts_ends_as_the_typed_error() {
    let server = MockServer::start().await;
    Mock::given(path(BADGE))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("X-Tt-Logid", "rl-log")
                .set_body_json(json!({"code": 99991400, "msg": "limited"})),
        )
        .mount(&server)
        .await;
    let err = badge(&client(&server.uri())).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().code,
        feishu::application::v6::AppBadgeSetError::RateLimited
    );
    assert_eq!(err.log_id(), Some("rl-log"));
    assert_eq!(
        requests_to(&server, BADGE).await.len(),
        3,
        "bounded by max_attempts"
    );
}

#[tokio::test]
async fn server_error_is_retried_on_get_but_not_on_post() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"code": 500, "msg": "internal"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(ok_list())
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(BADGE))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"code": 500, "msg": "internal"})),
        )
        .mount(&server)
        .await;
    let c = client(&server.uri());
    list(&c).await.unwrap();
    assert_eq!(
        requests_to(&server, LIST).await.len(),
        2,
        "GET retried once"
    );
    let err = badge(&c).await.unwrap_err();
    assert_eq!(err.api().unwrap().http_status, 500);
    assert_eq!(
        requests_to(&server, BADGE).await.len(),
        1,
        "POST not retried"
    );
}

#[tokio::test]
async fn undecodable_bodies_are_decode_errors_with_the_raw_body() {
    // (status, body, content type, what the cause says: a syntax error, or the path of
    // the value that does not fit)
    // (A non-2xx status wins over the body: see hardening.rs.)
    let cases: [(u16, &str, &str, &str); 6] = [
        (200, "{\"code\":0,\"msg\":", "application/json", "syntax"),
        (200, "", "application/json", "syntax"),
        (
            200,
            "{\"code\":0,\"msg\":\"ok\",\"data\":{\"message_id\":7}}",
            "application/json",
            "at `data.message_id`: expected a string, found a number",
        ),
        (
            200,
            "{\"code\":0,\"data\":[]}",
            "application/json",
            "at `data`: expected an object, found an array",
        ),
        (
            200,
            "{\"msg\":\"ok\"}",
            "application/json",
            "missing field `code`",
        ),
        (
            200,
            "[1]",
            "application/json",
            "expected an object, found an array",
        ),
    ];
    for (status, body, content_type, cause) in cases {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("X-Tt-Logid", "decode-log")
                    .set_body_raw(body, content_type),
            )
            .mount(&server)
            .await;
        let c = client(&server.uri());
        let err = c
            .approval()
            .v1()
            .message()
            .update("m", feishu::approval::v1::BotMessageStatus::Approved)
            .send()
            .await
            .unwrap_err();
        match &err {
            feishu::Error::Decode(d) => {
                assert_eq!(d.raw_body, body);
                assert_eq!(d.http_status, status);
                assert_eq!(d.log_id.as_deref(), Some("decode-log"));
                match &d.cause {
                    feishu::runtime::DecodeCause::Syntax(_) => {
                        assert_eq!(cause, "syntax", "{body}")
                    }
                    feishu::runtime::DecodeCause::Shape(shape) => {
                        assert_eq!(shape.to_string(), cause, "{body}")
                    }
                    other => panic!("{body:?}: unexpected cause {other:?}"),
                }
            }
            other => panic!("{body:?}: expected Decode, got {other:?}"),
        }
        assert_eq!(err.log_id(), Some("decode-log"));
        // What is wrong is told once, by the source chain.
        let source = std::error::Error::source(&err).expect("Decode has a source");
        if cause != "syntax" {
            assert_eq!(source.to_string(), cause, "{body}");
        }
        assert!(!err.to_string().contains(&source.to_string()), "{err}");
    }
}

#[tokio::test]
async fn a_slow_server_times_out_and_only_idempotent_calls_are_retried() {
    let server = MockServer::start().await;
    let slow = ResponseTemplate::new(200)
        .set_delay(Duration::from_secs(2))
        .set_body_json(json!({"code": 0, "msg": "ok", "data": {}}));
    Mock::given(method("POST"))
        .and(path(BADGE))
        .respond_with(slow.clone())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(LIST))
        .respond_with(slow)
        .mount(&server)
        .await;
    let c = client(&server.uri());
    match badge(&c).await.unwrap_err() {
        feishu::Error::Timeout { attempts, .. } => assert_eq!(attempts, 1),
        other => panic!("expected Timeout, got {other:?}"),
    }
    let err = list(&c).await.unwrap_err();
    assert!(
        err.contains("Timeout") && err.contains("attempts: 3"),
        "{err}"
    );
}

/// A server that sends headers and part of the body, then hangs up.
async fn truncating_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            let _ = socket
                .write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 200\r\n\r\n{\"code\":0,")
                .await;
            let _ = socket.shutdown().await;
        }
    });
    (format!("http://{addr}"), hits)
}

#[tokio::test]
async fn a_connection_closed_mid_response_is_a_transport_error() {
    let (base, hits) = truncating_server().await;
    let c = client(&base);
    let err = badge(&c).await.unwrap_err();
    assert!(matches!(err, feishu::Error::Transport { .. }), "{err:?}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "POST not retried"
    );
    let err = list(&c).await.unwrap_err();
    assert!(err.contains("Transport"), "{err}");
    assert_eq!(
        hits.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "GET retried up to 3 attempts"
    );
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = badge(&client(&base)).await.unwrap_err();
    match err {
        feishu::Error::Transport { source, endpoint } => {
            let reqwest = source
                .downcast_ref::<feishu::runtime::reqwest::Error>()
                .expect("the reqwest error is the source");
            assert!(reqwest.is_connect());
            assert_eq!(endpoint, "application.v6.app_badge.set");
        }
        other => panic!("expected Transport, got {other:?}"),
    }
}

#[tokio::test]
async fn unknown_fields_and_enum_values_do_not_break_decoding() {
    let server = MockServer::start().await;
    Mock::given(path("/open-apis/application/v6/applications/cli_1/feedbacks"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok", "extra": 1,
            "data": {"feedback_list": [{"status": 42, "feedback_type": 7, "brand_new": {"x": 1}}], "has_more": false, "more": "x"}})))
        .mount(&server)
        .await;
    let page = client(&server.uri())
        .application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .send()
        .await
        .unwrap();
    let item = &page.feedback_list.unwrap()[0];
    assert!(
        matches!(item.status, Some(FeedbackStatus::Unknown(v)) if v.value() == 42),
        "{:?}",
        item.status
    );
    assert_eq!(
        item.status.unwrap().value(),
        42,
        "unknown values round-trip"
    );
    assert_eq!(item.feedback_id, None);
}
