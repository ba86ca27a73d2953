//! The client people hold: a builder for the settings, `start()` for a running
//! connection, and a handle to wait on it or close it.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

use super::WsError;
use super::config::{ServerConfig, Timings};
use super::connect::{self, Connect, HttpProxy};
use super::connection::{self, Conn, Done, Ended};
use super::discovery::{self, Endpoint};
use super::stats::{Counters, WsStats};
use crate::auth::lock;
use crate::client::Domain;
use crate::events::{Dispatcher, HandlerTasks};
use crate::secret::Secret;
use crate::spec::HostFamily;

/// A long-connection event client: one WebSocket to the platform, over which events
/// and card callbacks arrive and are handed to a [`Dispatcher`].
///
/// Build it with [`WsClient::builder`], then [`start`](WsClient::start) it. Each
/// started client is one of the app's (at most 50) connections; the platform gives each
/// message to one of them. Any number of clients can run in one process: nothing is
/// global.
pub struct WsClient {
    shared: Arc<Shared>,
}

impl fmt::Debug for WsClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsClient")
            .field("app_id", &self.shared.app_id)
            .field("open_base", &self.shared.open_base)
            .field("proxy", &self.shared.proxy.as_ref().map(|p| &p.address))
            .finish_non_exhaustive()
    }
}

/// What the supervisor and the connection share.
pub(crate) struct Shared {
    pub app_id: String,
    pub app_secret: Secret,
    pub open_base: String,
    pub dispatcher: Dispatcher,
    pub timings: Timings,
    pub http: reqwest::Client,
    pub proxy: Option<HttpProxy>,
    pub tls: Arc<rustls::ClientConfig>,
    pub counters: Counters,
    /// The handlers this client's dispatches started: `close` stops late ones too.
    pub handlers: HandlerTasks,
    server: Mutex<ServerConfig>,
}

impl Shared {
    /// The server's config as last heard.
    pub fn server_config(&self) -> ServerConfig {
        *lock(&self.server)
    }

    /// Applies a pushed `ClientConfig`; returns the config before and after.
    pub fn update_server_config(&self, config: &Value) -> (ServerConfig, ServerConfig) {
        let mut current = lock(&self.server);
        let before = *current;
        current.apply(config);
        (before, *current)
    }
}

/// Builds a [`WsClient`].
pub struct WsClientBuilder {
    app_id: String,
    app_secret: Secret,
    open_base: Option<String>,
    domain: Domain,
    dispatcher: Option<Dispatcher>,
    proxy: Option<String>,
    server: ServerConfig,
    timings: Timings,
}

impl fmt::Debug for WsClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsClientBuilder")
            .field("app_id", &self.app_id)
            .field("open_base", &self.open_base)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

impl WsClient {
    /// Starts a builder for the self-built app `app_id` (the long connection is not
    /// open to marketplace apps).
    pub fn builder(app_id: impl Into<String>, app_secret: impl Into<Secret>) -> WsClientBuilder {
        WsClientBuilder {
            app_id: app_id.into(),
            app_secret: app_secret.into(),
            open_base: None,
            domain: Domain::Feishu,
            dispatcher: None,
            proxy: None,
            server: ServerConfig::default(),
            timings: Timings::default(),
        }
    }

    /// Connects in the background and keeps the connection up until the handle is
    /// closed or dropped, or a fatal error stops it. Must be called inside a Tokio
    /// runtime.
    pub fn start(self) -> WsHandle {
        let (closing_tx, closing_rx) = watch::channel(false);
        let (state_tx, state_rx) = watch::channel(WsState::Connecting);
        let shared = Arc::clone(&self.shared);
        let task = tokio::spawn(supervise(shared, closing_rx, state_tx));
        WsHandle {
            closing: closing_tx,
            task: Some(task),
            outcome: None,
            state: state_rx,
            shared: self.shared,
        }
    }
}

impl WsClientBuilder {
    /// Talks to Feishu (default) or Lark.
    pub fn domain(mut self, domain: Domain) -> Self {
        self.domain = domain;
        self
    }

    /// The open-platform base URL discovery is asked at (default: the domain's,
    /// `https://open.feishu.cn`); for tests and private deployments.
    pub fn open_base(mut self, url: impl Into<String>) -> Self {
        self.open_base = Some(url.into());
        self
    }

    /// The dispatcher messages are handed to (required).
    pub fn dispatcher(mut self, dispatcher: Dispatcher) -> Self {
        self.dispatcher = Some(dispatcher);
        self
    }

