//! The fake's HTTP/1 server: accepts connections on 127.0.0.1 until shut down, reads
//! each request (the body up to a limit), and writes the answer `handle.rs` decides.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use futures_util::future::{Either, select};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming as Body;
use hyper::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::handle::{self, Incoming, Outcome};
use super::reply::Reply;
use super::state::State;

/// Largest request body read: far above any JSON request or upload a test sends.
pub(crate) const MAX_REQUEST_BYTES: usize = 32 * 1024 * 1024;

/// Serves `listener` until `shutdown` turns true; open connections then finish the
/// request in hand and close.
pub(crate) async fn serve(
    listener: TcpListener,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        let accepted = {
            let stopped = std::pin::pin!(stopped(&mut shutdown));
            let accept = std::pin::pin!(listener.accept());
            match select(accept, stopped).await {
                Either::Left((accepted, _)) => accepted,
                Either::Right(_) => return,
            }
        };
        // A failed accept (out of file descriptors, a reset before accept) concerns
        // that connection only.
        let Ok((stream, _)) = accepted else { continue };
        let state = Arc::clone(&state);
        let shutdown = shutdown.clone();
        tokio::spawn(connection(stream, state, shutdown));
    }
}

async fn connection(
    stream: tokio::net::TcpStream,
    state: Arc<State>,
    mut shutdown: watch::Receiver<bool>,
) {
    let service = service_fn(move |request| respond(Arc::clone(&state), request));
    let mut builder = http1::Builder::new();
    // The timer bounds how long a client may take to send its headers.
    builder.timer(TokioTimer::new());
    let conn = builder.serve_connection(TokioIo::new(stream), service);
    let mut conn = std::pin::pin!(conn);
    let stopped = std::pin::pin!(stopped(&mut shutdown));
    match select(conn.as_mut(), stopped).await {
        Either::Left(_) => {}
        Either::Right(_) => {
            conn.as_mut().graceful_shutdown();
            // Errors here are the client's (a reset, a malformed request): nothing
            // to answer any more.
            let _ = conn.await;
        }
    }
}

/// Resolves when the fake is shut down (or its handle is gone).
async fn stopped(shutdown: &mut watch::Receiver<bool>) {
    // The guard `wait_for` returns is not `Send`: drop it here, not across an await.
    let _ = shutdown.wait_for(|stop| *stop).await.map(|_| ());
}

/// The service's error: closes the connection without an answer (`Fault::Drop`).
#[derive(Debug)]
struct Dropped;

impl fmt::Display for Dropped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection dropped by a scripted fault")
    }
}

impl std::error::Error for Dropped {}

async fn respond(
    state: Arc<State>,
    request: Request<Body>,
) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = request.into_parts();
    let body = match Limited::new(body, MAX_REQUEST_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return Ok(write(Reply::too_large(MAX_REQUEST_BYTES)));
        }
        // The client went away mid-body: there is no one to answer.
        Err(_) => return Err(Dropped),
    };
    let incoming = Incoming {
        method: parts.method.as_str().to_owned(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body,
    };
    let answer = handle::answer(&state, incoming);
    if let Some(delay) = answer.delay {
        tokio::time::sleep(delay).await;
    }
    match answer.outcome {
        Outcome::Reply(reply) => Ok(write(reply)),
        Outcome::Drop => Err(Dropped),
    }
}

fn write(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    for (name, value) in reply.headers {
        // Every header the fake writes is its own ASCII text; one that is not a valid
        // value is left out rather than failing the answer.
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(HeaderName::from_static(name), value);
        }
    }
    response
}
