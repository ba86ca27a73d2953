//! Every seed call through the typed API against a real HTTP server on 127.0.0.1: the
//! method, path, query string, headers and JSON body on the wire are what the seed
//! pages specify, and their response examples decode.

use feishu::UserIdType;
use feishu::application::v6::{AppVersionStatus, ClientBadgeNum, FeedbackStatus};
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

fn success() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(fixture("success.response.json"))
}

/// `server` answers `verb p` with `response`, and must be called exactly once.
async fn expect_once(server: &MockServer, verb: &str, p: &str, response: ResponseTemplate) {
    Mock::given(method(verb))
        .and(path(p))
        .respond_with(response)
        .expect(1)
        .mount(server)
        .await;
}

fn assert_headers(request: &wiremock::Request) {
    let header = |name: &str| {
        request
            .headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    assert_eq!(
        header("authorization").as_deref(),
        Some(format!("Bearer {TENANT_TOKEN}").as_str())
    );
    assert_eq!(
        header("content-type").as_deref(),
        Some("application/json; charset=utf-8")
    );
}

#[tokio::test]
async fn update_app_feedback() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p =
        "/open-apis/application/v6/applications/cli_9f115af860f7901b/feedbacks/7057888018203574291";
    expect_once(&server, "PATCH", p, success()).await;

    let client = client_for(&server);
    client
        .application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_9f115af860f7901b".into(),
            feedback_id: "7057888018203574291".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_9565b69967831233761cc2f11b4c089f".into(),
        })
        .user_id_type(UserIdType::OpenId)
        .send()
        .await
        .unwrap();

    let requests = requests_to(&server, p).await;
    let request = &requests[0];
    assert_eq!(request.method.as_str(), "PATCH");
    assert_eq!(
        request.url.query(),
        Some("user_id_type=open_id&status=1&operator_id=ou_9565b69967831233761cc2f11b4c089f")
    );
    assert_headers(request);
    assert!(request.body.is_empty(), "the feedback update has no body");
}

#[tokio::test]
async fn update_app_version_review_status() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p = "/open-apis/application/v6/applications/cli_9f3ca975326b501b/app_versions/oav_d317f090b7258ad0372aa53963cda70d";
    expect_once(&server, "PATCH", p, success()).await;
    let client = client_for(&server);
    let versions = || client.application().v6().application_app_version();
    let patch = || {
        versions().patch(
            feishu::application::v6::ApplicationAppVersionPatchRequired {
                app_id: "cli_9f3ca975326b501b".into(),
                version_id: "oav_d317f090b7258ad0372aa53963cda70d".into(),
                user_id_type: UserIdType::OpenId,
                operator_id: "ou_4065981088f8ef67a504ba8bd6b24d85".into(),
            },
        )
    };

    patch()
        .status(AppVersionStatus::Audited)
        .send()
        .await
        .unwrap();
    let request = &requests_to(&server, p).await[0];
    assert_eq!(
        request.url.query(),
        Some("user_id_type=open_id&operator_id=ou_4065981088f8ef67a504ba8bd6b24d85")
    );
    assert_eq!(
        json_body(request),
        fixture("application_app_version.patch.request.json")
    );
    assert_headers(request);

    // A rejection without a reason is refused before anything is sent.
    let err = patch()
        .status(AppVersionStatus::Reject)
        .send()
        .await
        .unwrap_err();
    match err {
        feishu::Error::Invalid(invalid) => {
            assert_eq!(invalid.field, "reject_reason");
            assert_eq!(
                invalid.to_string(),
                "invalid request: `reject_reason` is required when `status` is 2"
            );
        }
        other => panic!("expected Invalid, got {other:?}"),
    }
    assert_eq!(requests_to(&server, p).await.len(), 1, "nothing was sent");
}

#[tokio::test]
async fn rejection_with_a_reason_is_sent_with_the_reason_in_the_query() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p = "/open-apis/application/v6/applications/cli_x/app_versions/oav_1";
    expect_once(&server, "PATCH", p, success()).await;
    let client = client_for(&server);
    client
        .application()
        .v6()
        .application_app_version()
        .patch(
            feishu::application::v6::ApplicationAppVersionPatchRequired {
                app_id: "cli_x".into(),
                version_id: "oav_1".into(),
                user_id_type: UserIdType::UserId,
                operator_id: "ou_1".into(),
            },
        )
        .status(AppVersionStatus::Reject)
        .reject_reason("拒绝理由 & more")
        .send()
        .await
        .unwrap();
    let request = &requests_to(&server, p).await[0];
    assert_eq!(
        request.url.query(),
        Some(
            "user_id_type=user_id&operator_id=ou_1&reject_reason=%E6%8B%92%E7%BB%9D%E7%90%86%E7%94%B1%20%26%20more"
        )
    );
    assert_eq!(json_body(request), json!({"status": 2}));
}