    /// Sends discovery and tunnels the WebSocket through the HTTP proxy at `url`
    /// (`http://[user:password@]host:port`, with `CONNECT`). Only HTTP proxies are
    /// supported; without this call the client connects directly and ignores the
    /// `HTTP(S)_PROXY` environment variables.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// The time between pings until the server says otherwise (default 120 s).
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.server.ping_interval = interval;
        self
    }

    /// Reconnection until the server says otherwise: `count` attempts in a row
    /// (`None` = unlimited, the default), `interval` apart (default 120 s), the first
    /// one after a random wait below `nonce` (default 30 s).
    pub fn reconnect(mut self, count: Option<u32>, interval: Duration, nonce: Duration) -> Self {
        self.server.reconnect_count = count;
        self.server.reconnect_interval = interval;
        self.server.reconnect_nonce = nonce;
        self
    }

    /// How long discovery may take (default 15 s).
    pub fn discovery_timeout(mut self, timeout: Duration) -> Self {
        self.timings.discovery_timeout = timeout;
        self
    }

    /// How long the TCP connect, proxy tunnel, TLS and upgrade may take together
    /// (default 15 s).
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.timings.handshake_timeout = timeout;
        self
    }

    /// The liveness bound (default 30 s): a connection whose pong has not come this long
    /// after a ping, or that has been silent for a ping interval plus this long, is
    /// treated as lost and replaced. Without it a half-open connection would look
    /// healthy forever.
    pub fn pong_timeout(mut self, timeout: Duration) -> Self {
        self.timings.pong_timeout = timeout;
        self
    }

    /// How long one write may take before the connection is treated as lost
    /// (default 10 s).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.timings.write_timeout = timeout;
        self
    }

    /// Bounds on split messages being joined: an incomplete one is dropped after `ttl`
    /// (default 5 s, as the Go SDK), and at most `max_bytes` (default 32 MiB) in at most
    /// `max_messages` (default 256) messages are held; past a bound the oldest goes.
    /// A dropped message is not acknowledged, so the platform pushes it again.
    pub fn fragment_limits(mut self, ttl: Duration, max_bytes: usize, max_messages: usize) -> Self {
        self.timings.fragment_ttl = ttl;
        self.timings.max_fragment_bytes = max_bytes;
        self.timings.max_pending_messages = max_messages;
        self
    }

    /// The largest single WebSocket message accepted (default 16 MiB).
    pub fn max_message_bytes(mut self, bytes: usize) -> Self {
        self.timings.max_message_bytes = bytes;
        self
    }

    /// At most this many messages are dispatched at once (default 1024); past it the
    /// client stops reading until one finishes, which pushes back on the server
    /// instead of growing memory. A dispatch lasts at most the dispatcher's
    /// acknowledgement deadline, so reading resumes within it.
    pub fn max_in_flight(mut self, messages: usize) -> Self {
        self.timings.max_in_flight = messages.max(1);
        self
    }

    /// How long [`WsHandle::close`] waits for in-flight dispatches to finish and be
    /// acknowledged (default 5 s); what is still running then is cancelled.
    pub fn close_grace(mut self, grace: Duration) -> Self {
        self.timings.close_grace = grace;
        self
    }

    /// Builds the client; fails without a dispatcher or with an unusable proxy URL.
    pub fn build(self) -> Result<WsClient, WsError> {
        let dispatcher = self
            .dispatcher
            .ok_or_else(|| WsError::Config("no dispatcher was set".into()))?;
        let proxy = self.proxy.as_deref().map(HttpProxy::parse).transpose()?;
        let mut http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
        http = match &self.proxy {
            Some(url) => http.proxy(
                reqwest::Proxy::all(url.as_str())
                    .map_err(|e| WsError::Config(format!("proxy URL: {e}")))?,
            ),
            None => http.no_proxy(),
        };
        let http = http
            .build()
            .map_err(|e| WsError::Config(format!("HTTP client: {e}")))?;
        let open_base = self
            .open_base
            .unwrap_or_else(|| self.domain.base(HostFamily::Open).to_owned())
            .trim_end_matches('/')
            .to_owned();
        Ok(WsClient {
            shared: Arc::new(Shared {
                app_id: self.app_id,
                app_secret: self.app_secret,
                open_base,
                dispatcher,
                timings: self.timings,
                http,
                proxy,
                tls: connect::tls_config()?,
                counters: Counters::default(),
                handlers: HandlerTasks::new(),
                server: Mutex::new(self.server),
            }),
        })
    }
}

