//! Access tokens: fetched through the generated auth endpoints, cached until shortly
//! before expiry, fetched once however many calls wait for them (single flight), and
//! dropped when the platform says they are invalid.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use crate::client::Client;
use crate::error::{AuthError, ConfigError, DecodeCause, DecodeError, Error};
use crate::json::JsonError;
use crate::secret::Secret;
use crate::spec::{EndpointSpec, TokenKind};

/// A boxed future, so the token traits stay object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A token as cached.
#[derive(Debug, Clone)]
pub struct CachedToken {
    /// The token.
    pub value: Secret,
    /// When to stop using it and fetch a new one (expiry minus the refresh margin).
    pub refresh_at: SystemTime,
}

/// Where tokens are kept between calls. The default keeps them in memory; implement it to
/// share tokens between processes (Redis, a database).
pub trait TokenCache: Send + Sync + fmt::Debug {
    /// The cached token under `key`, if any.
    fn get(&self, key: &str) -> Option<CachedToken>;
    /// Stores a token.
    fn put(&self, key: &str, token: CachedToken);
    /// Forgets the token under `key`.
    fn remove(&self, key: &str);
}

/// The in-memory [`TokenCache`].
#[derive(Debug, Default)]
pub struct MemoryTokenCache(Mutex<HashMap<String, CachedToken>>);

impl TokenCache for MemoryTokenCache {
    fn get(&self, key: &str) -> Option<CachedToken> {
        lock(&self.0).get(key).cloned()
    }
    fn put(&self, key: &str, token: CachedToken) {
        lock(&self.0).insert(key.to_owned(), token);
    }
    fn remove(&self, key: &str) {
        lock(&self.0).remove(key);
    }
}

/// Holds the latest `app_ticket` a marketplace app received in the `app_ticket` event.
pub trait AppTicketStore: Send + Sync + fmt::Debug {
    /// The latest ticket.
    fn get(&self) -> Option<Secret>;
    /// Stores a ticket from an `app_ticket` event.
    fn put(&self, ticket: Secret);
}

/// The in-memory [`AppTicketStore`].
#[derive(Debug, Default)]
pub struct MemoryAppTicketStore(Mutex<Option<Secret>>);

impl AppTicketStore for MemoryAppTicketStore {
    fn get(&self) -> Option<Secret> {
        lock(&self.0).clone()
    }
    fn put(&self, ticket: Secret) {
        *lock(&self.0) = Some(ticket);
    }
}

/// A token as issued by the platform.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    /// The token.
    pub token: Secret,
    /// Lifetime in seconds, as the platform said (`0` when it said nothing).
    pub expire: i64,
}

/// The lifetime assumed when `expire` is unusable (0, negative, missing): the token is
/// reused for half of it, so such a server costs one token request per 30 s, not one
/// per call.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(60);
/// Longest lifetime a token is trusted with: the platform's documented two hours. A
/// larger `expire` (up to `i64::MAX`) is clamped, never overflows the clock.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(2 * 60 * 60);

impl IssuedToken {
    /// The token a token endpoint (`spec`) returned in its `field`; a missing or empty
    /// token is a decode error naming the field (the response was a success, so 2xx).
    pub fn from_response(
        spec: &'static EndpointSpec,
        field: &'static str,
        token: Option<String>,
        expire: Option<i64>,
    ) -> Result<Self, Error> {
        match token.filter(|t| !t.is_empty()) {
            Some(token) => Ok(IssuedToken {
                token: Secret::new(token),
                expire: expire.unwrap_or(0),
            }),
            None => Err(Error::Decode(Box::new(DecodeError {
                endpoint: spec.id,
                http_status: 200,
                log_id: None,
                raw_body: String::new(),
                body_len: 0,
                cause: DecodeCause::Shape(JsonError::missing(field)),
            }))),
        }
    }

    /// The lifetime the client trusts: `expire` seconds, at most
    /// [`MAX_TOKEN_LIFETIME`]; [`MIN_TOKEN_LIFETIME`] when `expire` is not positive.
    pub fn lifetime(&self) -> Duration {
        match u64::try_from(self.expire) {
            Ok(secs) if secs > 0 => Duration::from_secs(secs).min(MAX_TOKEN_LIFETIME),
            _ => MIN_TOKEN_LIFETIME,
        }
    }
}

