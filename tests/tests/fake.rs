//! The fake Feishu (`feishu_runtime::testing`): it refuses requests that break the
//! schema with a message naming the field, serves the generated client for every seed
//! endpoint, and scripts errors, rate limits, faults and the marketplace token flow.

use std::time::Duration;

use feishu::UserIdType;
use feishu::application::v6::{
    AppBadgeSetError, AppBadgeSetRequired, AppVersionStatus, ApplicationAppVersionPatchRequired,
    ApplicationFeedbackPatchRequired, ClientBadgeNum, FeedbackStatus,
};
use feishu::approval::v1::BotMessageStatus;
use feishu::approval::v4::{
    ExternalInstance, ExternalInstanceLink, ExternalInstanceRequired, ExternalInstanceStatus,
    I18nLocale, I18nResource, I18nResourceText, I18nResourceTextRequired,
};
use feishu::runtime::testing::{FakeFeishu, Fault, RecordedBody};
use feishu::runtime::{RequestOptions, RetryPolicy, TokenKind};
use serde_json::{Value, json};

const LIST: &str = "application.v6.application_feedback.list";
const PATCH: &str = "application.v6.application_feedback.patch";
const VERSION: &str = "application.v6.application_app_version.patch";
const BADGE: &str = "application.v6.app_badge.set";
const TENANT_TOKEN: &str = "auth.v3.tenant_access_token.internal";

async fn fake() -> FakeFeishu {
    FakeFeishu::start(feishu::testing::ROUTES, feishu::testing::COMMON_CODES)
        .await
        .unwrap()
}

/// A client of the fake that retries quickly.
fn client(fake: &FakeFeishu) -> feishu::Client {
    let retry = RetryPolicy::default().backoff(Duration::from_millis(1), Duration::from_millis(10));
    fake.configure(feishu::Client::builder())
        .retry(retry)
        .build()
        .unwrap()
}

fn patch_feedback(
    client: &feishu::Client,
) -> feishu::Call<'_, (), feishu::application::v6::ApplicationFeedbackPatchError> {
    client
        .application()
        .v6()
        .application_feedback()
        .patch(ApplicationFeedbackPatchRequired {
            app_id: "cli_9f115af860f7901b".into(),
            feedback_id: "7057888018203574291".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_9565b69967831233761cc2f11b4c089f".into(),
        })
        .send()
}

fn badge(client: &feishu::Client) -> feishu::application::v6::AppBadgeSet<'_> {
    client
        .application()
        .v6()
        .app_badge()
        .set(AppBadgeSetRequired {
            user_id: "ou_1".into(),
            version: "1664360599355".into(),
        })
}

/// Raw HTTP against the fake, for requests the typed client cannot send.
struct Raw {
    http: reqwest::Client,
    base: String,
}

impl Raw {
    fn new(fake: &FakeFeishu) -> Raw {
        Raw {
            http: reqwest::Client::new(),
            base: fake.url().to_owned(),
        }
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json; charset=utf-8")
                .body(body.to_string());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, json_of(response).await)
    }

    async fn token(&self, fake: &FakeFeishu, path: &str, field: &str) -> String {
        let body = json!({"app_id": fake.app_id(), "app_secret": fake.app_secret()});
        let (status, body) = self.send("POST", path, None, Some(body)).await;
        assert_eq!(status, 200, "{body}");
        body[field].as_str().unwrap().to_owned()
    }
}

async fn json_of(response: reqwest::Response) -> Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

fn msg(body: &Value) -> &str {
    body["msg"].as_str().unwrap()
}

const BADGE_PATH: &str = "/open-apis/application/v6/app_badge/set";
const VERSION_PATH: &str = "/open-apis/application/v6/applications/cli_1/app_versions/oav_1?user_id_type=open_id&operator_id=ou_1";

