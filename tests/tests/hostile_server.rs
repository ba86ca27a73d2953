//! A server that misbehaves on purpose, on 127.0.0.1: redirects, endless and huge
//! bodies, hostile text, 5xx that claims success, schema-marked rate-limit codes,
//! pagination that never ends, a call that outlives its deadline.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use feishu::runtime::{PaginationStop, StatusError};
use feishu_tests::raw_http;
use feishu_tests::*;
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/open-apis/application/v6/applications/cli_1/feedbacks";
const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";

fn fixed(base: &str) -> feishu::runtime::ClientBuilder<feishu::Client> {
    feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(base)
        .www_base_url(base)
        .timeout(Duration::from_secs(5))
        .retry(fast_retries())
}

async fn list(c: &feishu::Client) -> Result<(), feishu::Error> {
    let call = c.application().v6().application_feedback().list("cli_1");
    call.send().await.map(drop).map_err(feishu::Error::erase)
}

async fn badge(c: &feishu::Client) -> Result<(), feishu::Error> {
    let call = c
        .application()
        .v6()
        .app_badge()
        .set(feishu::application::v6::AppBadgeSetRequired {
            user_id: "ou_1".into(),
            version: "1".into(),
        });
    call.send().await.map_err(feishu::Error::erase)
}

fn status_error(err: &feishu::Error) -> &StatusError {
    match err {
        feishu::Error::Status(e) => e,
        other => panic!("expected a Status error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_token_endpoint_redirect_is_never_followed_and_never_carries_the_secret() {
    let elsewhere = MockServer::start().await;
    mount_tenant_token(&elsewhere, "t-from-elsewhere").await;
    let server = MockServer::start().await;
    for status in [302, 307, 308] {
        server.reset().await;
        Mock::given(path(TOKEN))
            .respond_with(
                ResponseTemplate::new(status)
                    .insert_header("location", format!("{}{TOKEN}", elsewhere.uri())),
            )
            .mount(&server)
            .await;
        // Even a reqwest builder that asks for redirects gets none.
        let c = feishu::Client::builder()
            .app_credentials(APP_ID, APP_SECRET)
            .open_base_url(server.uri())
            .http_client(
                feishu::runtime::reqwest::Client::builder()
                    .redirect(feishu::runtime::reqwest::redirect::Policy::limited(10)),
            )
            .retry(fast_retries())
            .build()
            .unwrap();
        let err = badge(&c).await.unwrap_err();
        let feishu::Error::Auth(auth) = &err else {
            panic!("{status}: expected Auth, got {err:?}");
        };
        let cause = status_error(&auth.cause);
        assert_eq!(cause.http_status, status);
        assert_eq!(
            cause.location.as_deref(),
            Some(format!("{}{TOKEN}", elsewhere.uri()).as_str())
        );
        assert_eq!(requests_to(&server, TOKEN).await.len(), 1, "{status}");
    }
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "the other host saw nothing"
    );
}

#[tokio::test]
async fn a_redirect_loop_on_a_post_sends_it_once() {
    let server = MockServer::start().await;
    let badge_path = "/open-apis/application/v6/app_badge/set";
    Mock::given(path(badge_path))
        .respond_with(
            ResponseTemplate::new(307)
                .insert_header("location", format!("{}{badge_path}", server.uri())),
        )
        .mount(&server)
        .await;
    let err = badge(&fixed(&server.uri()).build().unwrap())
        .await
        .unwrap_err();
    assert_eq!(status_error(&err).http_status, 307);
    assert!(err.to_string().contains("never follows redirects"), "{err}");
    assert_eq!(requests_to(&server, badge_path).await.len(), 1);
}

#[tokio::test]
async fn an_endless_body_stops_at_the_limit() {
    let (base, hits) =
        raw_http::serve(|s| raw_http::endless_chunked(s, vec![b'x'; 64 * 1024], 1 << 34)).await;
    let c = fixed(&base).max_response_bytes(1 << 20).build().unwrap();
    let started = Instant::now();
    let err = list(&c).await.unwrap_err();
    match &err {
        feishu::Error::TooLarge(e) => {
            assert_eq!(e.limit, 1 << 20);
            assert_eq!(e.http_status, 200);
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped at the limit, not at the timeout"
    );
    assert_eq!(
        hits.load(Ordering::SeqCst),
        1,
        "a body too large is not retried"
    );
}

#[tokio::test]
async fn an_announced_length_over_the_limit_is_refused_before_reading() {
    let (base, _) = raw_http::serve(|mut s| async move {
        let length = (200u64 << 20).to_string();
        raw_http::head(&mut s, "200 OK", &[("content-length", length)]).await;
        // Send nothing: a client that waited for the body would time out instead.
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let c = fixed(&base).build().unwrap();
    let err = list(&c).await.unwrap_err();
    assert!(matches!(err, feishu::Error::TooLarge(_)), "{err:?}");
}

#[tokio::test]
async fn errors_keep_only_the_start_of_a_large_body() {
    let server = MockServer::start().await;
    let body = format!("<html>{}</html>", "y".repeat(300_000));
    Mock::given(path(LIST))
        .respond_with(ResponseTemplate::new(200).set_body_raw(body.clone(), "text/html"))
        .mount(&server)
        .await;
    let err = list(&fixed(&server.uri()).build().unwrap())
        .await
        .unwrap_err();
    match err {
        feishu::Error::Decode(d) => {
            assert!(d.raw_body.len() <= 4096, "{}", d.raw_body.len());
            assert!(body.starts_with(&d.raw_body));
            assert_eq!(d.body_len, body.len());
        }
        other => panic!("expected Decode, got {other:?}"),
    }
}

#[tokio::test]
async fn server_text_is_escaped_and_bounded_in_messages() {
    let server = MockServer::start().await;
    let msg = format!(
        "bad\r\ninjected: line\u{1b}[2J\u{202e}{}",
        "m".repeat(10_000_000)
    );
    let troubleshooter = "https://x.example/\u{1b}]0;title\u{7}";
    Mock::given(path(LIST))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 1234, "msg": msg,
                "error": {"log_id": format!("log\u{1b}{}", "i".repeat(10_000)),
                    "troubleshooter": troubleshooter}})),
        )
        .mount(&server)
        .await;
    let err = list(&fixed(&server.uri()).build().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.log_id().map(|id| id.chars().count()), Some(128));
    let shown = err.to_string();
    assert!(shown.len() < 4096, "{} bytes", shown.len());
    assert!(!shown.chars().any(|c| c.is_control()), "{shown:?}");
    assert!(!shown.contains('\u{202e}'), "{shown:?}");
    assert!(shown.contains("bad\\u{d}\\u{a}injected"), "{shown}");
    assert!(shown.contains("more characters"), "{shown}");
}

