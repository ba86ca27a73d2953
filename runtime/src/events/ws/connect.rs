//! Opening the WebSocket: TCP (directly or through an HTTP CONNECT proxy), TLS with
//! rustls for `wss://`, and the upgrade, all under one handshake timeout. A refused
//! upgrade is sorted into fatal and retryable by events.md §2 "Handshake".

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};

use super::WsError;
use crate::secret::Secret;

/// An open long connection.
pub(crate) type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// An HTTP proxy the WebSocket is tunnelled through with `CONNECT`.
#[derive(Clone)]
pub(crate) struct HttpProxy {
    /// `host:port` of the proxy.
    pub address: String,
    /// `Basic <base64(user:password)>`, when the proxy URL has a user.
    pub authorization: Option<Secret>,
}

impl HttpProxy {
    /// Reads `http://[user[:password]@]host[:port]` (port 80 when absent).
    pub fn parse(url: &str) -> Result<HttpProxy, WsError> {
        let bad = |why: &str| WsError::Config(format!("proxy URL: {why}"));
        let rest = url
            .strip_prefix("http://")
            .ok_or_else(|| bad("only http:// proxies (HTTP CONNECT) are supported"))?;
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let (userinfo, host) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let has_port = host
            .rsplit_once(':')
            .is_some_and(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            && !host.ends_with(']');
        let address = if has_port {
            host.to_owned()
        } else {
            format!("{host}:80")
        };
        let authorization = userinfo.map(|u| {
            let decoded = percent_encoding::percent_decode_str(u).decode_utf8_lossy();
            let token = base64::engine::general_purpose::STANDARD.encode(decoded.as_bytes());
            Secret::new(format!("Basic {token}"))
        });
        Ok(HttpProxy {
            address,
            authorization,
        })
    }
}

/// A connection attempt that failed.
pub(crate) enum Failure {
    /// Worth another attempt.
    Retry(String),
    /// The server refused in a way retrying does not fix.
    Fatal(WsError),
}

/// What the connector needs besides the URL.
pub(crate) struct Connect<'a> {
    pub proxy: Option<&'a HttpProxy>,
    pub tls: Arc<rustls::ClientConfig>,
    pub timeout: Duration,
    pub max_message_bytes: usize,
}

/// Opens the WebSocket at `url` within `how.timeout`.
pub(crate) async fn open(url: &Secret, how: Connect<'_>) -> Result<Socket, Failure> {
    // Errors below describe the host at most: the URL's query holds the ticket.
    let request = url
        .expose()
        .into_client_request()
        .map_err(|e| Failure::Retry(format!("unusable connection URL: {}", describe(&e))))?;
    let uri = request.uri();
    let tls = match uri.scheme_str() {
        Some("wss") => true,
        Some("ws") => false,
        _ => return Err(Failure::Retry("the connection URL is not ws(s)://".into())),
    };
    let host = uri.host().unwrap_or_default().to_owned();
    let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
    let target = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let config = WebSocketConfig::default()
        .max_message_size(Some(how.max_message_bytes))
        .max_frame_size(Some(how.max_message_bytes));
    let attempt = async {
        let tcp = match how.proxy {
            None => TcpStream::connect(&target)
                .await
                .map_err(|e| Failure::Retry(format!("connecting to {host}: {e}")))?,
            Some(proxy) => tunnel(proxy, &target).await?,
        };
        let _ = tcp.set_nodelay(true);
        let connector = Connector::Rustls(how.tls);
        tokio_tungstenite::client_async_tls_with_config(request, tcp, Some(config), Some(connector))
            .await
            .map(|(socket, _)| socket)
            .map_err(refused)
    };
    match tokio::time::timeout(how.timeout, attempt).await {
        Ok(result) => result,
        Err(_) => Err(Failure::Retry(format!(
            "the handshake with {host} took longer than {:?}",
            how.timeout
        ))),
    }
}