/// Where a started client is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WsState {
    /// Discovering and handshaking.
    Connecting,
    /// A connection is open.
    Connected,
    /// Waiting before the next attempt.
    Waiting,
    /// Stopped: closed, or a fatal error (see [`WsHandle::wait`]).
    Stopped,
}

/// A started [`WsClient`]. Dropping it stops the client too, without waiting.
pub struct WsHandle {
    closing: watch::Sender<bool>,
    task: Option<JoinHandle<Result<(), WsError>>>,
    outcome: Option<Result<(), WsError>>,
    state: watch::Receiver<WsState>,
    shared: Arc<Shared>,
}

impl fmt::Debug for WsHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WsHandle")
            .field("app_id", &self.shared.app_id)
            .field("state", &*self.state.borrow())
            .finish_non_exhaustive()
    }
}

impl WsHandle {
    /// Waits until the client stops on its own: `Err` with the fatal error (refused
    /// credentials, a refused handshake, reconnects exhausted). Resolves `Ok(())` only
    /// after a close. Cancel-safe: use it in `select!` next to a shutdown signal, then
    /// call [`close`](Self::close).
    pub async fn wait(&mut self) -> Result<(), WsError> {
        if let Some(outcome) = &self.outcome {
            return outcome.clone();
        }
        let task = self
            .task
            .as_mut()
            .expect("the task is kept until its outcome");
        let outcome = match task.await {
            Ok(outcome) => outcome,
            Err(join) => std::panic::resume_unwind(join.into_panic()),
        };
        self.task = None;
        self.outcome = Some(outcome.clone());
        outcome
    }

    /// Stops the client: no new messages are read, in-flight dispatches get the grace
    /// period to finish and be acknowledged, the socket is closed cleanly, and every
    /// task the client started has ended when this returns. Returns the fatal error
    /// if the client had already stopped with one.
    pub async fn close(mut self) -> Result<(), WsError> {
        self.closing.send_replace(true);
        self.wait().await
    }

    /// The current state.
    pub fn state(&self) -> WsState {
        *self.state.borrow()
    }

    /// A receiver that sees every state change (for readiness checks and metrics).
    pub fn watch_state(&self) -> watch::Receiver<WsState> {
        self.state.clone()
    }

    /// The counters so far.
    pub fn stats(&self) -> WsStats {
        self.shared.counters.snapshot()
    }
}

impl Drop for WsHandle {
    fn drop(&mut self) {
        self.closing.send_replace(true);
    }
}

/// A connection attempt that did not produce a connection.
enum Attempt {
    Retry(String),
    Fatal(WsError),
    Closing,
}

/// Runs the client: connect, serve, and on loss reconnect by the server's rules; on
/// close or a fatal error, wind down the dispatch tasks before returning.
async fn supervise(
    shared: Arc<Shared>,
    mut closing: watch::Receiver<bool>,
    state: watch::Sender<WsState>,
) -> Result<(), WsError> {
    let mut tasks: JoinSet<Done> = JoinSet::new();
    let mut drained = false;
    let outcome = serve(&shared, &mut closing, &state, &mut tasks, &mut drained).await;
    // Dispatches from a lost connection cannot be acknowledged any more, but they are
    // given the grace period to finish their handlers before being cancelled (unless
    // the open connection already spent it acknowledging them).
    let deadline = Instant::now() + shared.timings.close_grace;
    while !drained && !tasks.is_empty() {
        match tokio::time::timeout_at(deadline, tasks.join_next()).await {
            Ok(Some(_)) => Counters::bump(&shared.counters.acks_lost),
            Ok(None) | Err(_) => break,
        }
    }
    tasks.shutdown().await;
    // Handlers still running past their acknowledgement deadline get what is left of
    // the grace period, then are aborted: close leaves no task behind.
    let left = deadline.saturating_duration_since(Instant::now());
    let aborted = shared.handlers.shutdown(left).await;
    if aborted > 0 {
        tracing::warn!(aborted, "late event handlers aborted at close");
    }
    match &outcome {
        Ok(()) => tracing::info!(app_id = %shared.app_id, "long connection closed"),
        Err(e) => tracing::error!(app_id = %shared.app_id, error = %e, "long connection stopped"),
    }
    state.send_replace(WsState::Stopped);
    outcome
}

