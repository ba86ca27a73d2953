//! Triage app feedback: read every unprocessed feedback (the list's `stream()` follows
//! the pages), then mark each one processed.

use std::io::Write;

use feishu::application::v6::{ApplicationFeedbackPatchRequired, FeedbackStatus, FeedbackType};
use feishu::runtime::testing::FakeFeishu;
use serde_json::json;

use crate::setup::{BoxError, Env};

/// Settings: `FEISHU_TARGET_APP_ID` (the app whose feedback to read) and
/// `FEISHU_OPERATOR_ID` (the open_id marking it).
pub async fn run(env: &Env, out: &mut dyn Write) -> Result<(), BoxError> {
    if let Some(fake) = env.fake_server() {
        stage(fake);
    }
    let app_id = env.setting("FEISHU_TARGET_APP_ID", "cli_9f115af860f7901b")?;
    let operator = env.setting("FEISHU_OPERATOR_ID", "ou_9565b69967831233761cc2f11b4c089f")?;
    writeln!(out, "triage_feedback: on {}", env.describe())?;
    let feedback = env.client.application().v6().application_feedback();

    let mut unprocessed = feedback
        .list(&app_id)
        .status(FeedbackStatus::Unmarked)
        .page_size(2)
        .stream();
    let mut marked = 0;
    while let Some(item) = unprocessed.try_next().await? {
        let Some(feedback_id) = item.feedback_id else {
            continue;
        };
        let kind = match item.feedback_type {
            Some(FeedbackType::Fault) => "fault",
            Some(FeedbackType::Advice) => "advice",
            _ => "other",
        };
        writeln!(
            out,
            "  feedback {feedback_id} ({kind}, {}): {}",
            item.feedback_time.as_deref().unwrap_or("no time"),
            item.description.as_deref().unwrap_or("")
        )?;
        feedback
            .patch(ApplicationFeedbackPatchRequired {
                app_id: app_id.clone(),
                feedback_id: feedback_id.clone(),
                status: FeedbackStatus::Marked,
                operator_id: operator.clone(),
            })
            .send()
            .await?;
        writeln!(out, "    marked processed")?;
        marked += 1;
    }
    writeln!(out, "triage_feedback: {marked} feedback marked processed")?;
    Ok(())
}

/// Two pages of unprocessed feedback for the fake to serve.
fn stage(fake: &FakeFeishu) {
    let item = |id: &str, kind: i64, description: &str| {
        json!({
            "feedback_id": id,
            "app_id": "cli_9f115af860f7901b",
            "feedback_time": "2022-01-30 11:30:12",
            "feedback_type": kind,
            "status": 0,
            "description": description,
        })
    };
    fake.script("application.v6.application_feedback.list")
        .respond(json!({
            "feedback_list": [item("7057888018203574291", 1, "小程序无法打开"), item("7057888018203574292", 2, "希望支持深色模式")],
            "has_more": true,
            "page_token": "page-2",
        }))
        .respond(json!({
            "feedback_list": [item("7057888018203574293", 1, "页面加载慢")],
            "has_more": false,
        }));
}
