//! A marketplace app's tokens: the app_ticket arrives as an event, the client turns it
//! into an app token and that into a token for each tenant (by `tenant_key`), then
//! calls an endpoint as that tenant.

use std::io::Write;

use feishu::RequestOptions;
use feishu::events::Dispatcher;

use crate::setup::{BoxError, Env};

/// Settings: `FEISHU_APP_TICKET` (the latest `app_ticket` event's ticket),
/// `FEISHU_TENANT_KEY` (a tenant that installed the app) and `FEISHU_TARGET_APP_ID`.
pub async fn run(env: &Env, out: &mut dyn Write) -> Result<(), BoxError> {
    writeln!(out, "marketplace_tokens: on {}", env.describe())?;
    match env.fake_server() {
        Some(fake) => {
            // As the platform pushes it to the app's event URL: a dispatcher built with
            // `.client(..)` stores the ticket in the client, with no handler of ours.
            let dispatcher = Dispatcher::builder().client(env.client.runtime()).build();
            dispatcher.dispatch(fake.app_ticket_event()).await;
            writeln!(out, "  app_ticket event received and stored in the client")?;
        }
        None => env
            .client
            .set_app_ticket(env.setting("FEISHU_APP_TICKET", "")?),
    }
    let tenant_key = env.setting("FEISHU_TENANT_KEY", "2ed263bf32cf1651")?;
    let app_id = env.setting("FEISHU_TARGET_APP_ID", "cli_9f115af860f7901b")?;

    let page = env
        .client
        .application()
        .v6()
        .application_feedback()
        .list(&app_id)
        .page_size(10)
        .options(RequestOptions::new().tenant_key(&tenant_key))
        .send()
        .await?;
    let count = page.feedback_list.map_or(0, |list| list.len());
    writeln!(
        out,
        "  as tenant {tenant_key}: {count} feedback on the first page"
    )?;

    if let Some(fake) = env.fake_server() {
        for request in fake.requests() {
            let what = match request.endpoint {
                Some("auth.v3.app_access_token.create") => {
                    "app_access_token from the app_ticket".to_owned()
                }
                Some("auth.v3.tenant_access_token.create") => {
                    format!(
                        "tenant_access_token for tenant {}",
                        request.tenant_key.as_deref().unwrap_or(&tenant_key)
                    )
                }
                Some(id) => match request.token {
                    Some(kind) => {
                        format!("{id} with the {} token", format!("{kind:?}").to_lowercase())
                    }
                    None => format!("{id} without a token"),
                },
                None => continue,
            };
            writeln!(out, "    {} {}: {what}", request.method, request.path)?;
        }
    }
    Ok(())
}
