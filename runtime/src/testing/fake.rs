//! [`FakeFeishu`], the handle a test holds: where the fake listens, the credentials it
//! accepts, its scripts and its record. Dropping it shuts the server down.

use std::fmt;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::check;
use super::record::RecordedRequest;
use super::script::Script;
use super::server;
use super::state::State;
use super::table::{Code, Route};
use crate::client::ClientBuilder;

/// A fake Feishu Open Platform on 127.0.0.1, serving every endpoint of a table (both
/// the `open` and the `www` host on one URL). See the [module docs](super).
pub struct FakeFeishu {
    state: Arc<State>,
    addr: SocketAddr,
    url: String,
    shutdown: watch::Sender<bool>,
}

impl fmt::Debug for FakeFeishu {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FakeFeishu")
            .field("url", &self.url)
            .field("endpoints", &self.state.routes.len())
            .finish_non_exhaustive()
    }
}

impl FakeFeishu {
    /// Starts a fake serving `routes` (`feishu::testing::ROUTES`: one table per
    /// service version, so the generator renders them in parallel), which answers the
    /// `common` codes (`feishu::testing::COMMON_CODES`) on every endpoint, on a free
    /// port of 127.0.0.1. Must be called within a Tokio runtime; the server runs on it
    /// until the fake is dropped.
    pub async fn start(
        routes: &'static [&'static [Route]],
        common: &'static [Code],
    ) -> io::Result<FakeFeishu> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(routes, common));
        let (shutdown, stopped) = watch::channel(false);
        tokio::spawn(server::serve(listener, Arc::clone(&state), stopped));
        Ok(FakeFeishu {
            state,
            addr,
            url: format!("http://{addr}"),
            shutdown,
        })
    }

    /// `http://127.0.0.1:PORT`: the base URL of both hosts.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The app id the token endpoints accept (different for each fake).
    pub fn app_id(&self) -> &str {
        &self.state.app_id
    }

    /// The app secret the token endpoints accept.
    pub fn app_secret(&self) -> &str {
        &self.state.app_secret
    }

    /// Points `builder` at the fake (both hosts) as a self-built app with the fake's
    /// credentials: `fake.configure(feishu::Client::builder()).build()?`.
    pub fn configure<C>(&self, builder: ClientBuilder<C>) -> ClientBuilder<C> {
        builder
            .open_base_url(&self.url)
            .www_base_url(&self.url)
            .app_credentials(self.app_id(), self.app_secret())
    }

    /// Points `builder` at the fake as a marketplace app with the fake's credentials.
    /// Its tokens need an app_ticket: feed [`FakeFeishu::app_ticket_event`] to a
    /// dispatcher built with `.client(&client)`, or pass [`FakeFeishu::app_ticket`] to
    /// `client.set_app_ticket`.
    pub fn configure_marketplace<C>(&self, builder: ClientBuilder<C>) -> ClientBuilder<C> {
        builder
            .open_base_url(&self.url)
            .www_base_url(&self.url)
            .marketplace_app(self.app_id(), self.app_secret())
    }

    /// A user_access_token the fake accepts on endpoints that take one (the platform
    /// issues them through OAuth, which the fake does not serve).
    pub fn user_access_token(&self) -> String {
        self.state.lock().tokens.user_token.clone()
    }

    /// The latest app_ticket, which the marketplace app token endpoint accepts
    /// (earlier ones too). `app_ticket/resend` issues a new one.
    pub fn app_ticket(&self) -> String {
        self.state.lock().tokens.latest_ticket().to_owned()
    }

    /// The `app_ticket` event the platform would push to the app's event URL, with
    /// the latest ticket: the plaintext delivery a `Dispatcher` takes. Each call has a
    /// new event id, so a dispatcher's dedupe does not drop it.
    pub fn app_ticket_event(&self) -> Value {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        json!({
            "ts": format!("{}.{:06}", now.as_secs(), now.subsec_micros()),
            "uuid": format!("fake-{:032x}", fastrand::u128(..)),
            "token": "",
            "type": "event_callback",
            "event": {
                "app_id": self.app_id(),
                "app_ticket": self.app_ticket(),
                "type": "app_ticket",
            },
        })
    }

    /// Queues answers for the endpoint `endpoint` (`"application.v6.app_badge.set"`):
    /// `fake.script(id).respond(data).error(code)`.
    ///
    /// # Panics
    /// When the table has no such endpoint (a typo in the test), naming the nearest.
    #[track_caller]
    #[must_use = "a script queues nothing until one of its methods is called"]
    pub fn script(&self, endpoint: &str) -> Script<'_> {
        match self.state.route(endpoint) {
            Some(route) => Script {
                state: &self.state,
                endpoint: route.spec.id,
            },
            None => {
                let ids = self.state.routes.iter().map(|r| r.spec.id);
                match check::nearest(endpoint, ids) {
                    Some(near) => {
                        panic!("the fake has no endpoint {endpoint}; did you mean {near}?")
                    }
                    None => panic!("the fake has no endpoint {endpoint}"),
                }
            }
        }
    }

    /// Every request received so far (the latest 10,000), in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.state.lock().records.iter().cloned().collect()
    }

    /// The requests that matched the endpoint `endpoint`, in order.
    pub fn requests_to(&self, endpoint: &str) -> Vec<RecordedRequest> {
        let inner = self.state.lock();
        inner
            .records
            .iter()
            .filter(|r| r.endpoint == Some(endpoint))
            .cloned()
            .collect()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.state.lock().records.clear();
    }

    /// Revokes every tenant and app token issued so far: the next call with one is
    /// refused as the platform refuses an expired token (99991663 or 99991664), which
    /// a client answers by fetching a new one.
    pub fn revoke_tokens(&self) {
        self.state.lock().tokens.revoke();
    }
}

impl Drop for FakeFeishu {
    /// Stops accepting connections; open ones finish the request in hand and close.
    fn drop(&mut self) {
        self.shutdown.send_replace(true);
    }
}