/// The auth endpoints, implemented by the generated crate from schema/auth.
pub trait TokenEndpoints: Send + Sync + fmt::Debug {
    /// Self-built app: tenant token from app id and secret.
    fn tenant_internal<'a>(
        &'a self,
        client: &'a Client,
        app_id: &'a str,
        app_secret: &'a str,
    ) -> BoxFuture<'a, Result<IssuedToken, Error>>;
    /// Self-built app: app token from app id and secret.
    fn app_internal<'a>(
        &'a self,
        client: &'a Client,
        app_id: &'a str,
        app_secret: &'a str,
    ) -> BoxFuture<'a, Result<IssuedToken, Error>>;
    /// Marketplace app: app token from app id, secret and the latest app_ticket.
    fn app_marketplace<'a>(
        &'a self,
        client: &'a Client,
        app_id: &'a str,
        app_secret: &'a str,
        app_ticket: &'a str,
    ) -> BoxFuture<'a, Result<IssuedToken, Error>>;
    /// Marketplace app: a tenant's token from the app token and the tenant key.
    fn tenant_marketplace<'a>(
        &'a self,
        client: &'a Client,
        app_access_token: &'a str,
        tenant_key: &'a str,
    ) -> BoxFuture<'a, Result<IssuedToken, Error>>;
    /// Marketplace app: asks the platform to push a new app_ticket event.
    fn app_ticket_resend<'a>(
        &'a self,
        client: &'a Client,
        app_id: &'a str,
        app_secret: &'a str,
    ) -> BoxFuture<'a, Result<(), Error>>;
}

/// How the client authenticates.
#[derive(Clone)]
pub(crate) enum Credentials {
    /// Only token-less endpoints and calls with a user token.
    None,
    /// One token used as is, never refreshed.
    Fixed(Secret),
    /// A self-built (企业自建) app.
    SelfBuilt { app_id: String, app_secret: Secret },
    /// A marketplace (商店) app.
    Marketplace {
        app_id: String,
        app_secret: Secret,
        tickets: Arc<dyn AppTicketStore>,
    },
}

/// App_ticket invalid: ask for a resend.
pub(crate) const APP_TICKET_INVALID: i64 = 10012;

/// A token chosen for one call, and where it came from (so it can be dropped).
pub(crate) struct Chosen<'a> {
    pub value: Secret,
    /// Cache key, for tokens the client fetched itself.
    pub cache_key: Option<Cow<'a, str>>,
}

pub(crate) struct TokenManager {
    pub credentials: Credentials,
    pub cache: Arc<dyn TokenCache>,
    pub endpoints: Option<Arc<dyn TokenEndpoints>>,
    pub margin: Duration,
    /// Cache keys of the tenant token (the prefix, for marketplace apps) and the app token.
    keys: (String, String),
    flights: Mutex<HashMap<String, Arc<Flight>>>,
}

