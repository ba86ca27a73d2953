//! The [`EventServer`] as an axum 0.8 route: mount it on the path you gave the console.
//!
//! ```no_run
//! # fn doc(server: feishu_runtime::events::http::EventServer) {
//! let app: axum::Router = axum::Router::new()
//!     .route("/feishu/events", feishu_runtime::events::http::axum::route(server));
//! # }
//! ```

use axum::body::Body;
use axum::extract::Request;
use axum::response::Response;
use axum::routing::{MethodRouter, any};

use super::EventServer;

/// A route answering every method: `POST` deliveries are handled, other methods get
/// 405 from the server (so the answer is the same whatever the framework). The body is
/// read with the server's limit, not axum's default one.
pub fn route<S>(server: EventServer) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    any(move |request: Request| {
        let server = server.clone();
        async move { handle(&server, request).await }
    })
}

/// Answers one request: for a handler of your own that does more than [`route`].
pub async fn handle(server: &EventServer, request: Request) -> Response {
    server.handle_body(request).await.map(Body::from)
}
