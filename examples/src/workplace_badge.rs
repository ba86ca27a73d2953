//! Set a user's workplace badges (PC and mobile), retrying once with a newer version
//! when the platform reports a concurrent update.

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use feishu::application::v6::{AppBadgeSetError, AppBadgeSetRequired, ClientBadgeNum};

use crate::setup::{BoxError, Env};

/// Setting: `FEISHU_USER_ID` (the open_id whose badges to set).
pub async fn run(env: &Env, out: &mut dyn Write) -> Result<(), BoxError> {
    if let Some(fake) = env.fake_server() {
        // Show the conflict the platform documents for concurrent updates.
        fake.script("application.v6.app_badge.set").error(213001);
    }
    let user_id = env.setting("FEISHU_USER_ID", "ou_d317f090b7258ad0372aa53963cda70d")?;
    writeln!(out, "workplace_badge: on {}", env.describe())?;
    let set = |version: String| {
        env.client
            .application()
            .v6()
            .app_badge()
            .set(AppBadgeSetRequired {
                user_id: user_id.clone(),
                version,
            })
            .pc(ClientBadgeNum::new().web_app(3).gadget(1))
            .mobile(ClientBadgeNum::new().web_app(3).gadget(0))
    };
    // The version orders updates: a later one must be larger, so the time in ms serves.
    let version = || {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .as_millis()
            .to_string()
    };

    match set(version()).send().await {
        Ok(()) => {}
        Err(feishu::Error::Api(e)) if e.code == AppBadgeSetError::PcVersionConflict => {
            writeln!(
                out,
                "  conflict ({}, log id {}): retrying with a newer version",
                e.msg,
                e.log_id.as_deref().unwrap_or("-")
            )?;
            set(version()).send().await?;
        }
        Err(e) => return Err(e.into()),
    }
    writeln!(
        out,
        "  badges of {user_id} set: pc 3 web app + 1 gadget, mobile 3 web app"
    )?;
    Ok(())
}
