//! Access tokens: fetched through the generated auth endpoints, cached, fetched once for
//! many concurrent callers, replaced when the platform rejects them, and never printed.

use std::time::Duration;

use feishu::application::v6::FeedbackStatus;
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const PATCH: &str = "/open-apis/application/v6/applications/cli_1/feedbacks/1";
const TOKEN: &str = "/open-apis/auth/v3/tenant_access_token/internal";

fn ok() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success", "data": {}}))
}

use feishu_tests::patch_feedback as patch;

fn bearer(r: &wiremock::Request) -> String {
    r.headers
        .get("authorization")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_thousand_concurrent_calls_on_a_cold_cache_fetch_one_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(200)
                .set_delay(Duration::from_millis(100))
                .set_body_json(json!({"code": 0, "msg": "ok", "tenant_access_token": TENANT_TOKEN, "expire": 7200})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(PATCH))
        .respond_with(ok())
        .expect(1000)
        .mount(&server)
        .await;
    let c = client_for(&server);
    let calls = (0..1000).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { patch(&c).await })
    });
    for result in futures_util::future::join_all(calls).await {
        result.unwrap().unwrap();
    }
    assert_eq!(requests_to(&server, TOKEN).await.len(), 1);
    assert!(
        requests_to(&server, PATCH)
            .await
            .iter()
            .all(|r| bearer(r) == format!("Bearer {TENANT_TOKEN}"))
    );
}

#[tokio::test]
async fn a_rejected_token_is_dropped_refetched_and_the_call_retried_once() {
    let server = MockServer::start().await;
    for token in ["t-stale", "t-fresh"] {
        Mock::given(path(TOKEN))
            .respond_with(ResponseTemplate::new(200).set_body_json(
                json!({"code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200}),
            ))
            .up_to_n_times(1)
            .mount(&server)
            .await;
    }
    Mock::given(path(PATCH))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 99991663, "msg": "invalid tenant access token"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(PATCH))
        .respond_with(ok())
        .mount(&server)
        .await;
    let c = client_for(&server);
    patch(&c).await.unwrap();
    let calls: Vec<String> = requests_to(&server, PATCH)
        .await
        .iter()
        .map(bearer)
        .collect();
    assert_eq!(calls, ["Bearer t-stale", "Bearer t-fresh"]);
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2);
    // The fresh token is cached for the next call.
    patch(&c).await.unwrap();
    assert_eq!(requests_to(&server, TOKEN).await.len(), 2);
}

#[tokio::test]
async fn a_token_rejected_twice_is_not_retried_forever() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    Mock::given(path(PATCH))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 99991671, "msg": "malformed"})),
        )
        .mount(&server)
        .await;
    let err = patch(&client_for(&server)).await.unwrap_err();
    assert_eq!(
        err.api().unwrap().code,
        feishu::application::v6::ApplicationFeedbackPatchError::AccessTokenMalformed
    );
    assert_eq!(
        requests_to(&server, PATCH).await.len(),
        2,
        "one retry with a new token, no more"
    );
}

#[tokio::test]
async fn token_endpoint_down_is_an_auth_error() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(ResponseTemplate::new(503).set_body_raw("<html>down</html>", "text/html"))
        .mount(&server)
        .await;
    let err = patch(&client_for(&server)).await.unwrap_err();
    match &err {
        feishu::Error::Auth(auth) => {
            assert_eq!(auth.what, "tenant_access_token");
            assert!(
                matches!(*auth.cause, feishu::Error::Status(_)),
                "{:?}",
                auth.cause
            );
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    assert!(
        requests_to(&server, PATCH).await.is_empty(),
        "no call without a token"
    );

    // A wrong secret: the platform's error code comes back inside the Auth error.
    let server = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10014, "msg": "app secret invalid"})),
        )
        .mount(&server)
        .await;
    let err = patch(&client_for(&server)).await.unwrap_err();
    let feishu::Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(auth.cause.api().unwrap().raw_code, 10014);
}

