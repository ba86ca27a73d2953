//! The client and its configuration. The request path every endpoint goes through is
//! in `execute.rs`.

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::auth::{
    AppTicketStore, Credentials, MemoryAppTicketStore, MemoryTokenCache, TokenCache, TokenEndpoints,
};
use crate::error::{ConfigError, Error};
use crate::retry::RetryPolicy;
use crate::secret::Secret;
use crate::spec::HostFamily;
use crate::token_manager::TokenManager;
use crate::transport::{ReqwestTransport, Transport};

/// Default largest response body: far above any JSON page the platform sends (a
/// 500-item page is a few MB), far below what would hurt a service.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;
/// Default longest a call may take in all: three 30 s attempts and their backoff fit.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(120);
/// Default most pages one list stream fetches.
pub const DEFAULT_MAX_PAGES: u32 = 10_000;
/// Default most empty pages in a row a list stream accepts while the server says more
/// follow.
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 3;

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
    pub(crate) fn base(self, host: HostFamily) -> &'static str {
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
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub transport: Arc<dyn Transport>,
    pub open_base: String,
    pub www_base: String,
    pub timeout: Duration,
    pub deadline: Option<Duration>,
    pub max_body: usize,
    pub pages: PageLimits,
    pub user_agent: HeaderValue,
    pub retry: RetryPolicy,
    pub tokens: TokenManager,
}

/// Bounds of a list stream.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageLimits {
    pub max_pages: u32,
    pub max_empty: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("open_base", &self.inner.open_base)
            .field("www_base", &self.inner.www_base)
            .field("timeout", &self.inner.timeout)
            .field("deadline", &self.inner.deadline)
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
    deadline: Option<Duration>,
    max_body: usize,
    pages: PageLimits,
    http: Option<reqwest::ClientBuilder>,
    transport: Option<Arc<dyn Transport>>,
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
            deadline: Some(DEFAULT_DEADLINE),
            max_body: DEFAULT_MAX_RESPONSE_BYTES,
            pages: PageLimits {
                max_pages: DEFAULT_MAX_PAGES,
                max_empty: DEFAULT_MAX_EMPTY_PAGES,
            },
            http: None,
            transport: None,
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

    /// Timeout of one attempt, reading the whole response included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The longest a call may take in all: token fetches, attempts and the waits
    /// between them (default 2 minutes). Past it the call fails as
    /// [`Error::Timeout`], and no retry wait is started that would end after it.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// No overall deadline: a call ends when its attempts and retries are spent.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The largest response body read, in bytes (default 16 MiB). A larger body fails
    /// the call as [`Error::TooLarge`] as soon as the limit is reached, so memory stays
    /// bounded whatever a server sends.
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// The most pages one list stream fetches (default 10,000), and the most empty
    /// pages in a row it accepts while the server says more follow (default 3). A
    /// stream that reaches either ends with [`Error::Pagination`].
    pub fn max_pages(mut self, pages: u32, empty_in_a_row: u32) -> Self {
        self.pages = PageLimits {
            max_pages: pages.max(1),
            max_empty: empty_in_a_row.max(1),
        };
        self
    }

    /// Configures the HTTP client (proxies, TLS settings, connection pool) from your
    /// `reqwest::ClientBuilder`. Redirects are turned off whatever it says: the
    /// platform never redirects, and a redirect followed would carry credentials
    /// elsewhere.
    pub fn http_client(mut self, http: reqwest::ClientBuilder) -> Self {
        self.http = Some(http);
        self
    }

    /// Sends requests through your [`Transport`] instead of reqwest (tests replaying
    /// responses, another HTTP stack). It must not follow redirects.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
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
        let user_agent = HeaderValue::from_str(&self.user_agent)
            .map_err(|_| Error::Config(ConfigError::InvalidUserAgent(self.user_agent.clone())))?;
        let transport: Arc<dyn Transport> = match self.transport {
            Some(transport) => transport,
            None => Arc::new(
                ReqwestTransport::new(self.http.unwrap_or_default())
                    .map_err(|e| Error::Config(ConfigError::HttpClient(e)))?,
            ),
        };
        let trim = |s: String| s.trim_end_matches('/').to_owned();
        let inner = Inner {
            transport,
            open_base: trim(
                self.open_base
                    .unwrap_or_else(|| self.domain.base(HostFamily::Open).to_owned()),
            ),
            www_base: trim(
                self.www_base
                    .unwrap_or_else(|| self.domain.base(HostFamily::Www).to_owned()),
            ),
            timeout: self.timeout,
            deadline: self.deadline,
            max_body: self.max_body,
            pages: self.pages,
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
        assert!(
            matches!(err, Error::Config(ConfigError::InvalidUserAgent(_))),
            "{err:?}"
        );
    }
}
