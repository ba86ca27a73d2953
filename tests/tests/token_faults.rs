//! A token endpoint that misbehaves: lifetimes out of any sane range, and failures that
//! many waiting calls must share instead of each trying again.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use feishu_tests::*;
use serde_json::{Value, json};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATCH: &str = "/open-apis/application/v6/applications/cli_1/feedbacks/1";
const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";

async fn patch(c: &feishu::Client) -> Result<(), feishu::Error> {
    patch_feedback(c).await.map_err(feishu::Error::erase)
}

async fn mount_ok_patch(server: &MockServer) {
    Mock::given(path(PATCH))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}})))
        .mount(server)
        .await;
}

/// Runs `n` calls at once and returns their outcomes.
async fn concurrently(c: &feishu::Client, n: usize) -> Vec<Result<(), feishu::Error>> {
    futures_util::future::join_all((0..n).map(|_| patch(c))).await
}

#[tokio::test]
async fn any_expire_value_gives_a_cached_token_and_never_panics() {
    let expires: [Value; 7] = [
        json!(i64::MAX),
        json!(i64::MIN),
        json!(0),
        json!(-5),
        Value::Null,
        json!(u64::MAX),
        json!(7200),
    ];
    for expire in expires {
        let server = MockServer::start().await;
        let mut body = json!({"code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN});
        if !expire.is_null() {
            body["expire"] = expire.clone();
        }
        Mock::given(path(TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
        mount_ok_patch(&server).await;
        let c = client_for(&server);
        for outcome in concurrently(&c, 20).await {
            outcome.unwrap_or_else(|e| {
                // u64::MAX does not fit the schema's integer: a decode error, not a panic.
                assert_eq!(expire, json!(u64::MAX), "{e:?}");
            });
        }
        for _ in 0..20 {
            let _ = patch(&c).await;
        }
        let fetches = requests_to(&server, TOKEN).await.len();
        let most = if expire == json!(u64::MAX) { 40 } else { 1 };
        assert!(
            fetches <= most,
            "expire {expire}: {fetches} token requests for 40 calls"
        );
    }
}

#[tokio::test]
async fn the_trusted_lifetime_is_clamped() {
    use feishu::runtime::{IssuedToken, MAX_TOKEN_LIFETIME, MIN_TOKEN_LIFETIME};
    let lifetime = |expire| {
        IssuedToken {
            token: "t".into(),
            expire,
        }
        .lifetime()
    };
    assert_eq!(lifetime(i64::MAX), MAX_TOKEN_LIFETIME);
    assert_eq!(lifetime(i64::MIN), MIN_TOKEN_LIFETIME);
    assert_eq!(lifetime(0), MIN_TOKEN_LIFETIME);
    assert_eq!(lifetime(7200), Duration::from_secs(7200));
    assert_eq!(lifetime(3600), Duration::from_secs(3600));
    assert_eq!(
        lifetime(2),
        Duration::from_secs(2),
        "a short token is honoured"
    );
}

/// A token endpoint answering `status` with `body` after `delay`, counting requests.
async fn failing_token_endpoint(status: u16, body: Value, delay: Duration) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(status)
                .set_body_json(body)
                .set_delay(delay),
        )
        .mount(&server)
        .await;
    mount_ok_patch(&server).await;
    server
}

#[tokio::test]
async fn five_hundred_waiting_calls_share_one_failed_token_fetch() {
    let body = json!({"code": 10014, "msg": "app secret invalid"});
    let server = failing_token_endpoint(400, body, Duration::from_millis(100)).await;
    let c = client_for(&server);
    let started = std::time::Instant::now();
    let outcomes = concurrently(&c, 500).await;
    let elapsed = started.elapsed();
    for outcome in &outcomes {
        match outcome {
            Err(feishu::Error::Auth(auth)) => {
                assert_eq!(auth.cause.api().map(|e| e.raw_code), Some(10014));
            }
            other => panic!("expected Auth, got {other:?}"),
        }
    }
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
    assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
    // The failure is not cached: the next call tries again.
    let _ = patch(&c).await;
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2);
}

#[tokio::test]
async fn a_5xx_token_endpoint_costs_one_fetch_for_all_waiting_calls() {
    let server = failing_token_endpoint(503, json!({"code": 0}), Duration::from_millis(50)).await;
    let c = client_for(&server);
    let outcomes = concurrently(&c, 100).await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Err(feishu::Error::Auth(_))))
    );
    let fetches = requests_to(&server, TOKEN).await.len();
    assert!(
        fetches <= 3,
        "{fetches} token requests: one fetch, its retries at most"
    );
}

