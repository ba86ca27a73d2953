//! Access tokens, the private side: which token a call uses, fetched through the
//! generated auth endpoints, cached until shortly before expiry, fetched once however
//! many calls wait for it (its outcome shared, failures included), and dropped when the
//! platform rejects it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::auth::{
    BoxFuture, CachedToken, Credentials, IssuedToken, TokenCache, TokenEndpoints, lock,
};
use crate::classify::TOKEN_INVALID;
use crate::client::Client;
use crate::error::{AuthError, ConfigError, Error};
use crate::secret::Secret;
use crate::spec::TokenKind;

/// App_ticket invalid: ask for a resend.
const APP_TICKET_INVALID: i64 = 10012;

/// A token chosen for one call, and where it came from (so it can be dropped).
pub(crate) struct Chosen<'a> {
    pub value: Secret,
    /// Cache key, for tokens the client fetched itself.
    pub cache_key: Option<Cow<'a, str>>,
}

/// Which token to fetch, owned, so the fetch can run in a task of its own.
#[derive(Debug, Clone)]
enum Want {
    /// The tenant token; for a marketplace app, of this tenant.
    Tenant(Option<String>),
    /// The app token.
    App,
}

/// The outcome of a fetch as the callers that waited for it share it.
type Shared = Result<Secret, Arc<Error>>;

/// One token's fetches. Callers queue on the lock; the first to hold it starts the
/// fetch in a task that keeps the lock until it is done, so a caller that gives up (its
/// deadline, a dropped future) does not cancel what the others wait for. The outcome is
/// left in the slot with the time it ended: callers that queued before that take it,
/// success or failure, instead of each fetching again.
#[derive(Default)]
struct Flight(Arc<tokio::sync::Mutex<Option<(Instant, Shared)>>>);

pub(crate) struct TokenManager {
    pub credentials: Credentials,
    pub cache: Arc<dyn TokenCache>,
    pub endpoints: Option<Arc<dyn TokenEndpoints>>,
    pub margin: Duration,
    /// Cache keys of the tenant token (the prefix, for marketplace apps) and the app token.
    keys: (String, String),
    flights: Mutex<HashMap<String, Flight>>,
}

impl TokenManager {
    pub fn new(
        credentials: Credentials,
        cache: Arc<dyn TokenCache>,
        endpoints: Option<Arc<dyn TokenEndpoints>>,
        margin: Duration,
    ) -> Self {
        let app_id = match &credentials {
            Credentials::SelfBuilt { app_id, .. } | Credentials::Marketplace { app_id, .. } => {
                app_id.as_str()
            }
            Credentials::None | Credentials::Fixed(_) => "",
        };
        let keys = (format!("tenant:{app_id}"), format!("app:{app_id}"));
        TokenManager {
            credentials,
            cache,
            endpoints,
            margin,
            keys,
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// The token for a call that accepts `kinds` (empty: the call takes none).
    pub async fn choose(
        &self,
        client: &Client,
        kinds: &[TokenKind],
        user: Option<&Secret>,
        tenant_key: Option<&str>,
        endpoint: &'static str,
    ) -> Result<Option<Chosen<'_>>, Error> {
        if kinds.is_empty() {
            return Ok(None);
        }
        if let Some(user) = user.filter(|_| kinds.contains(&TokenKind::User)) {
            return Ok(Some(Chosen {
                value: user.clone(),
                cache_key: None,
            }));
        }
        if let Credentials::Fixed(token) = &self.credentials {
            return Ok(Some(Chosen {
                value: token.clone(),
                cache_key: None,
            }));
        }
        let kind = kinds
            .iter()
            .copied()
            .find(|k| *k != TokenKind::User)
            .ok_or(Error::Config(ConfigError::UserTokenRequired { endpoint }))?;
        let want = match kind {
            TokenKind::Tenant => Want::Tenant(tenant_key.map(str::to_owned)),
            _ => Want::App,
        };
        let key = self.cache_key(&want)?;
        // The hot path: a cached token, without entering the (boxed) fetching code.
        if let Some(value) = self.fresh(&key) {
            return Ok(Some(Chosen {
                value,
                cache_key: Some(key),
            }));
        }
        let value = self.token(client, want).await?;
        Ok(Some(Chosen {
            value,
            cache_key: Some(key),
        }))
    }

    /// Where the token is cached.
    fn cache_key(&self, want: &Want) -> Result<Cow<'_, str>, Error> {
        match (&self.credentials, want) {
            (Credentials::SelfBuilt { .. }, Want::Tenant(_)) => Ok(Cow::Borrowed(&self.keys.0)),
            (Credentials::SelfBuilt { .. } | Credentials::Marketplace { .. }, Want::App) => {
                Ok(Cow::Borrowed(&self.keys.1))
            }
            (Credentials::Marketplace { .. }, Want::Tenant(Some(tenant))) => {
                Ok(Cow::Owned(format!("{}:{tenant}", self.keys.0)))
            }
            (Credentials::Marketplace { .. }, Want::Tenant(None)) => {
                Err(Error::Config(ConfigError::TenantKeyRequired))
            }
            (Credentials::None | Credentials::Fixed(_), _) => {
                Err(Error::Config(ConfigError::NoCredentials))
            }
        }
    }

