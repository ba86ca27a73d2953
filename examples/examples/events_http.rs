//! Receives events and callbacks over HTTP and prints one JSON line per accepted one.
//!
//! ```text
//! cargo run --example events_http -- --listen 127.0.0.1:PORT --verification-token TOKEN [--encrypt-key KEY]
//! ```
//!
//! Serves deliveries on any path. The one verification token and encrypt key serve
//! every kind of delivery (events, card callbacks, the quick-approval callback); bodies
//! over 1 MiB are refused. Duplicates are answered but printed once; rejected requests
//! print nothing on stdout (the reason goes to stderr).

use feishu::events::Dispatcher;
use feishu::events::http::EventServer;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut options =
        feishu_examples::options(&["--listen", "--verification-token", "--encrypt-key"])?;
    let usage = "usage: events_http --listen ADDR --verification-token TOKEN [--encrypt-key KEY]";
    let (Some(listen), Some(token)) = (
        options.remove("--listen"),
        options.remove("--verification-token"),
    ) else {
        return Err(usage.into());
    };
    let key = options.remove("--encrypt-key");
    let dispatcher = feishu_examples::print_every_event(Dispatcher::builder()).build();
    let mut server = EventServer::builder(dispatcher).verification_token(token.clone());
    // The quick-approval callback has its own token and key in the console; here the
    // same ones serve it.
    server = server.callback_token(token);
    if let Some(key) = key {
        server = server.encrypt_key(key.clone()).callback_key(key);
    }
    let app = axum::Router::new().fallback(feishu::events::http::axum::route(server.build()));
    let listener = tokio::net::TcpListener::bind(&listen).await?;
    eprintln!("events_http: listening on {}", listener.local_addr()?);
    axum::serve(listener, app).await?;
    Ok(())
}