#[tokio::test]
async fn the_shared_failure_is_one_value_with_a_source() {
    let server = failing_token_endpoint(400, json!({"code": 10014}), Duration::ZERO).await;
    let outcomes = concurrently(&client_for(&server), 2).await;
    let causes: Vec<_> = outcomes
        .iter()
        .map(|o| match o {
            Err(feishu::Error::Auth(a)) => a.cause.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(Arc::ptr_eq(&causes[0], &causes[1]), "one fetch, one cause");
    let err = outcomes[0].as_ref().unwrap_err();
    let source = std::error::Error::source(err).expect("Auth has a source");
    assert!(source.to_string().contains("10014"), "{source}");
    assert!(
        !err.to_string().contains("10014"),
        "printed once, not twice: {err}"
    );
}

#[tokio::test]
async fn token_fetches_stop_after_success_and_restart_after_expiry_only() {
    // A sanity check for the shared slot: after a failure and then a success, calls
    // use the cached token.
    let server = MockServer::start().await;
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    Mock::given(path(TOKEN))
        .respond_with(move |_: &wiremock::Request| {
            if counter.fetch_add(1, Ordering::SeqCst) == 0 {
                ResponseTemplate::new(400).set_body_json(json!({"code": 10014}))
            } else {
                ResponseTemplate::new(200).set_body_json(
                    json!({"code": 0, "tenant_access_token": TENANT_TOKEN, "expire": 7200}),
                )
            }
        })
        .mount(&server)
        .await;
    mount_ok_patch(&server).await;
    let c = client_for(&server);
    assert!(patch(&c).await.is_err());
    for outcome in concurrently(&c, 50).await {
        outcome.unwrap();
    }
    assert_eq!(hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_caller_that_gives_up_does_not_cancel_the_fetch_others_wait_for() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"code": 0, "tenant_access_token": TENANT_TOKEN, "expire": 7200}),
                )
                .set_delay(Duration::from_millis(600)),
        )
        .mount(&server)
        .await;
    mount_ok_patch(&server).await;
    // Every caller gives up (drops its call) before the token endpoint answers.
    let c = client_for(&server);
    let impatient = (0..10).map(|_| tokio::time::timeout(Duration::from_millis(200), patch(&c)));
    for outcome in futures_util::future::join_all(impatient).await {
        assert!(outcome.is_err(), "gave up: {outcome:?}");
    }
    // The fetch went on without them: once it lands, calls use its token.
    tokio::time::sleep(Duration::from_millis(700)).await;
    patch(&c).await.unwrap();
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
}

#[tokio::test]
async fn a_marketplace_app_token_rejected_by_the_tenant_endpoint_is_replaced_once() {
    let server = MockServer::start().await;
    let app_tokens = Arc::new(AtomicUsize::new(0));
    let issued = app_tokens.clone();
    Mock::given(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(move |_: &wiremock::Request| {
            let n = issued.fetch_add(1, Ordering::SeqCst) + 1;
            ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "app_access_token": format!("a-{n}"), "expire": 7200}),
            )
        })
        .mount(&server)
        .await;
    Mock::given(path("/open-apis/auth/v3/tenant_access_token"))
        .respond_with(|r: &wiremock::Request| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            if body["app_access_token"] == "a-1" {
                ResponseTemplate::new(400).set_body_json(json!({"code": 99991664}))
            } else {
                ResponseTemplate::new(200).set_body_json(
                    json!({"code": 0, "tenant_access_token": "t-tenant", "expire": 7200}),
                )
            }
        })
        .mount(&server)
        .await;
    mount_ok_patch(&server).await;
    let c = feishu::Client::builder()
        .marketplace_app(APP_ID, APP_SECRET)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    c.set_app_ticket("ticket-1");
    let call = c
        .application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: feishu::application::v6::FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .options(feishu::RequestOptions::new().tenant_key("tenant-9"));
    call.send().await.unwrap();
    assert_eq!(
        app_tokens.load(Ordering::SeqCst),
        2,
        "the rejected app token was replaced"
    );
}

#[tokio::test]
async fn a_token_that_cannot_be_a_header_is_refused_not_cached() {
    let server = failing_token_endpoint(
        200,
        json!({"code": 0, "tenant_access_token": "t-1\r\nx-evil: 1", "expire": 7200}),
        Duration::ZERO,
    )
    .await;
    let c = client_for(&server);
    for _ in 0..3 {
        let err = patch(&c).await.unwrap_err();
        let feishu::Error::Auth(auth) = &err else {
            panic!("{err:?}")
        };
        assert!(matches!(*auth.cause, feishu::Error::Decode(_)), "{err:?}");
    }
    assert!(requests_to(&server, PATCH).await.is_empty());
}
