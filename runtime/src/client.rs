//! The client: configuration, and the one request path every endpoint goes through
//! (token, attempt, retry decision, envelope).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;
use tracing::Instrument;

use crate::auth::{
    AppTicketStore, Credentials, MemoryAppTicketStore, MemoryTokenCache, TokenCache,
    TokenEndpoints, TokenManager,
};
use crate::envelope::{self, Parsed, RawResponse};
use crate::error::Error;
use crate::request::Request;
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::spec::HostFamily;
use crate::transport::{self, Failure, Wire};

/// Codes meaning the tenant or app token was rejected: drop it, fetch anew, retry once.
const TOKEN_INVALID: [i64; 4] = [99991661, 99991663, 99991664, 99991671];
/// Code of a rate-limited call (HTTP 429, or 400 on some older APIs).
const RATE_LIMITED: i64 = 99991400;

/// Which deployment to talk to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Domain {
    /// Feishu (China): `open.feishu.cn`, `www.feishu.cn`.
    #[default]
    Feishu,
    /// Lark (international): `open.larksuite.com`, `www.larksuite.com`.
    Lark,
}

impl Domain {
    fn base(self, host: HostFamily) -> &'static str {
        match (self, host) {
            (Domain::Feishu, HostFamily::Open) => "https://open.feishu.cn",
            (Domain::Feishu, HostFamily::Www) => "https://www.feishu.cn",
            (Domain::Lark, HostFamily::Open) => "https://open.larksuite.com",
            (Domain::Lark, HostFamily::Www) => "https://www.larksuite.com",
        }
    }
}

