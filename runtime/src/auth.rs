//! Access tokens, the public side: the cache and app_ticket store traits (and their
//! in-memory defaults), the token endpoints the generated crate implements, and the
//! token as issued. Fetching and caching them is `token_manager.rs`.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use reqwest::header::HeaderValue;

use crate::client::Client;
use crate::error::{DecodeCause, DecodeError, Error};
use crate::json::JsonError;
use crate::secret::Secret;
use crate::spec::EndpointSpec;

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
    /// The token a token endpoint (`spec`) returned in its `field`. A missing or empty
    /// token, or one that cannot be sent in a header, is a decode error naming the field
    /// (the response was a success, so 2xx): caching it would fail every call. Used by
    /// generated code.
    #[doc(hidden)]
    pub fn from_response(
        spec: &'static EndpointSpec,
        field: &'static str,
        token: Option<String>,
        expire: Option<i64>,
    ) -> Result<Self, Error> {
        let sendable = |t: &String| !t.is_empty() && HeaderValue::from_str(t).is_ok();
        match token.filter(sendable) {
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

/// Locks a mutex; a panic elsewhere while holding it leaves data that is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
