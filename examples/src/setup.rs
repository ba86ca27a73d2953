//! What every workflow example starts with: the real platform when `FEISHU_APP_ID` and
//! `FEISHU_APP_SECRET` are set, otherwise a fake Feishu on 127.0.0.1, and a client for
//! whichever it is.

use std::fmt;

use feishu::runtime::testing::FakeFeishu;

/// The error of an example: any error, printed by `main`.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The kind of app the example acts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// A self-built (企业自建) app: app id and secret give its tenant token.
    SelfBuilt,
    /// A marketplace (商店) app: its tokens need the app_ticket the platform pushes.
    Marketplace,
}

/// Where an example runs, and its client.
pub struct Env {
    /// The client, pointed at the platform or the fake.
    pub client: feishu::Client,
    fake: Option<FakeFeishu>,
}

impl fmt::Debug for Env {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Env {
    /// The real platform when `FEISHU_APP_ID` and `FEISHU_APP_SECRET` are set (both
    /// non-empty), otherwise a fake Feishu started for this run.
    pub async fn connect(app: App) -> Result<Env, BoxError> {
        let var = |name| std::env::var(name).ok().filter(|v: &String| !v.is_empty());
        match (var("FEISHU_APP_ID"), var("FEISHU_APP_SECRET")) {
            (Some(id), Some(secret)) => {
                let builder = feishu::Client::builder();
                let builder = match app {
                    App::SelfBuilt => builder.app_credentials(id, secret),
                    App::Marketplace => builder.marketplace_app(id, secret),
                };
                Ok(Env {
                    client: builder.build()?,
                    fake: None,
                })
            }
            (None, None) => Env::fake(app).await,
            _ => Err(
                "set both FEISHU_APP_ID and FEISHU_APP_SECRET, or neither to use the fake".into(),
            ),
        }
    }

    /// A fake Feishu and a client of it, whatever the environment says (for tests).
    pub async fn fake(app: App) -> Result<Env, BoxError> {
        let fake =
            FakeFeishu::start(feishu::testing::ROUTES, feishu::testing::COMMON_CODES).await?;
        let builder = feishu::Client::builder();
        let builder = match app {
            App::SelfBuilt => fake.configure(builder),
            App::Marketplace => fake.configure_marketplace(builder),
        };
        Ok(Env {
            client: builder.build()?,
            fake: Some(fake),
        })
    }

    /// The fake, when the example runs against one.
    pub fn fake_server(&self) -> Option<&FakeFeishu> {
        self.fake.as_ref()
    }

    /// A setting of the workflow: from the environment variable `name` on the real
    /// platform (where it is required), `sample` against the fake.
    pub fn setting(&self, name: &str, sample: &str) -> Result<String, BoxError> {
        if self.fake.is_some() {
            return Ok(sample.to_owned());
        }
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                format!("set {name} (against the real platform this example needs it)").into()
            })
    }

    /// Where the example runs, for its first line of output.
    pub fn describe(&self) -> String {
        match &self.fake {
            Some(fake) => format!(
                "the fake Feishu at {} (FEISHU_APP_ID and FEISHU_APP_SECRET are unset)",
                fake.url()
            ),
            None => "the Feishu Open Platform".to_owned(),
        }
    }
}
