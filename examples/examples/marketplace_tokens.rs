//! A marketplace app: app_ticket event, app token, a tenant's token by tenant_key, a call as that tenant.
//!
//! ```text
//! cargo run -p feishu-examples --example marketplace_tokens
//! ```
//!
//! Runs against a fake Feishu on 127.0.0.1 unless FEISHU_APP_ID and FEISHU_APP_SECRET
//! are set; against the real platform it reads its other settings from the environment
//! (see `feishu_examples::marketplace_tokens::run`).

use feishu_examples::{App, BoxError, Env};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let env = Env::connect(App::Marketplace).await?;
    feishu_examples::marketplace_tokens::run(&env, &mut std::io::stdout()).await
}
