//! What a caller puts into a request cannot change where it goes or what else it
//! carries: path parameters stay one segment, headers cannot be split or replace the
//! client's token. And the transport seam: retries replayed without sockets.

use std::sync::{Arc, Mutex};

use feishu::application::v6::FeedbackStatus;
use feishu::runtime::reqwest::header::{HeaderName, HeaderValue};
use feishu::runtime::{
    BoxFuture, HttpRequest, HttpResponse, RequestOptions, Transport, TransportFailure,
};
use feishu_tests::*;
use serde_json::json;
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

async fn server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}})))
        .mount(&server)
        .await;
    server
}

fn client(base: &str) -> feishu::Client {
    feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(base)
        .retry(fast_retries())
        .build()
        .unwrap()
}

async fn patch(
    c: &feishu::Client,
    app_id: &str,
    feedback_id: &str,
    options: RequestOptions,
) -> Result<(), feishu::Error> {
    c.application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: app_id.into(),
            feedback_id: feedback_id.into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .options(options)
        .send()
        .await
        .map_err(feishu::Error::erase)
}

fn invalid_field(outcome: Result<(), feishu::Error>) -> String {
    match outcome {
        Err(feishu::Error::Invalid(invalid)) => invalid.field,
        other => panic!("expected Invalid, got {other:?}"),
    }
}

#[tokio::test]
async fn dot_and_empty_path_parameters_are_refused_before_sending() {
    let server = server().await;
    let c = client(&server.uri());
    for (app, feedback, field) in [
        ("..", "..", "app_id"),
        ("cli_1", ".", "feedback_id"),
        ("", "1", "app_id"),
        ("cli_1", "..", "feedback_id"),
    ] {
        let outcome = patch(&c, app, feedback, RequestOptions::new()).await;
        assert_eq!(invalid_field(outcome), field, "{app:?} {feedback:?}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_path_parameter_stays_one_segment() {
    let server = server().await;
    let c = client(&server.uri());
    patch(&c, "a/../b?c#d%e", "..x", RequestOptions::new())
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        requests[0].url.path(),
        "/open-apis/application/v6/applications/a%2F..%2Fb%3Fc%23d%25e/feedbacks/..x"
    );
}

#[tokio::test]
async fn a_request_id_with_line_breaks_is_refused() {
    let server = server().await;
    let c = client(&server.uri());
    for id in ["a\r\nx-evil: 1", "a\nb", "a\0b"] {
        let options = RequestOptions::new().request_id(id);
        assert_eq!(
            invalid_field(patch(&c, "cli_1", "1", options).await),
            "options.request_id"
        );
    }
    assert!(server.received_requests().await.unwrap().is_empty());
    let options = RequestOptions::new().request_id("req-42");
    patch(&c, "cli_1", "1", options).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests[0].headers.get("x-request-id").unwrap(), "req-42");
}

