//! What a caller gets besides the typed response: response metadata, error helpers that
//! work the same for every endpoint, and enums that list and parse their values.

use feishu::UserIdType;
use feishu::application::v6::FeedbackStatus;
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const LIST: &str = "/open-apis/application/v6/applications/cli_1/feedbacks";

fn client(base: &str, retry: feishu::RetryPolicy) -> feishu::Client {
    feishu::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(base)
        .retry(retry)
        .build()
        .unwrap()
}

async fn answering(status: u16, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(path(LIST))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("x-tt-logid", "202411220001")
                .set_body_json(body),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_successful_call_can_give_its_log_id_and_status() {
    let server = answering(200, json!({"code": 0, "data": {"has_more": false}})).await;
    let c = client(&server.uri(), fast_retries());
    let call = c.application().v6().application_feedback().list("cli_1");
    let (page, meta) = call.send().with_meta().await.unwrap();
    assert_eq!(page.has_more, Some(false));
    assert_eq!(meta.log_id.as_deref(), Some("202411220001"));
    assert_eq!(meta.http_status, 200);
}

#[tokio::test]
async fn rate_limits_and_rejected_tokens_are_recognised_on_any_endpoint() {
    let server = answering(429, json!({"code": 99991400, "msg": "slow down"})).await;
    let c = client(&server.uri(), feishu::RetryPolicy::none());
    let call = c.application().v6().application_feedback().list("cli_1");
    let err = call.send().await.unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert!(!err.is_token_invalid());
    assert_eq!(err.raw_code(), Some(99991400));
    assert_eq!(err.http_status(), Some(429));
    assert_eq!(
        feishu::CommonError::of(&err),
        Some(feishu::CommonError::RateLimited)
    );

    let server = answering(400, json!({"code": 99991663, "msg": "invalid token"})).await;
    let c = client(&server.uri(), feishu::RetryPolicy::none());
    let call = c.application().v6().application_feedback().list("cli_1");
    let err = call.send().await.unwrap_err();
    assert!(err.is_token_invalid(), "{err:?}");
    assert!(!err.is_rate_limited());
    assert_eq!(
        feishu::CommonError::of(&err),
        Some(feishu::CommonError::TenantAccessTokenInvalid)
    );
    assert_eq!(feishu::CommonError::from_code(12345), None);
}

#[tokio::test]
async fn an_endpoint_without_codes_of_its_own_answers_with_the_general_enum() {
    use feishu::application::v5::ApplicationFavouriteError;
    let server = MockServer::start().await;
    let favourite = "/open-apis/application/v5/applications/favourite";
    Mock::given(path(favourite))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"code": 10012})))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(favourite))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"code": 1234567})))
        .mount(&server)
        .await;
    let c = client(&server.uri(), feishu::RetryPolicy::none());
    let call = || c.application().v5().application().favourite().send();

    // The alias is the one enum: a match names the common codes as on any endpoint.
    let err: feishu::Error<feishu::GeneralError> = call().await.unwrap_err();
    let feishu::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code, ApplicationFavouriteError::AppTicketInvalid);
    assert_eq!(api.code.code(), 10012);
    assert_eq!(
        feishu::CommonError::of(&err),
        Some(feishu::CommonError::AppTicketInvalid)
    );

    let err = call().await.unwrap_err();
    let feishu::Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert!(
        matches!(api.code, feishu::GeneralError::Unknown(_)),
        "{err:?}"
    );
    assert_eq!(api.code.code(), 1234567);
    assert_eq!(feishu::CommonError::of(&err), None);
}

#[tokio::test]
async fn a_schema_marked_rate_limit_code_is_recognised_too() {
    use feishu_golden::shop::v1::{Order, OrderCreateError, OrderState};
    let server = MockServer::start().await;
    Mock::given(path("/open-apis/shop/v1/stores/s1/orders"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"code": 100002})))
        .mount(&server)
        .await;
    let c = feishu_golden::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(server.uri())
        .retry(feishu::RetryPolicy::none())
        .build()
        .unwrap();
    let order = Order::new("o1", OrderState::Placed, "2024-01-01");
    let err = c
        .shop()
        .v1()
        .order()
        .create("s1", order)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_rate_limited(), "{err:?}");
    assert_eq!(err.api().map(|e| e.code), Some(OrderCreateError::ShopBusy));
}

#[test]
fn enums_list_their_values_and_parse_from_strings() {
    assert_eq!(FeedbackStatus::KNOWN.len(), 4);
    for status in FeedbackStatus::KNOWN {
        assert_eq!(FeedbackStatus::from_value(status.value()), *status);
    }
    assert_eq!(
        UserIdType::KNOWN,
        [UserIdType::OpenId, UserIdType::UnionId, UserIdType::UserId]
    );
    assert_eq!("union_id".parse::<UserIdType>(), Ok(UserIdType::UnionId));
    let unknown: UserIdType = "email".parse().unwrap();
    assert!(matches!(&unknown, UserIdType::Unknown(v) if v.as_str() == "email"));
    assert_eq!(unknown.to_string(), "email");
    assert!(matches!(FeedbackStatus::from_value(9), FeedbackStatus::Unknown(v) if v.value() == 9));
}