/// Asks `proxy` for a tunnel to `target` (`host:port`) and returns the tunnelled stream.
async fn tunnel(proxy: &HttpProxy, target: &str) -> Result<TcpStream, Failure> {
    let failed = |why: String| Failure::Retry(format!("proxy {}: {why}", proxy.address));
    let mut tcp = TcpStream::connect(&proxy.address)
        .await
        .map_err(|e| failed(e.to_string()))?;
    let mut head = format!("CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n");
    if let Some(auth) = &proxy.authorization {
        head.push_str(&format!("Proxy-Authorization: {}\r\n", auth.expose()));
    }
    head.push_str("\r\n");
    tcp.write_all(head.as_bytes())
        .await
        .map_err(|e| failed(e.to_string()))?;
    // Read the answer a byte at a time: nothing past its blank line may be consumed,
    // since that belongs to the tunnel. It is a few hundred bytes, once per connection.
    let mut answer = Vec::new();
    while !answer.ends_with(b"\r\n\r\n") {
        if answer.len() > 8192 {
            return Err(failed("the CONNECT answer is too long".into()));
        }
        let byte = tcp.read_u8().await.map_err(|e| failed(e.to_string()))?;
        answer.push(byte);
    }
    let status_line = String::from_utf8_lossy(&answer);
    let status = status_line
        .split_whitespace()
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    if status != "200" {
        return Err(failed(format!("CONNECT answered {status}")));
    }
    Ok(tcp)
}

/// Sorts a failed upgrade: the platform explains a refusal in `Handshake-*` headers.
fn refused(error: tungstenite::Error) -> Failure {
    let tungstenite::Error::Http(response) = &error else {
        return Failure::Retry(format!("handshake failed: {}", describe(&error)));
    };
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    // The SDKs read the status from `Handshake-Status`; the HTTP status stands in
    // when the header is missing.
    let status = header("Handshake-Status")
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(response.status().as_u16());
    let auth_code = header("Handshake-Autherrcode").and_then(|s| s.trim().parse().ok());
    let message = header("Handshake-Msg").unwrap_or_default();
    if WsError::fatal_handshake(status, auth_code) {
        return Failure::Fatal(WsError::HandshakeRefused {
            status,
            auth_code,
            message,
        });
    }
    Failure::Retry(format!(
        "handshake refused with {status} (auth code {auth_code:?}): {message}"
    ))
}

/// A tungstenite error in words that cannot contain the URL.
fn describe(error: &tungstenite::Error) -> String {
    match error {
        tungstenite::Error::Url(_) => "invalid URL".into(),
        tungstenite::Error::HttpFormat(_) => "malformed HTTP in the handshake".into(),
        tungstenite::Error::Http(r) => format!("HTTP {}", r.status()),
        other => other.to_string(),
    }
}

/// The TLS settings for `wss://`: rustls with the ring provider (the one reqwest
/// already brings in) and the Mozilla roots from webpki-roots, so that no system
/// certificate store or OpenSSL is needed.
pub(crate) fn tls_config() -> Result<Arc<rustls::ClientConfig>, WsError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|e| WsError::Config(format!("TLS: {e}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(Arc::new(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_urls_are_read_with_default_port_and_credentials() {
        let p = HttpProxy::parse("http://proxy.local").unwrap();
        assert_eq!(p.address, "proxy.local:80");
        assert!(p.authorization.is_none());
        let p = HttpProxy::parse("http://u%40x:p@10.0.0.1:3128/").unwrap();
        assert_eq!(p.address, "10.0.0.1:3128");
        // base64("u@x:p")
        assert_eq!(p.authorization.unwrap().expose(), "Basic dUB4OnA=");
        assert!(HttpProxy::parse("socks5://h:1").is_err());
        assert!(HttpProxy::parse("http://").is_err());
    }

    #[test]
    fn only_403_and_the_connection_limit_are_fatal() {
        assert!(WsError::fatal_handshake(403, None));
        assert!(WsError::fatal_handshake(514, Some(1_000_040_350)));
        assert!(!WsError::fatal_handshake(514, None));
        assert!(!WsError::fatal_handshake(514, Some(1)));
        assert!(!WsError::fatal_handshake(500, None));
    }
}
