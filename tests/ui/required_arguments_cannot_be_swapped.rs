// Two strings side by side are passed by name: positional arguments, which could be
// swapped without a compile error, are not accepted.
async fn call(client: &feishu::Client) {
    let _ = client.application().v6().app_badge().set("1664360599355", "ou_d317f090b7258ad0372aa53963cda70d").send().await;
}

fn main() {
    let _ = call;
}