    /// Drops a token the platform rejected, unless another call already replaced it.
    pub fn invalidate(&self, chosen: &Chosen<'_>) {
        if let Some(key) = &chosen.cache_key {
            self.drop_if(key, &chosen.value);
        }
    }

    fn drop_if(&self, key: &str, value: &Secret) {
        if self.cache.get(key).is_some_and(|t| &t.value == value) {
            tracing::debug!(key, "dropping rejected access token");
            self.cache.remove(key);
        }
    }

    /// The cached token, or the outcome of the one fetch the callers waiting for it
    /// share. Boxed: a marketplace tenant token fetches the app token through here too.
    fn token<'a>(&'a self, client: &'a Client, want: Want) -> BoxFuture<'a, Result<Secret, Error>> {
        Box::pin(async move {
            let key = self.cache_key(&want)?.into_owned();
            let what = match want {
                Want::Tenant(_) => "tenant_access_token",
                Want::App => "app_access_token",
            };
            if let Some(t) = self.fresh(&key) {
                return Ok(t);
            }
            // A set-up mistake is the caller's to see as such, not a failed fetch.
            self.endpoints()?;
            let queued = Instant::now();
            let slot = lock(&self.flights)
                .entry(key.clone())
                .or_default()
                .0
                .clone();
            let slot = slot.lock_owned().await;
            if let Some(t) = self.fresh(&key) {
                return Ok(t);
            }
            if let Some((ended, outcome)) = &*slot
                && *ended >= queued
            {
                // The fetch this call waited for has ended: share its outcome.
                return outcome.clone().map_err(|cause| auth_error(what, cause));
            }
            let client = client.clone();
            let task = tokio::spawn(async move {
                let mut slot = slot;
                let manager = &client.inner.tokens;
                tracing::debug!(key, "fetching access token");
                let outcome = manager.fetch(&client, &want).await;
                let shared: Shared = match outcome {
                    Ok(issued) => {
                        manager.store(&key, &issued);
                        Ok(issued.token)
                    }
                    Err(cause) => Err(Arc::new(cause)),
                };
                *slot = Some((Instant::now(), shared.clone()));
                shared
            });
            match task.await {
                Ok(shared) => shared.map_err(|cause| auth_error(what, cause)),
                // A panic in a user's cache or store: the caller sees it as its own.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                // The runtime is shutting down and cancelled the fetch.
                Err(e) => Err(Error::Transport {
                    endpoint: what,
                    source: Box::new(e),
                }),
            }
        })
    }

    fn endpoints(&self) -> Result<&dyn TokenEndpoints, Error> {
        self.endpoints
            .as_deref()
            .ok_or(Error::Config(ConfigError::NoTokenEndpoints))
    }

