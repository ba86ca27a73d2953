//! Sync a third-party approval instance and update its approval bot message (www host).
//!
//! ```text
//! cargo run -p feishu-examples --example third_party_approval
//! ```
//!
//! Runs against a fake Feishu on 127.0.0.1 unless FEISHU_APP_ID and FEISHU_APP_SECRET
//! are set; against the real platform it reads its other settings from the environment
//! (see `feishu_examples::third_party_approval::run`).

use feishu_examples::{App, BoxError, Env};

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let env = Env::connect(App::SelfBuilt).await?;
    feishu_examples::third_party_approval::run(&env, &mut std::io::stdout()).await
}
