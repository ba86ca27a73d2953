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

#[tokio::test]
async fn feedback_update_codes_are_typed() {
    let server = MockServer::start().await;
    let client = fixed_client(&server);
    let cases = [
        (211005, ApplicationFeedbackPatchError::InvalidAppId),
        (210504, ApplicationFeedbackPatchError::NoSuchAppInTenant),
        (210513, ApplicationFeedbackPatchError::NoSuchUserInTenant),
        (210507, ApplicationFeedbackPatchError::NoSuchUserId),
        (
            99991663,
            ApplicationFeedbackPatchError::TenantAccessTokenInvalid,
        ),
        (12345, ApplicationFeedbackPatchError::Unknown(12345)),
    ];
    for (code, variant) in cases {
        let log_id = format!("log-{code}");
        answer_with(&server, 400, code, &log_id).await;
        let err = client
            .application()
            .v6()
            .application_feedback()
            .patch("cli_1", "1", FeedbackStatus::Closed, "ou_1")
            .send()
            .await
            .unwrap_err();
        let api = err
            .api()
            .unwrap_or_else(|| panic!("{code}: expected an API error, got {err:?}"));
        assert_eq!(api.code, variant);
        assert_eq!(api.code.code(), code);
        assert_eq!(api.raw_code, code);
        assert_eq!(api.http_status, 400);
        assert_eq!(api.msg, format!("message for {code}"));
        assert_eq!(err.log_id(), Some(log_id.as_str()));
        assert!(err.to_string().contains(&log_id), "{err}");
    }
}

#[tokio::test]
async fn app_version_codes_are_typed() {
    use ApplicationAppVersionPatchError as E;
    let server = MockServer::start().await;
    let client = fixed_client(&server);
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
    for (code, variant) in cases {
        answer_with(&server, 400, code, "log-v").await;
        let err = client
            .application()
            .v6()
            .application_app_version()
            .patch("cli_1", "oav_1", UserIdType::OpenId, "ou_1")
            .send()
            .await
            .unwrap_err();
        let api = err.api().expect("API error");
        assert_eq!(
            (api.code, err.log_id()),
            (variant, Some("log-v")),
            "code {code}"
        );
    }
}

#[tokio::test]
async fn badge_codes_are_typed() {
    use AppBadgeSetError as E;
    let server = MockServer::start().await;
    let client = fixed_client(&server);
    let cases = [
        (213001, E::PcVersionConflict),
        (213002, E::MobileVersionConflict),
        (213003, E::NoData),
        (213004, E::ConcurrentUserUpdate),
        (213005, E::InvalidVersion),
        (213006, E::UserStatusNotValid),
        (213007, E::UserInvisible),
    ];
    for (code, variant) in cases {
        answer_with(&server, 400, code, "log-b").await;
        let err = client
            .application()
            .v6()
            .app_badge()
            .set("ou_1", "1")
            .send()
            .await
            .unwrap_err();
        let api = err.api().expect("API error");
        assert_eq!(
            (api.code, err.log_id()),
            (variant, Some("log-b")),
            "code {code}"
        );
    }
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
        .set("ou_1", "1")
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
