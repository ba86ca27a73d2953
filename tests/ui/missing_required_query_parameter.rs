// The feedback update requires `operator_id`; leaving it out does not compile.
use feishu::application::v6::{ApplicationFeedbackPatchRequired, FeedbackStatus};

async fn call(client: &feishu::Client) {
    let _ = client
        .application()
        .v6()
        .application_feedback()
        .patch(ApplicationFeedbackPatchRequired {
            app_id: "cli_9f115af860f7901b".into(),
            feedback_id: "7057888018203574291".into(),
            status: FeedbackStatus::Marked,
        })
        .send()
        .await;
}

fn main() {
    let _ = call;
}