/// One token's fetches: callers queue on the lock; the one holding it fetches. A failure
/// is left in the slot with the time it ended, so the callers that queued while it ran
/// get the same error instead of each trying again (a failing token endpoint would
/// otherwise see one request per waiting call, one after another).
#[derive(Default)]
struct Flight(tokio::sync::Mutex<Option<(Instant, Arc<Error>)>>);

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
        // The hot path: a cached token, without entering the (boxed) fetching code.
        if let Some(key) = self.cache_key(kind, tenant_key)
            && let Some(value) = self.fresh(&key)
        {
            return Ok(Some(Chosen {
                value,
                cache_key: Some(key),
            }));
        }
        let (key, value) = match kind {
            TokenKind::Tenant => Box::pin(self.tenant_token(client, tenant_key)).await?,
            _ => Box::pin(self.app_token(client)).await?,
        };
        Ok(Some(Chosen {
            value,
            cache_key: Some(Cow::Owned(key)),
        }))
    }

    /// Where the token of `kind` is cached, when that is known without fetching.
    fn cache_key<'a>(&'a self, kind: TokenKind, tenant_key: Option<&str>) -> Option<Cow<'a, str>> {
        match (&self.credentials, kind) {
            (Credentials::SelfBuilt { .. }, TokenKind::Tenant) => Some(Cow::Borrowed(&self.keys.0)),
            (Credentials::SelfBuilt { .. } | Credentials::Marketplace { .. }, TokenKind::App) => {
                Some(Cow::Borrowed(&self.keys.1))
            }
            (Credentials::Marketplace { .. }, TokenKind::Tenant) => {
                tenant_key.map(|t| Cow::Owned(format!("{}:{t}", self.keys.0)))
            }
            _ => None,
        }
    }

    /// Drops a token the platform rejected, unless another call already replaced it.
    pub fn invalidate(&self, chosen: &Chosen<'_>) {
        if let Some(key) = &chosen.cache_key
            && self.cache.get(key).is_some_and(|t| t.value == chosen.value)
        {
            tracing::debug!(key = &**key, "dropping rejected access token");
            self.cache.remove(key);
        }
    }

    fn endpoints(&self) -> Result<&dyn TokenEndpoints, Error> {
        self.endpoints
            .as_deref()
            .ok_or(Error::Config(ConfigError::NoTokenEndpoints))
    }

    async fn tenant_token(
        &self,
        client: &Client,
        tenant_key: Option<&str>,
    ) -> Result<(String, Secret), Error> {
        match &self.credentials {
            Credentials::SelfBuilt { app_id, app_secret } => {
                let key = format!("tenant:{app_id}");
                let ep = self.endpoints()?;
                let token = self
                    .cached_or_fetch(&key, "tenant_access_token", || {
                        ep.tenant_internal(client, app_id, app_secret.expose())
                    })
                    .await?;
                Ok((key, token))
            }
            Credentials::Marketplace { app_id, .. } => {
                let tenant_key = tenant_key.ok_or(Error::Config(ConfigError::TenantKeyRequired))?;
                let key = format!("tenant:{app_id}:{tenant_key}");
                let ep = self.endpoints()?;
                let token = self
                    .cached_or_fetch(&key, "tenant_access_token", || async move {
                        let (_, app) = self.app_token(client).await?;
                        ep.tenant_marketplace(client, app.expose(), tenant_key)
                            .await
                    })
                    .await?;
                Ok((key, token))
            }
            Credentials::None | Credentials::Fixed(_) => Err(no_app_credentials()),
        }
    }

    async fn app_token(&self, client: &Client) -> Result<(String, Secret), Error> {
        match &self.credentials {
            Credentials::SelfBuilt { app_id, app_secret } => {
                let key = format!("app:{app_id}");
                let ep = self.endpoints()?;
                let token = self
                    .cached_or_fetch(&key, "app_access_token", || {
                        ep.app_internal(client, app_id, app_secret.expose())
                    })
                    .await?;
                Ok((key, token))
            }
            Credentials::Marketplace {
                app_id,
                app_secret,
                tickets,
            } => {
                let key = format!("app:{app_id}");
                let ep = self.endpoints()?;
                let token = self
                    .cached_or_fetch(&key, "app_access_token", || async move {
                        let Some(ticket) = tickets.get() else {
                            resend(ep, client, app_id, app_secret).await;
                            return Err(Error::Config(ConfigError::NoAppTicket));
                        };
                        let result = ep
                            .app_marketplace(client, app_id, app_secret.expose(), ticket.expose())
                            .await;
                        if matches!(&result, Err(Error::Api(e)) if e.raw_code == APP_TICKET_INVALID)
                        {
                            resend(ep, client, app_id, app_secret).await;
                        }
                        result
                    })
                    .await?;
                Ok((key, token))
            }
            Credentials::None | Credentials::Fixed(_) => Err(no_app_credentials()),
        }
    }

    /// The cached token, or one fetched by exactly one of the callers waiting for it.
    async fn cached_or_fetch<F, Fut>(
        &self,
        key: &str,
        what: &'static str,
        fetch: F,
    ) -> Result<Secret, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<IssuedToken, Error>>,
    {
        if let Some(t) = self.fresh(key) {
            return Ok(t);
        }
        let queued = Instant::now();
        let flight = lock(&self.flights)
            .entry(key.to_owned())
            .or_default()
            .clone();
        let mut slot = flight.0.lock().await;
        if let Some(t) = self.fresh(key) {
            return Ok(t);
        }
        if let Some((ended, error)) = &*slot
            && *ended >= queued
        {
            // The fetch this call waited for failed: share its outcome.
            return Err(auth_error(what, error.clone()));
        }
        tracing::debug!(key, "fetching access token");
        let issued = match fetch().await {
            Ok(issued) => issued,
            Err(cause) => {
                let cause = Arc::new(cause);
                *slot = Some((Instant::now(), cause.clone()));
                return Err(auth_error(what, cause));
            }
        };
        *slot = None;
        let lifetime = issued.lifetime();
        if lifetime.as_secs() as i64 != issued.expire {
            tracing::warn!(
                key,
                expire = issued.expire,
                used_secs = lifetime.as_secs(),
                "token lifetime out of bounds; clamped"
            );
        }
        // Refresh `margin` before expiry, but never spend more than half the lifetime
        // waiting: a token issued with little time left is still used for a while.
        let early = self.margin.min(lifetime / 2);
        let refresh_at = SystemTime::now() + (lifetime - early);
        self.cache.put(
            key,
            CachedToken {
                value: issued.token.clone(),
                refresh_at,
            },
        );
        Ok(issued.token)
    }

    fn fresh(&self, key: &str) -> Option<Secret> {
        self.cache
            .get(key)
            .filter(|t| t.refresh_at > SystemTime::now())
            .map(|t| t.value)
    }
}

fn no_app_credentials() -> Error {
    Error::Config(ConfigError::NoCredentials)
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

async fn resend(ep: &dyn TokenEndpoints, client: &Client, app_id: &str, app_secret: &Secret) {
    if let Err(e) = ep
        .app_ticket_resend(client, app_id, app_secret.expose())
        .await
    {
        tracing::warn!(error = %e, "app_ticket resend failed");
    }
}

/// Locks a mutex; a panic elsewhere while holding it leaves data that is still usable.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
