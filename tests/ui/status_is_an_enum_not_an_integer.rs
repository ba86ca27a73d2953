// Enum parameters take the enum, not its wire value.
use feishu::application::v6::ApplicationFeedbackPatchRequired;

async fn call(client: &feishu::Client) {
    let required = ApplicationFeedbackPatchRequired {
        app_id: "cli".into(),
        feedback_id: "1".into(),
        status: 1,
        operator_id: "ou_1".into(),
    };
    let _ = client.application().v6().application_feedback().patch(required).send().await;
}

fn main() {
    let _ = call;
}