#[tokio::test]
async fn a_request_that_breaks_the_schema_is_refused_naming_the_field() {
    let fake = fake().await;
    let raw = Raw::new(&fake);
    let token = raw
        .token(
            &fake,
            "/open-apis/auth/v3/tenant_access_token/internal",
            "tenant_access_token",
        )
        .await;
    let t = Some(token.as_str());

    // A wrong type.
    let (status, body) = raw
        .send("PATCH", VERSION_PATH, t, Some(json!({"status": "x"})))
        .await;
    assert_eq!((status, body["code"].as_i64()), (400, Some(99992402)));
    assert_eq!(msg(&body), r#"body.status: expected an integer, found "x""#);
    assert_eq!(
        body["error"]["field_violations"],
        json!([{"field": "body.status", "description": r#"expected an integer, found "x""#}])
    );
    // A value outside an enum, a nested wrong type, an unknown field.
    let (_, body) = raw
        .send(
            "POST",
            BADGE_PATH,
            t,
            Some(json!({"user_id": "u", "version": "1", "pc": {"web_app": "x", "gadgets": 1}})),
        )
        .await;
    assert_eq!(
        msg(&body),
        r#"body.pc.gadgets: not a field of body.pc (fields: web_app, gadget); body.pc.web_app: expected an integer, found "x""#
    );
    let (_, body) = raw
        .send("PATCH", VERSION_PATH, t, Some(json!({"status": 9})))
        .await;
    assert_eq!(
        msg(&body),
        "body.status: expected one of 0, 1, 2, 3, 4, found 9"
    );
    // A missing required field, in the body and in the query.
    let (_, body) = raw
        .send("POST", BADGE_PATH, t, Some(json!({"version": "1"})))
        .await;
    assert_eq!(msg(&body), "body.user_id: required");
    let path =
        "/open-apis/application/v6/applications/cli_1/app_versions/oav_1?user_id_type=open_id";
    let (_, body) = raw.send("PATCH", path, t, Some(json!({}))).await;
    assert_eq!(msg(&body), "query.operator_id: required");
    // An unknown query parameter, a value of the wrong type in the query.
    let list = "/open-apis/application/v6/applications/cli_1/feedbacks";
    let (_, body) = raw
        .send("GET", &format!("{list}?page_sise=10"), t, None)
        .await;
    assert_eq!(
        msg(&body),
        "query.page_sise: not a parameter of application.v6.application_feedback.list; did you mean `page_size`?"
    );
    let (_, body) = raw
        .send("GET", &format!("{list}?page_size=ten&status=7"), t, None)
        .await;
    assert_eq!(
        msg(&body),
        r#"query.page_size: expected an integer from -2147483648 to 2147483647, found "ten"; query.status: expected one of 0, 1, 2, 3, found "7""#
    );
    // A body where none is taken, and JSON that is not JSON.
    let (_, body) = raw.send("GET", list, t, Some(json!({}))).await;
    assert_eq!(
        msg(&body),
        "body: application.v6.application_feedback.list takes no body, found 2 bytes"
    );
    let response = raw
        .http
        .post(format!("{}{BADGE_PATH}", raw.base))
        .bearer_auth(&token)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    let body = json_of(response).await;
    assert_eq!(
        msg(&body),
        r#"header.content-type: expected application/json, found "text/plain""#
    );

    // Nothing that was refused reached a script or the example: all recorded as 400.
    let refused = fake
        .requests()
        .into_iter()
        .filter(|r| r.code == Some(99992402))
        .count();
    assert_eq!(refused, 9);
}

#[tokio::test]
async fn a_wrong_method_or_unknown_path_is_a_404_naming_the_nearest_endpoint() {
    let fake = fake().await;
    let raw = Raw::new(&fake);
    let (status, body) = raw
        .send(
            "POST",
            "/open-apis/application/v6/applications/cli_1/feedbacks/42",
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!((status, body["code"].as_i64()), (404, Some(404)));
    assert_eq!(
        msg(&body),
        "no endpoint POST /open-apis/application/v6/applications/cli_1/feedbacks/42; did you mean PATCH /open-apis/application/v6/applications/:app_id/feedbacks/:feedback_id (application.v6.application_feedback.patch)?"
    );
    let (status, body) = raw
        .send(
            "POST",
            "/open-apis/application/v6/app_badge/sett",
            None,
            None,
        )
        .await;
    assert_eq!(status, 404);
    assert!(msg(&body).ends_with(
        "did you mean POST /open-apis/application/v6/app_badge/set (application.v6.app_badge.set)?"
    ));
    let (status, body) = raw.send("GET", "/nothing/here", None, None).await;
    assert_eq!((status, msg(&body)), (404, "no endpoint GET /nothing/here"));
    let recorded = fake.requests();
    assert_eq!(recorded.len(), 3);
    assert!(
        recorded
            .iter()
            .all(|r| r.endpoint.is_none() && r.status == Some(404))
    );
}

#[tokio::test]
async fn a_missing_foreign_or_wrong_kind_of_token_is_refused_with_the_platform_code() {
    let fake = fake().await;
    let other = self::fake().await;
    let raw = Raw::new(&fake);
    let body = || Some(json!({"user_id": "u", "version": "1"}));

    let (status, answer) = raw.send("POST", BADGE_PATH, None, body()).await;
    assert_eq!((status, answer["code"].as_i64()), (400, Some(99991661)));
    assert_eq!(
        msg(&answer),
        "missing access token: send `Authorization: Bearer <token>`"
    );

    let foreign = Raw::new(&other)
        .token(
            &other,
            "/open-apis/auth/v3/tenant_access_token/internal",
            "tenant_access_token",
        )
        .await;
    let (_, answer) = raw.send("POST", BADGE_PATH, Some(&foreign), body()).await;
    assert_eq!(answer["code"].as_i64(), Some(99991663));
    assert_eq!(
        msg(&answer),
        "invalid tenant access token: not a token this fake issued (or it was revoked)"
    );

    let app = raw
        .token(
            &fake,
            "/open-apis/auth/v3/app_access_token/internal",
            "app_access_token",
        )
        .await;
    let (_, answer) = raw.send("POST", BADGE_PATH, Some(&app), body()).await;
    assert_eq!(
        msg(&answer),
        "invalid tenant access token: app_access_token given; application.v6.app_badge.set takes tenant_access_token"
    );
    let user = fake.user_access_token();
    let (_, answer) = raw.send("POST", BADGE_PATH, Some(&user), body()).await;
    assert_eq!(answer["code"].as_i64(), Some(99991663));

    // The token endpoints check the app's credentials.
    let (status, answer) = raw
        .send(
            "POST",
            "/open-apis/auth/v3/tenant_access_token/internal",
            None,
            Some(json!({"app_id": fake.app_id(), "app_secret": "guess"})),
        )
        .await;
    assert_eq!((status, answer["code"].as_i64()), (400, Some(10014)));

    let tenant = raw
        .token(
            &fake,
            "/open-apis/auth/v3/tenant_access_token/internal",
            "tenant_access_token",
        )
        .await;
    let (status, answer) = raw.send("POST", BADGE_PATH, Some(&tenant), body()).await;
    assert_eq!(
        (status, answer),
        (200, json!({"code": 0, "msg": "success", "data": {}}))
    );
    let last = fake.requests_to(BADGE).pop().unwrap();
    assert_eq!(last.token, Some(TokenKind::Tenant));
}

#[tokio::test]
async fn every_seed_endpoint_works_through_the_generated_client() {
    let fake = fake().await;
    let client = client(&fake);

    patch_feedback(&client).await.unwrap();
    let patched = &fake.requests_to(PATCH)[0];
    assert_eq!(patched.param("status"), Some("1"));
    assert_eq!(patched.body, RecordedBody::Empty);

    // The list answers the schema's example, which decodes.
    let page = client
        .application()
        .v6()
        .application_feedback()
        .list("cli_9f115af860f7901b")
        .send()
        .await
        .unwrap();
    let items = page.feedback_list.unwrap();
    assert_eq!(items[0].feedback_id.as_deref(), Some("7057888018203574291"));

    let version = || {
        client.application().v6().application_app_version().patch(
            ApplicationAppVersionPatchRequired {
                app_id: "cli_9f3ca975326b501b".into(),
                version_id: "oav_d317f090b7258ad0372aa53963cda70d".into(),
                user_id_type: UserIdType::OpenId,
                operator_id: "ou_4065981088f8ef67a504ba8bd6b24d85".into(),
            },
        )
    };
    version()
        .status(AppVersionStatus::Audited)
        .send()
        .await
        .unwrap();
    version()
        .status(AppVersionStatus::Reject)
        .reject_reason("图标不清晰")
        .send()
        .await
        .unwrap();
    let versions = fake.requests_to(VERSION);
    assert_eq!(versions[1].json(), Some(&json!({"status": 2})));
    assert_eq!(versions[1].param("reject_reason"), Some("图标不清晰"));

    let counts = || ClientBadgeNum::new().web_app(1).gadget(2);
    badge(&client)
        .pc(counts())
        .mobile(counts())
        .send()
        .await
        .unwrap();

    // The approval bot message lives on the www host, served on the same URL.
    let message = client
        .approval()
        .v1()
        .message()
        .update("7250020197497765889", BotMessageStatus::Approved)
        .send()
        .await
        .unwrap();
    assert_eq!(message.message_id.as_deref(), Some("7250020197497765889"));

    let links = || ExternalInstanceLink::new("https://example.com/approval/1");
    let text = I18nResourceText::new(I18nResourceTextRequired {
        key: "@i18n@1".into(),
        value: "出差申请".into(),
    });
    let instance = ExternalInstance::new(ExternalInstanceRequired {
        approval_code: "9D706BA5-9E9F-416E-96CB-53FEF8B9xxxx".into(),
        status: ExternalInstanceStatus::Pending,
        instance_id: "3162634".into(),
        links: links(),
        start_time: feishu::runtime::Timestamp::from_millis(1_688_022_000_000),
        end_time: feishu::runtime::Timestamp::ZERO,
        update_time: feishu::runtime::Timestamp::from_millis(1_688_022_000_000),
        i18n_resources: vec![I18nResource::new(I18nLocale::ZhCn, vec![text], true)],
    });
    let stored = client
        .approval()
        .v4()
        .external_instance()
        .create(instance)
        .send()
        .await
        .unwrap();
    assert_eq!(stored.data.unwrap().instance_id, "3162634");

    // One token for all of it, fetched once and sent on every call.
    assert_eq!(fake.requests_to(TENANT_TOKEN).len(), 1);
    let calls: Vec<_> = fake
        .requests()
        .into_iter()
        .filter(|r| r.endpoint != Some(TENANT_TOKEN))
        .collect();
    assert_eq!(calls.len(), 7);
    assert!(
        calls
            .iter()
            .all(|r| r.token == Some(TokenKind::Tenant) && r.status == Some(200)),
        "{calls:#?}"
    );
}

#[tokio::test]
async fn the_stream_follows_scripted_pages() {
    let fake = fake().await;
    let client = client(&fake);
    let item = |id: &str| json!({"feedback_id": id, "status": 0});
    fake.script(LIST)
        .respond(
            json!({"feedback_list": [item("1"), item("2")], "has_more": true, "page_token": "p2"}),
        )
        .respond(json!({"feedback_list": [item("3")], "has_more": false}));
    let mut stream = client
        .application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .page_size(2)
        .stream();
    let mut ids = Vec::new();
    while let Some(feedback) = stream.try_next().await.unwrap() {
        ids.push(feedback.feedback_id.unwrap());
    }
    assert_eq!(ids, ["1", "2", "3"]);
    let pages = fake.requests_to(LIST);
    assert_eq!(pages.len(), 2);
    assert_eq!(
        (pages[0].param("page_token"), pages[1].param("page_token")),
        (None, Some("p2"))
    );
    // The queue is spent: the example again.
    let page = client
        .application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.feedback_list.unwrap().len(), 1);
}

#[tokio::test]
async fn a_scripted_code_arrives_as_the_endpoints_typed_error() {
    let fake = fake().await;
    let client = client(&fake);
    fake.script(BADGE).error(213001);
    match badge(&client).send().await {
        Err(feishu::Error::Api(e)) => {
            assert_eq!(e.code, AppBadgeSetError::PcVersionConflict);
            assert_eq!(
                (e.http_status, e.msg.as_str()),
                (400, "pc version conflict")
            );
            assert!(e.log_id.as_deref().is_some_and(|id| id.starts_with("fake")));
        }
        other => panic!("expected the typed error, got {other:?}"),
    }
    // `times` repeats the answer queued last.
    fake.script(BADGE).error(213003).times(2);
    for _ in 0..2 {
        let err = badge(&client).send().await.unwrap_err();
        assert_eq!(err.raw_code(), Some(213003));
    }
    // An undocumented code keeps its number.
    fake.script(BADGE).error(99991401);
    let err = badge(&client).send().await.unwrap_err();
    assert_eq!(err.raw_code(), Some(99991401));
    assert!(badge(&client).send().await.is_ok());
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_and_retried() {
    let fake = fake().await;
    let client = client(&fake);
    fake.script(BADGE).rate_limited(1);
    let started = std::time::Instant::now();
    badge(&client).send().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "waited {:?}",
        started.elapsed()
    );
    let calls = fake.requests_to(BADGE);
    let outcomes: Vec<_> = calls.iter().map(|r| (r.status, r.code)).collect();
    assert_eq!(
        outcomes,
        [(Some(429), Some(99991400)), (Some(200), Some(0))]
    );
}

#[tokio::test]
async fn tokens_are_fetched_once_cached_and_refetched_when_revoked() {
    let fake = fake().await;
    let client = client(&fake);
    for _ in 0..5 {
        patch_feedback(&client).await.unwrap();
    }
    assert_eq!(fake.requests_to(TENANT_TOKEN).len(), 1);
    fake.revoke_tokens();
    patch_feedback(&client).await.unwrap();
    assert_eq!(fake.requests_to(TENANT_TOKEN).len(), 2);
    let codes: Vec<_> = fake.requests_to(PATCH).iter().map(|r| r.code).collect();
    assert_eq!(codes[5..], [Some(99991663), Some(0)]);
}

#[tokio::test]
async fn faults_are_retried_where_the_endpoint_is_idempotent() {
    let fake = fake().await;
    let client = client(&fake);
    let version = || {
        client.application().v6().application_app_version().patch(
            ApplicationAppVersionPatchRequired {
                app_id: "cli_1".into(),
                version_id: "oav_1".into(),
                user_id_type: UserIdType::OpenId,
                operator_id: "ou_1".into(),
            },
        )
    };
    fake.script(VERSION)
        .fault(Fault::Status(503))
        .fault(Fault::Drop);
    version()
        .status(AppVersionStatus::Audited)
        .send()
        .await
        .unwrap();
    let statuses: Vec<_> = fake.requests_to(VERSION).iter().map(|r| r.status).collect();
    assert_eq!(statuses, [Some(503), None, Some(200)]);

    // The badge is not idempotent: a 5xx is the caller's to see.
    fake.script(BADGE).fault(Fault::Status(502));
    let err = badge(&client).send().await.unwrap_err();
    assert_eq!(err.http_status(), Some(502));
    assert_eq!(fake.requests_to(BADGE).len(), 1);

    // A delay longer than the client's timeout is a timeout.
    let impatient = fake
        .configure(feishu::Client::builder())
        .timeout(Duration::from_millis(100))
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    fake.script(BADGE)
        .fault(Fault::Delay(Duration::from_secs(2)));
    assert!(badge(&impatient).send().await.is_err());
}

#[tokio::test]
async fn a_marketplace_app_gets_its_tenant_token_through_the_app_ticket() {
    let fake = fake().await;
    let client: feishu::Client = fake
        .configure_marketplace(feishu::Client::builder())
        .build()
        .unwrap();
    let as_tenant = || badge(&client).options(RequestOptions::new().tenant_key("2ed263bf32cf1651"));

    // No ticket yet: the client asks for one and fails.
    assert!(as_tenant().send().await.is_err());
    assert_eq!(fake.requests_to("auth.v3.app_ticket.resend").len(), 1);

    // The platform pushes the ticket as an event; a dispatcher stores it in the client.
    let dispatcher = feishu::events::Dispatcher::builder()
        .client(client.runtime())
        .build();
    dispatcher.dispatch(fake.app_ticket_event()).await;
    as_tenant().send().await.unwrap();
    as_tenant().send().await.unwrap();

    assert_eq!(fake.requests_to("auth.v3.app_access_token.create").len(), 1);
    let tenant = fake.requests_to("auth.v3.tenant_access_token.create");
    assert_eq!(tenant.len(), 1);
    assert_eq!(tenant[0].json().unwrap()["tenant_key"], "2ed263bf32cf1651");
    let calls = fake.requests_to(BADGE);
    assert_eq!(
        calls.last().unwrap().tenant_key.as_deref(),
        Some("2ed263bf32cf1651")
    );
    assert_eq!(calls.last().unwrap().status, Some(200));

    // A forged ticket is refused with the platform's code.
    let forged = fake
        .configure_marketplace(feishu::Client::builder())
        .build()
        .unwrap();
    forged.set_app_ticket("forged");
    let err = badge(&forged)
        .options(RequestOptions::new().tenant_key("t"))
        .send()
        .await
        .unwrap_err();
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(e) = source {
        chain.push_str(&format!(": {e}"));
        source = e.source();
    }
    assert!(
        chain.contains("10012") || chain.contains("app_ticket invalid"),
        "{chain}"
    );
}

#[tokio::test]
async fn hostile_requests_get_answers_and_the_fake_keeps_serving() {
    let fake = fake().await;
    let raw = Raw::new(&fake);
    let token = raw
        .token(
            &fake,
            "/open-apis/auth/v3/tenant_access_token/internal",
            "tenant_access_token",
        )
        .await;
    let send = |body: Vec<u8>| {
        raw.http
            .post(format!("{}{BADGE_PATH}", raw.base))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let wide = format!(
        "{{{}\"x\":1}}",
        (0..50_000)
            .map(|i| format!("\"f{i}\":{i},"))
            .collect::<String>()
    );
    for body in [
        b"\xff\xfe".to_vec(),
        deep.into_bytes(),
        wide.into_bytes(),
        b"{\"user_id\":".to_vec(),
    ] {
        let response = send(body).await.unwrap();
        assert_eq!(response.status(), 400);
        let answer = json_of(response).await;
        assert!(msg(&answer).len() < 4096, "{}", msg(&answer).len());
    }
    let response = send(vec![b' '; 40 * 1024 * 1024]).await;
    if let Ok(response) = response {
        assert_eq!(response.status(), 413);
    }
    let query = format!(
        "/open-apis/application/v6/applications/a/feedbacks?{}",
        "%ff%00=%zz&".repeat(5_000)
    );
    let (status, _) = raw.send("GET", &query, Some(&token), None).await;
    assert_eq!(status, 400);
    let (status, _) = raw
        .send(
            "POST",
            BADGE_PATH,
            Some(&token),
            Some(json!({"user_id": "u", "version": "1"})),
        )
        .await;
    assert_eq!(status, 200);
}
