//! The long connection (events.md §2): the client opens a WebSocket to the platform
//! and events and card callbacks arrive over it, with no public URL, signature or
//! encryption to manage. Messages go to the same [`Dispatcher`](crate::events::Dispatcher)
//! as HTTP deliveries.
//!
//! ```no_run
//! # async fn run() -> Result<(), feishu_runtime::events::ws::WsError> {
//! use feishu_runtime::events::Dispatcher;
//! use feishu_runtime::events::ws::WsClient;
//!
//! let dispatcher = Dispatcher::builder() /* .on::<SomeEvent, _, _>(handler) */ .build();
//! let mut handle = WsClient::builder("cli_a1b2c3", "app secret")
//!     .dispatcher(dispatcher)
//!     .build()?
//!     .start();
//! tokio::select! {
//!     stopped = handle.wait() => stopped?,          // a fatal error, e.g. bad credentials
//!     _ = shutdown_signal() => handle.close().await?, // graceful: in-flight handlers finish
//! }
//! # Ok(()) }
//! # async fn shutdown_signal() {}
//! ```
//!
//! What the client does for you: discovery before every connection; heartbeats at
//! the server's interval, with its pushed config applied at once; a liveness watchdog
//! that replaces half-open connections; reconnection with the server's interval,
//! jitter and attempt count; split messages joined within time and memory bounds;
//! every message acknowledged within the 3 s rule, with the handler's reply for
//! card callbacks, and 500 for a failed handler so the platform pushes it again.
//! The connection URL carries credentials and is never logged or displayed.
//!
//! Handlers the dispatcher reports as late (still running at its acknowledgement
//! deadline) run on in tasks this client tracks; [`WsHandle::close`] gives them, like
//! every dispatch, the grace period, then aborts what is still running, so nothing the
//! client started outlives it.

mod client;
mod config;
mod connect;
mod connection;
mod discovery;
mod error;
mod frame;
mod reassembly;
mod stats;

pub use client::{WsClient, WsClientBuilder, WsHandle, WsState};
pub use config::ServerConfig;
pub use error::WsError;
pub use stats::WsStats;
