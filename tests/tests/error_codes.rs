//! Every documented error code of the seed endpoints arrives as its typed variant,
//! carrying the log id; undocumented codes keep their number.

use feishu::UserIdType;
use feishu::application::v6::{
    AppBadgeSetError, ApplicationAppVersionPatchError, ApplicationFeedbackPatchError,
    FeedbackStatus,
};
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

async fn answer_with(server: &MockServer, http: u16, code: i64, log_id: &str) {
    server.reset().await;
    Mock::given(wiremock::matchers::any())
        .respond_with(
            ResponseTemplate::new(http)
                .insert_header("X-Tt-Logid", log_id)
                .set_body_json(
                    json!({"code": code, "msg": format!("message for {code}"), "data": {}}),
                ),
        )
        .mount(server)
        .await;
}

fn fixed_client(server: &MockServer) -> feishu::Client {
    feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(server.uri())
        .retry(feishu::RetryPolicy::none())
        .build()
        .unwrap()
}

/// Answers each call with one code after another; each must arrive as its variant,
/// with the message, the HTTP status and the log id.
async fn check_codes<E, F, Fut>(cases: &[(i64, E)], call: F)
where
    E: Copy + PartialEq + std::fmt::Debug + feishu::ErrorCode,
    F: Fn(feishu::Client) -> Fut,
    Fut: std::future::Future<Output = Result<(), feishu::Error<E>>>,
{
    let server = MockServer::start().await;
    let client = fixed_client(&server);
    for &(code, variant) in cases {
        let log_id = format!("log-{code}");
        answer_with(&server, 400, code, &log_id).await;
        let err = call(client.clone()).await.unwrap_err();
        let api = err
            .api()
            .unwrap_or_else(|| panic!("{code}: expected an API error, got {err:?}"));
        assert_eq!(api.code, variant, "code {code}");
        assert_eq!(variant.code(), code, "the variant keeps its number");
        assert_eq!(E::from_code(code), variant);
        assert_eq!(api.raw_code, code);
        assert_eq!(api.http_status, 400);
        assert_eq!(api.msg, format!("message for {code}"));
        assert_eq!(err.log_id(), Some(log_id.as_str()));
        assert!(err.to_string().contains(&log_id), "{err}");
    }
}

#[tokio::test]
async fn feedback_update_codes_are_typed() {
    use ApplicationFeedbackPatchError as E;
    let cases = [
        (211005, E::InvalidAppId),
        (210504, E::NoSuchAppInTenant),
        (210513, E::NoSuchUserInTenant),
        (210507, E::NoSuchUserId),
        (99991663, E::TenantAccessTokenInvalid),
        (12345, <E as feishu::ErrorCode>::from_code(12345)),
    ];
    check_codes(&cases, |c| async move {
        let feedback = c.application().v6().application_feedback();
        feedback
            .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
                app_id: "cli_1".into(),
                feedback_id: "1".into(),
                status: FeedbackStatus::Closed,
                operator_id: "ou_1".into(),
            })
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn app_version_codes_are_typed() {
    use ApplicationAppVersionPatchError as E;
    let cases = [
        (210503, E::InvalidAppIdInPath),
        (210504, E::NoSuchAppInTenant),
        (210505, E::NotACustomApp),
        (210506, E::NoSuchApp),
        (210507, E::NoSuchUserId),
        (211002, E::NoSuchVersionId),
        (211003, E::VersionNotOfApp),
        (211004, E::NoAuthorityForQuotaLimit),
        (211005, E::InvalidAppId),
        (211006, E::InvalidDepartmentId),
    ];
    check_codes(&cases, |c| async move {
        let versions = c.application().v6().application_app_version();
        versions
            .patch(
                feishu::application::v6::ApplicationAppVersionPatchRequired {
                    app_id: "cli_1".into(),
                    version_id: "oav_1".into(),
                    user_id_type: UserIdType::OpenId,
                    operator_id: "ou_1".into(),
                },
            )
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn badge_codes_are_typed() {
    use AppBadgeSetError as E;
    let cases = [
        (213001, E::PcVersionConflict),
        (213002, E::MobileVersionConflict),
        (213003, E::NoData),
        (213004, E::ConcurrentUserUpdate),
        (213005, E::InvalidVersion),
        (213006, E::UserStatusNotValid),
        (213007, E::UserInvisible),
    ];
    check_codes(&cases, |c| async move {
        c.application()
            .v6()
            .app_badge()
            .set(feishu::application::v6::AppBadgeSetRequired {
                user_id: "ou_1".into(),
                version: "1".into(),
            })
            .send()
            .await
    })
    .await;
}

#[tokio::test]
async fn error_details_from_the_body_are_kept() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 213005, "msg": "invalid version",
            "error": {"log_id": "body-log", "troubleshooter": "https://open.feishu.cn/search?log_id=body-log",
                      "field_violations": [{"field": "version", "description": "must increase"}],
                      "permission_violations": [{"type": "scope", "subject": "application:x", "description": "missing"}],
                      "helps": [{"url": "https://example.com", "description": "docs"}]}
        })))
        .mount(&server)
        .await;
    let err = fixed_client(&server)
        .application()
        .v6()
        .app_badge()
        .set(feishu::application::v6::AppBadgeSetRequired {
            user_id: "ou_1".into(),
            version: "1".into(),
        })
        .send()
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(
        api.log_id.as_deref(),
        Some("body-log"),
        "falls back to error.log_id"
    );
    assert_eq!(api.detail.field_violations[0].field, "version");
    assert_eq!(api.detail.permission_violations[0].subject, "application:x");
    assert_eq!(api.detail.helps[0].description, "docs");
    assert!(
        err.to_string()
            .contains("troubleshooter: https://open.feishu.cn/search?log_id=body-log")
    );
}
