//! Receives events and callbacks over the long connection and prints one JSON line per
//! handled one, in the format of `events_http`.
//!
//! ```text
//! cargo run --example events_ws -- --open-base http://127.0.0.1:PORT --app-id ID --app-secret SECRET
//! ```
//!
//! Discovers the connection URL at `{open-base}/callback/ws/endpoint`, connects, and
//! handles what arrives; card callbacks are answered with a toast "received". On end
//! of standard input it closes gracefully (in-flight handlers finish) and exits 0; a
//! fatal error (bad credentials, the connection limit) exits 1.

use feishu::events::Dispatcher;
use feishu::events::ws::WsClient;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut options = feishu_examples::options(&["--open-base", "--app-id", "--app-secret"])?;
    let usage = "usage: events_ws --open-base URL --app-id ID --app-secret SECRET";
    let (Some(open_base), Some(app_id), Some(app_secret)) = (
        options.remove("--open-base"),
        options.remove("--app-id"),
        options.remove("--app-secret"),
    ) else {
        return Err(usage.into());
    };
    let dispatcher = feishu_examples::print_every_event(Dispatcher::builder()).build();
    let mut handle = WsClient::builder(app_id, app_secret)
        .open_base(open_base)
        .dispatcher(dispatcher)
        .build()?
        .start();
    let mut stdin = tokio::io::stdin();
    let mut sink = [0u8; 1024];
    let end_of_input = async {
        // Reads until end of input (or an error reading it): the signal to stop.
        while matches!(stdin.read(&mut sink).await, Ok(n) if n > 0) {}
    };
    tokio::select! {
        stopped = handle.wait() => {
            stopped?;
        }
        () = end_of_input => {
            handle.close().await?;
            eprintln!("events_ws: closed");
        }
    }
    Ok(())
}
