// Enum parameters take the enum, not its wire value.
async fn call(client: &feishu::Client) {
    let _ = client.application().v6().application_feedback().patch("cli", "1", 1, "ou_1").send().await;
}

fn main() {
    let _ = call;
}