async fn serve(
    shared: &Shared,
    closing: &mut watch::Receiver<bool>,
    state: &watch::Sender<WsState>,
    tasks: &mut JoinSet<Done>,
    drained: &mut bool,
) -> Result<(), WsError> {
    let mut conn_seq = 0u64;
    // The first attempt is made at once; after that, events.md §2 "Reconnect": a
    // random wait below the nonce, then one attempt per interval, `count` at most.
    let mut reconnecting = false;
    loop {
        let mut attempts = 0u32;
        let mut last_failure = String::new();
        loop {
            if reconnecting {
                let config = shared.server_config();
                if config.reconnect_count.is_some_and(|max| attempts >= max) {
                    return Err(WsError::ReconnectsExhausted {
                        attempts,
                        last: last_failure,
                    });
                }
                let wait = if attempts == 0 {
                    jitter(config.reconnect_nonce)
                } else {
                    config.reconnect_interval
                };
                state.send_replace(WsState::Waiting);
                tracing::info!(after = ?wait, attempt = attempts + 1, "reconnecting");
                tokio::select! {
                    _ = closed(closing) => return Ok(()),
                    _ = tokio::time::sleep(wait) => {}
                }
                attempts += 1;
            }
            reconnecting = true;
            state.send_replace(WsState::Connecting);
            let (socket, endpoint) = match attempt(shared, closing).await {
                Ok(opened) => opened,
                Err(Attempt::Closing) => return Ok(()),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry(why)) => {
                    tracing::warn!(reason = %why, "long connection attempt failed");
                    last_failure = why;
                    continue;
                }
            };
            conn_seq += 1;
            Counters::bump(&shared.counters.connections);
            state.send_replace(WsState::Connected);
            tracing::info!(conn_id = %endpoint.conn_id, "long connection open");
            let conn = Conn {
                seq: conn_seq,
                id: &endpoint.conn_id,
                service: endpoint.service_id,
            };
            match connection::run(socket, conn, shared, tasks, closing).await {
                Ended::Closing => {
                    *drained = true;
                    return Ok(());
                }
                Ended::Lost(why) => {
                    Counters::bump(&shared.counters.disconnects);
                    tracing::warn!(conn_id = %endpoint.conn_id, reason = %why, "long connection lost");
                    break;
                }
            }
        }
    }
}

/// Discovery, then the handshake; either may be cut short by a close.
async fn attempt(
    shared: &Shared,
    closing: &mut watch::Receiver<bool>,
) -> Result<(connect::Socket, Endpoint), Attempt> {
    let work = async {
        Counters::bump(&shared.counters.discoveries);
        let endpoint = discovery::discover(
            &shared.http,
            &shared.open_base,
            &shared.app_id,
            &shared.app_secret,
            shared.timings.discovery_timeout,
        )
        .await
        .map_err(|f| match f {
            discovery::Failure::Retry(why) => Attempt::Retry(why),
            discovery::Failure::Fatal(e) => Attempt::Fatal(e),
        })?;
        if let Some(config) = &endpoint.config {
            shared.update_server_config(config);
        }
        let how = Connect {
            proxy: shared.proxy.as_ref(),
            tls: Arc::clone(&shared.tls),
            timeout: shared.timings.handshake_timeout,
            max_message_bytes: shared.timings.max_message_bytes,
        };
        let socket = connect::open(&endpoint.url, how)
            .await
            .map_err(|f| match f {
                connect::Failure::Retry(why) => Attempt::Retry(why),
                connect::Failure::Fatal(e) => Attempt::Fatal(e),
            })?;
        Ok((socket, endpoint))
    };
    tokio::select! {
        _ = closed(closing) => Err(Attempt::Closing),
        opened = work => opened,
    }
}

/// Resolves once the client is closing (or its handle is gone). The guard `wait_for`
/// returns is dropped inside, so the future stays `Send`.
pub(crate) async fn closed(closing: &mut watch::Receiver<bool>) {
    let _ = closing.wait_for(|c| *c).await;
}

/// A random wait in `[0, nonce)`.
fn jitter(nonce: Duration) -> Duration {
    if nonce.is_zero() {
        return Duration::ZERO;
    }
    let nanos = u64::try_from(nonce.as_nanos()).unwrap_or(u64::MAX);
    Duration::from_nanos(fastrand::u64(0..nanos))
}