#[tokio::test]
async fn tokens_are_refreshed_before_they_expire() {
    let server = MockServer::start().await;
    // Issued with 2 seconds left: refreshed after half of that, not reused until expiry.
    Mock::given(path(TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-short", "expire": 2}),
        ))
        .mount(&server)
        .await;
    Mock::given(path(PATCH))
        .respond_with(ok())
        .mount(&server)
        .await;
    let c = client_for(&server);
    patch(&c).await.unwrap();
    patch(&c).await.unwrap();
    assert_eq!(
        requests_to(&server, TOKEN).await.len(),
        1,
        "cached while fresh"
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    patch(&c).await.unwrap();
    assert_eq!(
        requests_to(&server, TOKEN).await.len(),
        2,
        "refetched before expiry"
    );
}

#[tokio::test]
async fn marketplace_apps_use_the_app_ticket_and_the_tenant_key() {
    let server = MockServer::start().await;
    Mock::given(path("/open-apis/auth/v3/app_ticket/resend"))
        .and(body_json(
            json!({"app_id": APP_ID, "app_secret": APP_SECRET}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    Mock::given(path("/open-apis/auth/v3/app_access_token"))
        .and(body_json(
            json!({"app_id": APP_ID, "app_secret": APP_SECRET, "app_ticket": "ticket-1"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "app_access_token": "a-app", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/open-apis/auth/v3/tenant_access_token"))
        .and(body_json(
            json!({"app_access_token": "a-app", "tenant_key": "tenant-9"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "ok", "tenant_access_token": "t-tenant-9", "expire": 7200}),
        ))
        .mount(&server)
        .await;
    Mock::given(path(PATCH))
        .respond_with(ok())
        .mount(&server)
        .await;
    let c = feishu::Client::builder()
        .marketplace_app(APP_ID, APP_SECRET)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    let call = |c: feishu::Client| async move {
        c.application()
            .v6()
            .application_feedback()
            .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
                app_id: "cli_1".into(),
                feedback_id: "1".into(),
                status: FeedbackStatus::Marked,
                operator_id: "ou_1".into(),
            })
            .options(feishu::RequestOptions::new().tenant_key("tenant-9"))
            .send()
            .await
    };

    // No ticket yet: a resend is requested and the call fails with an Auth error.
    let err = call(c.clone()).await.unwrap_err();
    assert!(matches!(err, feishu::Error::Auth(_)), "{err:?}");
    assert_eq!(
        requests_to(&server, "/open-apis/auth/v3/app_ticket/resend")
            .await
            .len(),
        1
    );

    // The app_ticket event arrives.
    c.set_app_ticket("ticket-1");
    call(c.clone()).await.unwrap();
    let calls = requests_to(&server, PATCH).await;
    assert_eq!(bearer(&calls[0]), "Bearer t-tenant-9");

    // Without a tenant key the client says what is missing.
    let err = c
        .application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .send()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("tenant_key"), "{err}");
    assert!(
        matches!(
            err,
            feishu::Error::Config(feishu::runtime::ConfigError::TenantKeyRequired)
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_invalid_app_ticket_triggers_a_resend() {
    let server = MockServer::start().await;
    Mock::given(path("/open-apis/auth/v3/app_ticket/resend"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "ok"})))
        .mount(&server)
        .await;
    Mock::given(path("/open-apis/auth/v3/app_access_token"))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10012, "msg": "app_ticket invalid"})),
        )
        .mount(&server)
        .await;
    let c = feishu::Client::builder()
        .marketplace_app(APP_ID, APP_SECRET)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap();
    c.set_app_ticket("old-ticket");
    let err = c
        .application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .options(feishu::RequestOptions::new().tenant_key("t"))
        .send()
        .await
        .unwrap_err();
    let feishu::Error::Auth(auth) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(auth.cause.api().unwrap().raw_code, 10012);
    assert_eq!(
        requests_to(&server, "/open-apis/auth/v3/app_ticket/resend")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn user_tokens_are_passed_per_call() {
    let server = MockServer::start().await;
    Mock::given(path(PATCH))
        .respond_with(ok())
        .mount(&server)
        .await;
    // The feedback update accepts only tenant tokens: a user token is not used for it.
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let c = client_for(&server);
    c.application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .options(
            feishu::RequestOptions::new()
                .user_access_token("u-user")
                .request_id("req-1"),
        )
        .send()
        .await
        .unwrap();
    let r = &requests_to(&server, PATCH).await[0];
    assert_eq!(bearer(r), format!("Bearer {TENANT_TOKEN}"));
    assert_eq!(r.headers.get("x-request-id").unwrap(), "req-1");
}

#[tokio::test]
async fn no_secret_or_token_appears_in_any_error_or_debug_output() {
    let server = MockServer::start().await;
    Mock::given(path(TOKEN))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 10014, "msg": "app secret invalid"})),
        )
        .mount(&server)
        .await;
    let c = client_for(&server);
    let mut texts = vec![
        format!("{c:?}"),
        format!(
            "{:?}",
            feishu::Client::builder().app_credentials(APP_ID, APP_SECRET)
        ),
    ];
    let err = patch(&c).await.unwrap_err();
    texts.push(format!("{err} {err:?}"));
    server.reset().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    Mock::given(path(PATCH))
        .respond_with(
            ResponseTemplate::new(400).set_body_json(json!({"code": 99991663, "msg": "invalid"})),
        )
        .mount(&server)
        .await;
    let err = patch(&client_for(&server)).await.unwrap_err();
    texts.push(format!("{err} {err:?}"));
    // Token responses that fail (a shape that does not decode, a 5xx claiming success)
    // carry the token in their body: errors keep none of it.
    for (status, body) in [
        (
            200,
            json!({"code": 0, "tenant_access_token": TENANT_TOKEN, "expire": "soon"}),
        ),
        (
            200,
            json!({"code": 0, "tenant_access_token": [TENANT_TOKEN], "expire": 7200}),
        ),
        (
            500,
            json!({"code": 0, "tenant_access_token": TENANT_TOKEN, "expire": 7200}),
        ),
    ] {
        server.reset().await;
        Mock::given(path(TOKEN))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
        let err = patch(&client_for(&server)).await.unwrap_err();
        assert!(matches!(err, feishu::Error::Auth(_)), "{err:?}");
        texts.push(format!("{err} {err:?}"));
    }
    let decoded: feishu::auth::v3::TenantAccessTokenInternalResponse =
        serde_json::from_value(json!({"tenant_access_token": TENANT_TOKEN, "expire": 7200}))
            .unwrap();
    texts.push(format!("{decoded:?}"));
    texts.push(format!("{:?}", feishu::Secret::new(APP_SECRET)));
    for text in &texts {
        assert!(!text.contains(APP_SECRET), "secret leaked: {text}");
        assert!(!text.contains(TENANT_TOKEN), "token leaked: {text}");
    }
}
