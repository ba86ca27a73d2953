//! Review app versions: approve one, then reject another with a reason (a rejection
//! without one is refused by the client before anything is sent).

use std::io::Write;

use feishu::UserIdType;
use feishu::application::v6::{AppVersionStatus, ApplicationAppVersionPatchRequired};

use crate::setup::{BoxError, Env};

/// Settings: `FEISHU_TARGET_APP_ID`, `FEISHU_APPROVE_VERSION_ID`,
/// `FEISHU_REJECT_VERSION_ID` and `FEISHU_OPERATOR_ID` (an open_id).
pub async fn run(env: &Env, out: &mut dyn Write) -> Result<(), BoxError> {
    let app_id = env.setting("FEISHU_TARGET_APP_ID", "cli_9f3ca975326b501b")?;
    let approve = env.setting(
        "FEISHU_APPROVE_VERSION_ID",
        "oav_d317f090b7258ad0372aa53963cda70d",
    )?;
    let reject = env.setting(
        "FEISHU_REJECT_VERSION_ID",
        "oav_0f2e6c2a6d3b4e5f8a9b0c1d2e3f4a5b",
    )?;
    let operator = env.setting("FEISHU_OPERATOR_ID", "ou_4065981088f8ef67a504ba8bd6b24d85")?;
    writeln!(out, "review_app_version: on {}", env.describe())?;
    let version = |version_id: &str| {
        env.client
            .application()
            .v6()
            .application_app_version()
            .patch(ApplicationAppVersionPatchRequired {
                app_id: app_id.clone(),
                version_id: version_id.to_owned(),
                user_id_type: UserIdType::OpenId,
                operator_id: operator.clone(),
            })
    };

    version(&approve)
        .status(AppVersionStatus::Audited)
        .send()
        .await?;
    writeln!(out, "  version {approve}: approved")?;

    match version(&reject)
        .status(AppVersionStatus::Reject)
        .send()
        .await
    {
        Err(feishu::Error::Invalid(invalid)) => writeln!(
            out,
            "  version {reject}: not sent without a reason ({invalid})"
        )?,
        other => {
            return Err(format!("a rejection without a reason was not refused: {other:?}").into());
        }
    }
    let reason = "the icon does not match the app name";
    version(&reject)
        .status(AppVersionStatus::Reject)
        .reject_reason(reason)
        .send()
        .await?;
    writeln!(out, "  version {reject}: rejected ({reason})")?;
    Ok(())
}