/// A Feishu client. Cheap to clone: clones share the connection pool and token cache.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    open_base: String,
    www_base: String,
    timeout: Duration,
    user_agent: HeaderValue,
    retry: RetryPolicy,
    tokens: TokenManager,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("open_base", &self.inner.open_base)
            .field("www_base", &self.inner.www_base)
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`] (or, through `C`, the generated crate's client wrapping one).
#[must_use]
pub struct ClientBuilder<C = Client> {
    credentials: Credentials,
    domain: Domain,
    open_base: Option<String>,
    www_base: Option<String>,
    timeout: Duration,
    http: Option<reqwest::Client>,
    user_agent: String,
    retry: RetryPolicy,
    cache: Option<Arc<dyn TokenCache>>,
    endpoints: Option<Arc<dyn TokenEndpoints>>,
    margin: Duration,
    _client: PhantomData<fn() -> C>,
}

impl<C> fmt::Debug for ClientBuilder<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder for a plain runtime client (fixed token or user tokens only; use
    /// `feishu::Client::builder()` for app credentials).
    pub fn builder() -> ClientBuilder<Client> {
        ClientBuilder::new()
    }

    /// Stores the `app_ticket` from an `app_ticket` event (marketplace apps).
    pub fn set_app_ticket(&self, ticket: impl Into<Secret>) {
        if let Credentials::Marketplace { tickets, .. } = &self.inner.tokens.credentials {
            tickets.put(ticket.into());
        }
    }

    /// The request path shared by every endpoint: choose a token, send, and retry where
    /// it is safe; returns the successful envelope.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        let spec = request.spec;
        let span = tracing::info_span!(
            "feishu.call",
            endpoint = spec.id,
            attempt = tracing::field::Empty,
            http.status = tracing::field::Empty,
            log_id = tracing::field::Empty,
        );
        // With no subscriber listening, skip entering the span on every poll.
        if span.is_disabled() {
            self.execute_inner(request, &span).await
        } else {
            self.execute_inner(request, &span)
                .instrument(span.clone())
                .await
        }
    }

    async fn execute_inner(
        &self,
        req: Request,
        span: &tracing::Span,
    ) -> Result<RawResponse, Error> {
        let inner = &*self.inner;
        let spec = req.spec;
        let base = match spec.host {
            HostFamily::Open => &inner.open_base,
            HostFamily::Www => &inner.www_base,
        };
        let url = req.url(base);
        let wire = Wire {
            http: &inner.http,
            url: &url,
            timeout: inner.timeout,
            user_agent: &inner.user_agent,
        };
        let policy = &inner.retry;
        let mut attempt = 0;
        let mut token_refreshed = false;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let token = inner
                .tokens
                .choose(
                    self,
                    spec.tokens,
                    req.options.user_access_token.as_ref(),
                    req.options.tenant_key.as_deref(),
                    spec.id,
                )
                .await?;
            let may_retry = attempt < policy.max_attempts;
            let received =
                match transport::send_once(&wire, &req, token.as_ref().map(|t| &t.value)).await {
                    Ok(r) => r,
                    Err(Failure::Connect(e)) if may_retry => {
                        retry_after(
                            policy.backoff_delay(attempt),
                            attempt,
                            "connection failed",
                            &e.to_string(),
                        )
                        .await;
                        continue;
                    }
                    Err(Failure::Connect(source)) => {
                        return Err(Error::Transport {
                            endpoint: spec.id,
                            source,
                        });
                    }
                    Err(Failure::Timeout) if may_retry && spec.idempotent => {
                        retry_after(policy.backoff_delay(attempt), attempt, "timed out", "").await;
                        continue;
                    }
                    Err(Failure::Timeout) => {
                        return Err(Error::Timeout {
                            endpoint: spec.id,
                            attempts: attempt,
                        });
                    }
                    Err(Failure::Other(e)) if may_retry && spec.idempotent => {
                        retry_after(
                            policy.backoff_delay(attempt),
                            attempt,
                            "transport error",
                            &e.to_string(),
                        )
                        .await;
                        continue;
                    }
                    Err(Failure::Other(source)) => {
                        return Err(Error::Transport {
                            endpoint: spec.id,
                            source,
                        });
                    }
                };
            span.record("http.status", received.status);
            if let Some(id) = &received.log_id {
                span.record("log_id", id.as_str());
            }
            let (status, reset) = (received.status, received.reset);
            let parsed = envelope::parse(spec, received);
            let code = match &parsed {
                Ok(Parsed::Api(e)) => Some(e.raw_code),
                _ => None,
            };
            if may_retry && (status == 429 || code == Some(RATE_LIMITED)) {
                retry_after(
                    policy.rate_limit_delay(reset, attempt),
                    attempt,
                    "rate limited",
                    "",
                )
                .await;
                continue;
            }
            if let (Some(code), Some(chosen)) = (code, &token)
                && TOKEN_INVALID.contains(&code)
                && chosen.cache_key.is_some()
                && !token_refreshed
            {
                // The one retry that does not count as an attempt: a fresh token.
                tracing::info!(
                    code,
                    "access token rejected; fetching a new one and retrying once"
                );
                inner.tokens.invalidate(chosen);
                token_refreshed = true;
                attempt -= 1;
                continue;
            }
            if may_retry && status >= 500 && spec.idempotent {
                retry_after(policy.backoff_delay(attempt), attempt, "server error", "").await;
                continue;
            }
            return match parsed {
                Ok(Parsed::Ok(raw)) => Ok(raw),
                Ok(Parsed::Api(e)) => Err(Error::Api(e)),
                Err(e) => Err(Error::Decode(e)),
            };
        }
    }
}

async fn retry_after(delay: Duration, attempt: u32, why: &str, detail: &str) {
    tracing::warn!(
        attempt,
        delay_ms = delay.as_millis() as u64,
        why,
        detail,
        "retrying"
    );
    tokio::time::sleep(delay).await;
}

impl<C> Default for ClientBuilder<C> {
    fn default() -> Self {
        Self::new()
    }
}

impl<C> ClientBuilder<C> {
    /// A builder with the defaults: Feishu, 30 s timeout, 3 attempts, in-memory cache.
    pub fn new() -> Self {
        ClientBuilder {
            credentials: Credentials::None,
            domain: Domain::Feishu,
            open_base: None,
            www_base: None,
            timeout: Duration::from_secs(30),
            http: None,
            user_agent: concat!("feishu-rs/", env!("CARGO_PKG_VERSION")).to_owned(),
            retry: RetryPolicy::default(),
            cache: None,
            endpoints: None,
            margin: Duration::from_secs(180),
            _client: PhantomData,
        }
    }

    /// A self-built (企业自建) app: its tenant token is fetched and cached for you.
    pub fn app_credentials(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<Secret>,
    ) -> Self {
        self.credentials = Credentials::SelfBuilt {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
        };
        self
    }

    /// A marketplace (商店) app, with an in-memory app_ticket store; feed it with
    /// [`Client::set_app_ticket`] from your `app_ticket` event handler.
    pub fn marketplace_app(self, app_id: impl Into<String>, app_secret: impl Into<Secret>) -> Self {
        self.marketplace_app_with_store(
            app_id,
            app_secret,
            Arc::new(MemoryAppTicketStore::default()),
        )
    }

    /// A marketplace app with your own app_ticket store (shared between processes).
    pub fn marketplace_app_with_store(
        mut self,
        app_id: impl Into<String>,
        app_secret: impl Into<Secret>,
        tickets: Arc<dyn AppTicketStore>,
    ) -> Self {
        self.credentials = Credentials::Marketplace {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            tickets,
        };
        self
    }

    /// One token used for every call as is, never refreshed.
    pub fn fixed_token(mut self, token: impl Into<Secret>) -> Self {
        self.credentials = Credentials::Fixed(token.into());
        self
    }

    /// Feishu or Lark.
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// Overrides the `open` host, e.g. a proxy or `http://127.0.0.1:8080`.
    pub fn open_base_url(mut self, url: impl Into<String>) -> Self {
        self.open_base = Some(url.into());
        self
    }

    /// Overrides the `www` host of the legacy approval APIs.
    pub fn www_base_url(mut self, url: impl Into<String>) -> Self {
        self.www_base = Some(url.into());
        self
    }

    /// Timeout of one attempt (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Uses your `reqwest::Client` (proxies, TLS settings, connection pool).
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// Retry settings.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Where tokens are cached (default: in memory).
    pub fn token_cache(mut self, cache: Arc<dyn TokenCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// How long before expiry a token is replaced (default 3 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The auth endpoints used to fetch tokens (the generated crate sets them).
    pub fn token_endpoints(mut self, endpoints: Arc<dyn TokenEndpoints>) -> Self {
        self.endpoints = Some(endpoints);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<C, Error>
    where
        C: From<Client>,
    {
        let user_agent = HeaderValue::from_str(&self.user_agent).map_err(|_| {
            Error::Config(format!(
                "user agent {:?} is not a valid header value",
                self.user_agent
            ))
        })?;
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .build()
                .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?,
        };
        let trim = |s: String| s.trim_end_matches('/').to_owned();
        let inner = Inner {
            http,
            open_base: trim(
                self.open_base
                    .unwrap_or_else(|| self.domain.base(HostFamily::Open).to_owned()),
            ),
            www_base: trim(
                self.www_base
                    .unwrap_or_else(|| self.domain.base(HostFamily::Www).to_owned()),
            ),
            timeout: self.timeout,
            user_agent,
            retry: self.retry,
            tokens: TokenManager::new(
                self.credentials,
                self.cache
                    .unwrap_or_else(|| Arc::new(MemoryTokenCache::default())),
                self.endpoints,
                self.margin,
            ),
        };
        Ok(C::from(Client {
            inner: Arc::new(inner),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_domain_has_both_host_families() {
        assert_eq!(
            Domain::Feishu.base(HostFamily::Open),
            "https://open.feishu.cn"
        );
        assert_eq!(
            Domain::Feishu.base(HostFamily::Www),
            "https://www.feishu.cn"
        );
        assert_eq!(
            Domain::Lark.base(HostFamily::Open),
            "https://open.larksuite.com"
        );
        assert_eq!(
            Domain::Lark.base(HostFamily::Www),
            "https://www.larksuite.com"
        );
    }

    #[test]
    fn overrides_win_over_the_domain_and_lose_trailing_slashes() {
        let client = Client::builder()
            .domain(Domain::Lark)
            .www_base_url("http://127.0.0.1:9/")
            .build()
            .unwrap();
        assert_eq!(client.inner.open_base, "https://open.larksuite.com");
        assert_eq!(client.inner.www_base, "http://127.0.0.1:9");
    }

    #[test]
    fn an_invalid_user_agent_is_a_configuration_error() {
        let err = Client::builder()
            .user_agent("bad\nagent")
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::Config(_)), "{err:?}");
    }
}