#[tokio::test]
async fn a_5xx_that_claims_success_is_an_error_retried_only_when_idempotent() {
    let server = MockServer::start().await;
    let ok = json!({"code": 0, "msg": "success", "data": {}});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(ok.clone()))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_json(ok))
        .mount(&server)
        .await;
    let c = fixed(&server.uri()).build().unwrap();
    let err = list(&c).await.unwrap_err();
    assert_eq!(status_error(&err).http_status, 503);
    assert_eq!(requests_to(&server, LIST).await.len(), 3, "GET: 3 attempts");
    let err = badge(&c).await.unwrap_err();
    assert_eq!(status_error(&err).http_status, 500);
    let posts = requests_to(&server, "/open-apis/application/v6/app_badge/set").await;
    assert_eq!(posts.len(), 1, "POST: not repeated");
}

#[tokio::test]
async fn an_html_error_page_is_a_status_error_with_its_start() {
    let server = MockServer::start().await;
    let page = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    Mock::given(path(LIST))
        .respond_with(
            ResponseTemplate::new(502)
                .insert_header("x-tt-logid", "gw-log")
                .set_body_raw(page, "text/html"),
        )
        .mount(&server)
        .await;
    let c = fixed(&server.uri())
        .retry(feishu::RetryPolicy::none())
        .build();
    let err = list(&c.unwrap()).await.unwrap_err();
    let status = status_error(&err);
    assert_eq!((status.http_status, status.body.as_str()), (502, page));
    assert_eq!(err.log_id(), Some("gw-log"));
}