    /// One fetch of the token, through the generated auth endpoints.
    async fn fetch(&self, client: &Client, want: &Want) -> Result<IssuedToken, Error> {
        let ep = self.endpoints()?;
        match (&self.credentials, want) {
            (Credentials::SelfBuilt { app_id, app_secret }, Want::Tenant(_)) => {
                ep.tenant_internal(client, app_id, app_secret.expose())
                    .await
            }
            (Credentials::SelfBuilt { app_id, app_secret }, Want::App) => {
                ep.app_internal(client, app_id, app_secret.expose()).await
            }
            (Credentials::Marketplace { .. }, Want::Tenant(tenant)) => {
                let tenant = tenant
                    .as_deref()
                    .ok_or(Error::Config(ConfigError::TenantKeyRequired))?;
                let app = self.token(client, Want::App).await?;
                let result = ep.tenant_marketplace(client, app.expose(), tenant).await;
                if !matches!(&result, Err(Error::Api(e)) if TOKEN_INVALID.contains(&e.raw_code)) {
                    return result;
                }
                // The app token in the request body was rejected: the call path cannot
                // see that (the token endpoint takes no token), so drop it here, fetch
                // a new one and try once more.
                self.drop_if(&self.keys.1, &app);
                let app = self.token(client, Want::App).await?;
                ep.tenant_marketplace(client, app.expose(), tenant).await
            }
            (
                Credentials::Marketplace {
                    app_id,
                    app_secret,
                    tickets,
                },
                Want::App,
            ) => {
                let Some(ticket) = tickets.get() else {
                    app_ticket_resend(ep, client, app_id, app_secret).await;
                    return Err(Error::Config(ConfigError::NoAppTicket));
                };
                let result = ep
                    .app_marketplace(client, app_id, app_secret.expose(), ticket.expose())
                    .await;
                if matches!(&result, Err(Error::Api(e)) if e.raw_code == APP_TICKET_INVALID) {
                    app_ticket_resend(ep, client, app_id, app_secret).await;
                }
                result
            }
            (Credentials::None | Credentials::Fixed(_), _) => {
                Err(Error::Config(ConfigError::NoCredentials))
            }
        }
    }

    /// Caches an issued token until `margin` before it expires, but never for less than
    /// half its lifetime: a token issued with little time left is still used a while.
    fn store(&self, key: &str, issued: &IssuedToken) {
        let lifetime = issued.lifetime();
        if i64::try_from(lifetime.as_secs()) != Ok(issued.expire) {
            tracing::warn!(
                key,
                expire = issued.expire,
                used_secs = lifetime.as_secs(),
                "token lifetime out of bounds; clamped"
            );
        }
        let early = self.margin.min(lifetime / 2);
        let refresh_at = SystemTime::now() + (lifetime - early);
        self.cache.put(
            key,
            CachedToken {
                value: issued.token.clone(),
                refresh_at,
            },
        );
    }

    fn fresh(&self, key: &str) -> Option<Secret> {
        self.cache
            .get(key)
            .filter(|t| t.refresh_at > SystemTime::now())
            .map(|t| t.value)
    }
}

/// The error of a failed token fetch. A failure of an inner token (the app token behind
/// a marketplace tenant token) already says which token failed, and is passed on as is.
fn auth_error(what: &'static str, cause: Arc<Error>) -> Error {
    match &*cause {
        Error::Auth(inner) => Error::Auth(Box::new(AuthError {
            what: inner.what,
            cause: inner.cause.clone(),
        })),
        _ => Error::Auth(Box::new(AuthError { what, cause })),
    }
}

/// Asks the platform to push a new app_ticket event; a failure is only logged (the call
/// that needed the ticket fails anyway and says why).
async fn app_ticket_resend(
    ep: &dyn TokenEndpoints,
    client: &Client,
    app_id: &str,
    app_secret: &Secret,
) {
    if let Err(e) = ep
        .app_ticket_resend(client, app_id, app_secret.expose())
        .await
    {
        tracing::warn!(error = %e, "app_ticket resend failed");
    }
}
