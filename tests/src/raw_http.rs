//! A hand-rolled HTTP/1.1 server on 127.0.0.1 for what wiremock cannot send: endless
//! bodies, lying `Content-Length`s, bodies of hundreds of MiB.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves every connection with `reply`, after reading the request (head and
/// `Content-Length` body); returns the base URL and the count of requests.
pub async fn serve<F, Fut>(reply: F) -> (String, Arc<AtomicUsize>)
where
    F: Fn(TcpStream) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits = Arc::new(AtomicUsize::new(0));
    let counted = hits.clone();
    let reply = Arc::new(reply);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let reply = reply.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                if read_request(&mut stream).await {
                    counted.fetch_add(1, Ordering::SeqCst);
                    reply(stream).await;
                }
            });
        }
    });
    (format!("http://{addr}"), hits)
}

/// Reads one request; false if the connection closed first.
async fn read_request(stream: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
        if head.len() > 64 * 1024 {
            return false;
        }
    }
    let text = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let length = text
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length.min(1 << 20)];
    stream.read_exact(&mut body).await.is_ok()
}

/// Writes a status line and headers (`Connection: close` added).
pub async fn head(stream: &mut TcpStream, status: &str, headers: &[(&str, String)]) {
    let mut text = format!("HTTP/1.1 {status}\r\nconnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str("\r\n");
    let _ = stream.write_all(text.as_bytes()).await;
}

/// A chunked body of `chunk` repeated until the client hangs up, or until `max_bytes`
/// (so the server stops by itself), where it ends properly.
pub async fn endless_chunked(mut stream: TcpStream, chunk: Vec<u8>, max_bytes: u64) {
    head(
        &mut stream,
        "200 OK",
        &[("transfer-encoding", "chunked".into())],
    )
    .await;
    let chunk_len = chunk.len() as u64;
    let framed = [
        format!("{:x}\r\n", chunk.len()).into_bytes(),
        chunk,
        b"\r\n".to_vec(),
    ]
    .concat();
    let mut sent = 0u64;
    while sent < max_bytes {
        if stream.write_all(&framed).await.is_err() {
            return;
        }
        sent += chunk_len;
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
}