#[tokio::test]
async fn the_client_owns_authorization_and_framing_headers() {
    let server = server().await;
    let c = client(&server.uri());
    for name in [
        "authorization",
        "host",
        "content-length",
        "transfer-encoding",
    ] {
        let options = RequestOptions::new()
            .header(HeaderName::from_static(name), HeaderValue::from_static("x"));
        let field = invalid_field(patch(&c, "cli_1", "1", options).await);
        assert_eq!(field, format!("options.headers.{name}"));
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_per_call_header_replaces_the_default_of_the_same_name() {
    let server = server().await;
    let c = client(&server.uri());
    let options = RequestOptions::new()
        .header(
            HeaderName::from_static("user-agent"),
            HeaderValue::from_static("my-service/1.0"),
        )
        .header(
            HeaderName::from_static("x-trace"),
            HeaderValue::from_static("one"),
        )
        .header(
            HeaderName::from_static("x-trace"),
            HeaderValue::from_static("two"),
        );
    patch(&c, "cli_1", "1", options).await.unwrap();
    let requests = server.received_requests().await.unwrap();
    let headers = &requests[0].headers;
    let all = |name: &str| -> Vec<String> {
        headers
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(all("user-agent"), ["my-service/1.0"]);
    assert_eq!(all("x-trace"), ["one", "two"]);
    assert_eq!(all("authorization"), [format!("Bearer {TENANT_TOKEN}")]);
}

#[test]
fn debug_output_hides_bodies_and_header_values() {
    let options = RequestOptions::new()
        .header(
            HeaderName::from_static("authorization"),
            HeaderValue::from_static("Bearer u-user-secret"),
        )
        .header(
            HeaderName::from_static("x-api-key"),
            HeaderValue::from_static("gateway-secret"),
        )
        .user_access_token("u-user-secret");
    let mut request = feishu::runtime::__private::Request::new(
        &feishu::auth::v3::TenantAccessTokenInternal::SPEC,
        options.clone(),
    );
    request.json(&json!({"app_id": APP_ID, "app_secret": APP_SECRET}));
    let texts = [format!("{options:?}"), format!("{request:?}")];
    for text in texts {
        for secret in [APP_SECRET, "u-user-secret", "gateway-secret"] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
        assert!(text.contains("x-api-key"), "names are shown: {text}");
    }
}

/// Answers from a script, records what it was sent: the transport seam, no sockets.
#[derive(Debug, Default)]
struct Replay {
    script: Mutex<Vec<Result<HttpResponse, TransportFailure>>>,
    sent: Mutex<Vec<String>>,
}

impl Transport for Replay {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportFailure>> {
        let auth = request.headers.get("authorization").unwrap();
        assert!(auth.is_sensitive(), "the token is marked sensitive");
        assert!(!format!("{request:?}").contains(TENANT_TOKEN));
        self.sent
            .lock()
            .unwrap()
            .push(format!("{:?} {}", request.method, request.url));
        let next = self.script.lock().unwrap().remove(0);
        Box::pin(std::future::ready(next))
    }
}

fn answer(status: u16, body: serde_json::Value) -> Result<HttpResponse, TransportFailure> {
    Ok(HttpResponse {
        status,
        headers: Default::default(),
        body: body.to_string().into(),
    })
}

#[tokio::test]
async fn retries_replay_through_a_transport_without_sockets() {
    let replay = Arc::new(Replay::default());
    *replay.script.lock().unwrap() = vec![
        Err(TransportFailure::NotSent("refused".into())),
        answer(503, json!({"code": 0})),
        answer(
            200,
            json!({"code": 0, "data": {"feedback_list": [], "has_more": false}}),
        ),
    ];
    let c = feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .transport(replay.clone())
        .retry(fast_retries())
        .build()
        .unwrap();
    let call = c.application().v6().application_feedback().list("cli_1");
    call.send().await.unwrap();
    let sent = replay.sent.lock().unwrap();
    assert_eq!(sent.len(), 3);
    assert!(sent[0].starts_with("Get https://open.feishu.cn/open-apis/application/v6/"));
}

#[tokio::test]
async fn configuration_errors_are_matchable() {
    use feishu::runtime::ConfigError;
    let plain = feishu::Client::builder().build().unwrap();
    let err = patch(&plain, "cli_1", "1", RequestOptions::new())
        .await
        .unwrap_err();
    assert!(
        matches!(err, feishu::Error::Config(ConfigError::NoCredentials)),
        "{err:?}"
    );
    let runtime_only = feishu::runtime::Client::builder()
        .app_credentials(APP_ID, APP_SECRET)
        .build()
        .unwrap();
    let call = feishu::application::v6::ApplicationFeedbackPatch::new(
        &runtime_only,
        feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        },
    );
    let err = call.send().await.unwrap_err();
    assert!(
        matches!(err, feishu::Error::Config(ConfigError::NoTokenEndpoints)),
        "{err:?}"
    );
}

#[tokio::test]
async fn transport_errors_print_their_cause_once() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let err = patch(&client(&base), "cli_1", "1", RequestOptions::new())
        .await
        .unwrap_err();
    let source = std::error::Error::source(&err).expect("the cause is the source");
    assert!(!err.to_string().contains(&source.to_string()), "{err}");
}

#[tokio::test]
async fn a_user_token_that_cannot_be_a_header_is_refused() {
    use feishu_golden::shop::v1::{Order, OrderState};
    let server = server().await;
    let c = feishu_golden::Client::builder()
        .open_base_url(server.uri())
        .build()
        .unwrap();
    let order = Order::new("o1", OrderState::Placed, "2024-01-01");
    let call = c.shop().v1().order().create("s1", order);
    let options = RequestOptions::new().user_access_token("u-token\n");
    let err = call.options(options).send().await.unwrap_err();
    assert!(
        matches!(&err, feishu::Error::Invalid(i) if i.field == "access_token"),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