#[tokio::test]
async fn set_app_badge() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p = "/open-apis/application/v6/app_badge/set";
    expect_once(&server, "POST", p, success()).await;
    let client = client_for(&server);
    let badge = || ClientBadgeNum::new().web_app(1).gadget(2);
    client
        .application()
        .v6()
        .app_badge()
        .set(feishu::application::v6::AppBadgeSetRequired {
            user_id: "ou_d317f090b7258ad0372aa53963cda70d".into(),
            version: "1664360599355".into(),
        })
        .extra("{}")
        .pc(badge())
        .mobile(badge())
        .send()
        .await
        .unwrap();
    let request = &requests_to(&server, p).await[0];
    assert_eq!(request.url.query(), None);
    assert_eq!(json_body(request), fixture("app_badge.set.request.json"));
    assert_headers(request);

    // Counts below the documented range are refused before sending.
    let err = client
        .application()
        .v6()
        .app_badge()
        .set(feishu::application::v6::AppBadgeSetRequired {
            user_id: "ou_1".into(),
            version: "1".into(),
        })
        .pc(ClientBadgeNum::new().gadget(-1))
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid request: `pc.gadget` is -1, outside 0..=2147483647"
    );
    assert_eq!(requests_to(&server, p).await.len(), 1);
}

#[tokio::test]
async fn list_app_feedback_streams_every_page() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p = "/open-apis/application/v6/applications/cli_9f115af860f7901b/feedbacks";
    let item = |id: &str| {
        json!({"feedback_id": id, "app_id": "cli_9f115af860f7901b", "feedback_type": 1, "status": 0,
        "fault_type": [1, 9], "source": 2, "images": ["https://example.com/a.png"], "new_field": true})
    };
    Mock::given(method("GET"))
        .and(path(p))
        .and(wiremock::matchers::query_param("page_token", "p2"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success",
            "data": {"feedback_list": [item("3")], "has_more": false}})),
        )
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success",
            "data": {"feedback_list": [item("1"), item("2")], "has_more": true, "page_token": "p2"}})))
        .mount(&server)
        .await;
    let client = client_for(&server);
    use feishu::application::v6::{FaultType, FeedbackSource, FeedbackType};
    let items: Vec<_> = client
        .application()
        .v6()
        .application_feedback()
        .list("cli_9f115af860f7901b")
        .feedback_type(FeedbackType::Fault)
        .page_size(2)
        .stream()
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<_> = items
        .iter()
        .map(|i| i.feedback_id.clone().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2", "3"]);
    assert_eq!(
        items[0].fault_type,
        Some(vec![FaultType::BlackScreen, FaultType::from_value(9)])
    );
    assert_eq!(items[0].source, Some(FeedbackSource::WebApp));
    let requests = requests_to(&server, p).await;
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].url.query(), Some("feedback_type=1&page_size=2"));
    assert_eq!(
        requests[1].url.query(),
        Some("feedback_type=1&page_token=p2&page_size=2")
    );
}

#[tokio::test]
async fn approval_bot_message_update_goes_to_the_www_host() {
    let open = MockServer::start().await;
    let www = MockServer::start().await;
    mount_tenant_token(&open, TENANT_TOKEN).await;
    let p = "/approval/openapi/v1/message/update";
    expect_once(
        &www,
        "POST",
        p,
        ResponseTemplate::new(200).set_body_json(
            json!({"code": 0, "msg": "success", "data": {"message_id": "7250020197497765889"}}),
        ),
    )
    .await;
    let client = feishu::Client::builder()
        .app_credentials(APP_ID, APP_SECRET)
        .open_base_url(open.uri())
        .www_base_url(www.uri())
        .build()
        .unwrap();
    use feishu::approval::v1::BotMessageStatus;
    let response = client
        .approval()
        .v1()
        .message()
        .update("7250020197497765889", BotMessageStatus::Approved)
        .send()
        .await
        .unwrap();
    assert_eq!(response.message_id.as_deref(), Some("7250020197497765889"));
    let request = &requests_to(&www, p).await[0];
    assert_eq!(json_body(request), fixture("message.update.request.json"));
    assert_headers(request);
    assert!(
        requests_to(&open, p).await.is_empty(),
        "the open host never sees it"
    );
}

