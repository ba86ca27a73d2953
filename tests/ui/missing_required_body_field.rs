// The badge update requires `user_id` and `version`.
async fn call(client: &feishu::Client) {
    let _ = client.application().v6().app_badge().set("ou_d317f090b7258ad0372aa53963cda70d").send().await;
}

fn main() {
    let _ = call;
}
