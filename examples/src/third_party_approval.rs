//! Sync a third-party approval: create the instance in Feishu's approval center, then,
//! once it is decided, update the approval bot's message (an endpoint of the `www`
//! host) and sync the instance's final status.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use feishu::approval::v1::BotMessageStatus;
use feishu::approval::v4::{
    ExternalInstance, ExternalInstanceLink, ExternalInstanceRequired, ExternalInstanceStatus,
    I18nLocale, I18nResource, I18nResourceText, I18nResourceTextRequired,
};
use feishu::runtime::Timestamp;

use crate::setup::{BoxError, Env};

/// Settings: `FEISHU_APPROVAL_CODE` (the third-party approval definition) and
/// `FEISHU_MESSAGE_ID` (the bot message sent for the instance).
pub async fn run(env: &Env, out: &mut dyn Write) -> Result<(), BoxError> {
    let approval_code = env.setting(
        "FEISHU_APPROVAL_CODE",
        "9D706BA5-9E9F-416E-96CB-53FEF8B9xxxx",
    )?;
    let message_id = env.setting("FEISHU_MESSAGE_ID", "7250020197497765889")?;
    writeln!(out, "third_party_approval: on {}", env.describe())?;
    let started = Timestamp::now();
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_millis();
    let instance_id = format!("trip-{millis}");
    let instance = |status, end_time| {
        let title = I18nResourceText::new(I18nResourceTextRequired {
            key: "@i18n@title".into(),
            value: "出差申请".into(),
        });
        ExternalInstance::new(ExternalInstanceRequired {
            approval_code: approval_code.clone(),
            status,
            instance_id: instance_id.clone(),
            links: ExternalInstanceLink::new(format!(
                "https://example.com/approvals/{instance_id}"
            ))
            .mobile_link(format!("https://example.com/m/approvals/{instance_id}")),
            start_time: started,
            end_time,
            update_time: Timestamp::now(),
            i18n_resources: vec![I18nResource::new(I18nLocale::ZhCn, vec![title], true)],
        })
        .title("@i18n@title")
    };
    let approvals = env.client.approval();

    approvals
        .v4()
        .external_instance()
        .create(instance(ExternalInstanceStatus::Pending, Timestamp::ZERO))
        .send()
        .await?;
    writeln!(out, "  instance {instance_id}: synced as pending")?;

    let updated = approvals
        .v1()
        .message()
        .update(&message_id, BotMessageStatus::Approved)
        .send()
        .await?;
    let updated = updated.message_id.unwrap_or(message_id);
    writeln!(out, "  bot message {updated}: shown as approved")?;

    approvals
        .v4()
        .external_instance()
        .create(instance(ExternalInstanceStatus::Approved, Timestamp::now()))
        .send()
        .await?;
    writeln!(out, "  instance {instance_id}: synced as approved")?;
    Ok(())
}