#[tokio::test]
async fn a_schema_marked_rate_limit_code_is_waited_out_and_retried() {
    use feishu_golden::shop::v1::{Order, OrderState};
    let server = MockServer::start().await;
    let orders = "/open-apis/shop/v1/stores/s1/orders";
    Mock::given(path(orders))
        .respond_with(
            ResponseTemplate::new(400)
                .insert_header("x-ogw-ratelimit-reset", "0")
                .set_body_json(json!({"code": 100002, "msg": "busy"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(orders))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0,
            "data": {"order": {"order_id": "o1", "state": 1, "placed_at": "2024-01-01"}}})))
        .mount(&server)
        .await;
    let c = feishu_golden::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    let order = Order::new("o1", OrderState::Placed, "2024-01-01");
    let call = c.shop().v1().order().create("s1", order);
    call.send().await.unwrap();
    assert_eq!(
        requests_to(&server, orders).await.len(),
        2,
        "the POST was repeated: a rate-limited call was not processed"
    );
}

/// A list endpoint whose pages never say they are done.
async fn endless_pages(items_per_page: usize) -> MockServer {
    let server = MockServer::start().await;
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    Mock::given(path(LIST))
        .respond_with(move |_: &wiremock::Request| {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            let items: Vec<_> = (0..items_per_page)
                .map(|i| json!({"feedback_id": format!("{n}-{i}")}))
                .collect();
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {
                "feedback_list": items, "has_more": true, "page_token": format!("t{n}")}}))
        })
        .mount(&server)
        .await;
    server
}

async fn stream_all(
    c: &feishu::Client,
) -> Vec<Result<String, feishu::Error<feishu::application::v6::ApplicationFeedbackListError>>> {
    let stream = c
        .application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .stream();
    stream
        .map(|r| r.map(|f| f.feedback_id.unwrap_or_default()))
        .collect()
        .await
}

#[tokio::test]
async fn pagination_that_never_ends_stops_at_the_page_limit() {
    let server = endless_pages(2).await;
    let c = fixed(&server.uri()).max_pages(50, 3).build().unwrap();
    let items = stream_all(&c).await;
    assert_eq!(items.len(), 101, "50 pages of 2, then the error");
    match items.last() {
        Some(Err(feishu::Error::Pagination(e))) => {
            assert_eq!(
                (e.reason.clone(), e.pages),
                (PaginationStop::PageLimit(50), 50)
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(requests_to(&server, LIST).await.len(), 50);
}

#[tokio::test]
async fn empty_pages_that_claim_more_stop_the_stream() {
    let server = endless_pages(0).await;
    let c = fixed(&server.uri()).build().unwrap();
    let items = stream_all(&c).await;
    match items.as_slice() {
        [Err(feishu::Error::Pagination(e))] => {
            assert_eq!(e.reason, PaginationStop::EmptyPages(3));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(requests_to(&server, LIST).await.len(), 3);
}

#[tokio::test]
async fn a_call_ends_at_its_deadline_whatever_the_retries() {
    let server = MockServer::start().await;
    Mock::given(path(LIST))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ogw-ratelimit-reset", "1")
                .set_body_json(json!({"code": 99991400, "msg": "slow down"})),
        )
        .mount(&server)
        .await;
    let policy = fast_retries().max_rate_limit_wait(Duration::from_secs(10));
    let c = fixed(&server.uri())
        .retry(policy.max_attempts(10))
        .deadline(Duration::from_millis(1500))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = list(&c).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    // The second wait would end past the deadline: the call stops with the last answer.
    assert_eq!(err.api().map(|e| e.raw_code), Some(99991400), "{err:?}");
    assert_eq!(requests_to(&server, LIST).await.len(), 2);

    // A server that does not answer at all: the deadline cuts the attempt.
    let (base, _) = raw_http::serve(|s| async move {
        let _open = s;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let c = fixed(&base)
        .timeout(Duration::from_secs(20))
        .deadline(Duration::from_millis(300))
        .build()
        .unwrap();
    let err = list(&c).await.unwrap_err();
    assert!(
        matches!(err, feishu::Error::Timeout { attempts: 1, .. }),
        "{err:?}"
    );
}
