// The badge update requires `user_id` and `version`.
use feishu::application::v6::AppBadgeSetRequired;

async fn call(client: &feishu::Client) {
    let required = AppBadgeSetRequired { user_id: "ou_d317f090b7258ad0372aa53963cda70d".into() };
    let _ = client.application().v6().app_badge().set(required).send().await;
}

fn main() {
    let _ = call;
}