#[tokio::test]
async fn sync_external_instance_sends_the_seed_body_and_decodes_the_stored_instance() {
    use feishu::approval::v4::*;
    use feishu::runtime::Timestamp;
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let seed = fixture("external_instance.create.request.json");
    let p = "/open-apis/approval/v4/external_instances";
    expect_once(
        &server,
        "POST",
        p,
        ResponseTemplate::new(200)
            .set_body_json(json!({"code": 0, "msg": "success", "data": {"data": seed}})),
    )
    .await;

    let link = |pc: &str, mobile: &str| ExternalInstanceLink::new(pc).mobile_link(mobile);
    let sso = "http://applink.feishu.cn/sso/common?xxx";
    let example = "http://www.example.com";
    let text = |key: &str, value: &str| {
        I18nResourceText::new(I18nResourceTextRequired {
            key: key.into(),
            value: value.into(),
        })
    };
    let texts = vec![
        text("@i18n@1", "测试审批"),
        text("@i18n@2", "天"),
        text("@i18n@3", "2023-06-29"),
    ];
    // Eight required fields: named, so none can take another's place; times are
    // timestamps, not strings.
    let ms = Timestamp::from_millis;
    let instance = ExternalInstance::new(ExternalInstanceRequired {
        approval_code: "9D706BA5-9E9F-416E-96CB-53FEF8B9xxxx".into(),
        status: ExternalInstanceStatus::Approved,
        instance_id: "3162634".into(),
        links: link(sso, sso),
        start_time: ms(1688022000000),
        end_time: ms(0),
        update_time: ms(1688022600000),
        i18n_resources: vec![I18nResource::new(I18nLocale::ZhCn, texts, true)],
    })
    .title("@i18n@1")
    .form(vec![
        ExternalInstanceForm::new().name("@i18n@2").value("@i18n@3"),
    ])
    .user_id("454dg7x4")
    .user_name("李健")
    .update_mode(UpdateMode::Replace)
    .task_list(vec![
        ExternalInstanceTask::new(ExternalInstanceTaskRequired {
            task_id: "112253".into(),
            links: link(example, example),
            status: ExternalTaskStatus::Approved,
            create_time: ms(1688022000000),
            end_time: ms(0),
        })
        .user_id("454dg7x4")
        .title("同意审批")
        .update_time(ms(1688022600000))
        .action_context("123456")
        .action_configs(vec![
            ActionConfig::new("APPROVE")
                .action_name("@i18n@1")
                .is_need_reason(true)
                .is_reason_required(true)
                .is_need_attachment(true),
        ]),
    ])
    .cc_list(vec![
        ExternalInstanceCc::new(ExternalInstanceCcRequired {
            cc_id: "1231243".into(),
            links: link(example, example),
            read_status: CcReadStatus::Read,
            create_time: ms(1688022000000),
            update_time: ms(1688022600000),
        })
        .user_id("454dg7x4")
        .title("抄送任务"),
    ]);

    let client = client_for(&server);
    let response = client
        .approval()
        .v4()
        .external_instance()
        .create(instance.clone())
        .send()
        .await
        .unwrap();

    // On the wire: the seed body, except that timestamps are always strings (the seed
    // writes `"end_time": 0`, a number, for a string field).
    let mut expected = seed.clone();
    expected["end_time"] = json!("0");
    expected["task_list"][0]["end_time"] = json!("0");
    let request = &requests_to(&server, p).await[0];
    assert_eq!(json_body(request), expected);
    assert_headers(request);

    // serde (the `serde` feature) writes exactly what the client sends.
    assert_eq!(serde_json::to_value(&instance).unwrap(), expected);

    // The seed body, numbers and all, decodes to the same typed instance, through serde
    // and through the client's own conversion, and so does the response's `data.data`.
    use feishu::runtime::__private::json::FromJson;
    assert_eq!(ExternalInstance::from_json(seed.clone()).unwrap(), instance);
    let decoded: ExternalInstance = serde_json::from_value(seed).unwrap();
    assert_eq!(decoded, instance);
    assert_eq!(response.data, Some(instance));
}

#[tokio::test]
async fn a_repeated_page_token_ends_the_stream_instead_of_looping() {
    let server = MockServer::start().await;
    mount_tenant_token(&server, TENANT_TOKEN).await;
    let p = "/open-apis/application/v6/applications/cli_1/feedbacks";
    // A server that always claims more and always hands back the same token.
    Mock::given(method("GET"))
        .and(path(p))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "msg": "success",
            "data": {"feedback_list": [{"feedback_id": "x"}], "has_more": true, "page_token": "same"}})))
        .mount(&server)
        .await;
    use futures_util::StreamExt;
    let items: Vec<_> = client_for(&server)
        .application()
        .v6()
        .application_feedback()
        .list("cli_1")
        .stream()
        .collect()
        .await;
    assert_eq!(
        items.len(),
        3,
        "first page, the page for `same`, then why it stopped"
    );
    assert!(items[..2].iter().all(Result::is_ok));
    match &items[2] {
        Err(feishu::Error::Pagination(e)) => {
            assert_eq!(e.reason, feishu::runtime::PaginationStop::RepeatedToken);
            assert_eq!(e.pages, 2);
        }
        other => panic!("expected the pagination error, got {other:?}"),
    }
    assert_eq!(requests_to(&server, p).await.len(), 2);
}
