//! A scriptable fake of the platform's long-connection side, on 127.0.0.1: the
//! discovery endpoint (`POST /callback/ws/endpoint`) and the WebSocket it points to.
//! Tests and the soak benchmark drive it: script discovery answers and handshake
//! refusals, choose the pong payload or stop ponging, push frames (whole or split),
//! drop connections, and wait for what the client did (pings, acks, closes) with
//! [`FakeWs::until`], which wakes on every change instead of sleeping.
//!
//! Its frame structs are written here independently of the client's, so a mistake in
//! the client's encoding is not mirrored by the fake.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use futures_util::{SinkExt, StreamExt};
use prost::Message as _;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};

/// The `service_id` the fake puts in its URLs.
pub const SERVICE_ID: i32 = 77;

/// `pbbp2.Frame`, as the platform sends it.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Frame {
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

/// `pbbp2.Header`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Header {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, required, tag = "2")]
    pub value: String,
}

impl Frame {
    /// A data frame of `frame_type` (`event` or `card`) carrying `payload` whole.
    pub fn data(frame_type: &str, message_id: &str, payload: Vec<u8>) -> Frame {
        Frame::fragment(frame_type, message_id, 1, 0, payload)
    }

    /// Fragment `seq` of `sum` of message `message_id`.
    pub fn fragment(
        frame_type: &str,
        message_id: &str,
        sum: usize,
        seq: usize,
        payload: Vec<u8>,
    ) -> Frame {
        let header = |k: &str, v: String| Header {
            key: k.into(),
            value: v,
        };
        Frame {
            seq_id: 1000 + seq as u64,
            log_id: 42,
            service: SERVICE_ID,
            method: 1,
            headers: vec![
                header("type", frame_type.into()),
                header("message_id", message_id.into()),
                header("sum", sum.to_string()),
                header("seq", seq.to_string()),
                header("trace_id", format!("trace-{message_id}")),
            ],
            payload_encoding: None,
            payload_type: None,
            payload: Some(payload),
            log_id_new: None,
        }
    }

    /// `payload` split into `parts` fragments (the last one takes the rest).
    pub fn split(frame_type: &str, message_id: &str, payload: &[u8], parts: usize) -> Vec<Frame> {
        let size = payload.len().div_ceil(parts).max(1);
        let chunks: Vec<&[u8]> = payload.chunks(size).collect();
        let sum = chunks.len();
        chunks
            .into_iter()
            .enumerate()
            .map(|(seq, c)| Frame::fragment(frame_type, message_id, sum, seq, c.to_vec()))
            .collect()
    }

    /// The value of header `key`.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }
}

/// A schema 2.0 envelope of `event_type` with id `event_id` around `event`, as bytes.
pub fn envelope(event_type: &str, event_id: &str, event: Value) -> Vec<u8> {
    json!({
        "schema": "2.0",
        "header": {
            "event_id": event_id,
            "event_type": event_type,
            "create_time": "1700000000000",
            "token": "",
            "app_id": "cli_test",
            "tenant_key": "tenant",
        },
        "event": event,
    })
    .to_string()
    .into_bytes()
}

/// One scripted discovery answer.
#[derive(Debug, Clone)]
pub enum Discovery {
    /// HTTP 200 with this non-zero `code`.
    Code(i64),
    /// This HTTP status, no body.
    Http(u16),
}

/// One scripted handshake refusal: HTTP `status` with the `Handshake-*` headers.
#[derive(Debug, Clone)]
pub struct Refusal {
    /// The status (also sent as `Handshake-Status`).
    pub status: u16,
    /// `Handshake-Autherrcode`, if any.
    pub auth_code: Option<i64>,
}

/// What the client did, as the fake saw it.
#[derive(Debug, Default)]
pub struct Seen {
    /// Discovery request bodies, in order, with their `locale` header.
    pub discoveries: Vec<(Value, Option<String>)>,
    /// WebSocket upgrade requests (accepted or refused).
    pub handshakes: usize,
    /// Accepted connections, by index.
    pub connections: Vec<Connection>,
    /// Acknowledgements, in arrival order.
    pub acks: Vec<AckSeen>,
    /// Message ids acknowledged at least once.
    pub acked_ids: HashSet<String>,
    /// When each message id was last written to a client.
    pub sent: HashMap<String, Instant>,
}

/// One accepted connection.
#[derive(Debug)]
pub struct Connection {
    /// The query string the client connected with.
    pub query: String,
    /// When the fake accepted it.
    pub opened: Instant,
    /// When each ping arrived.
    pub pings: Vec<Instant>,
    /// Whether the socket is still open.
    pub open: bool,
    /// Whether the client said goodbye with a WebSocket close frame.
    pub closed_by_client: bool,
}

/// One acknowledgement.
#[derive(Debug, Clone)]
pub struct AckSeen {
    /// The connection index it came on.
    pub conn: usize,
    /// The echoed frame, headers included.
    pub frame: Frame,
    /// `message_id` header.
    pub message_id: String,
    /// The payload's `code`.
    pub code: i64,
    /// The payload's `data`, base64-decoded and parsed.
    pub data: Option<Value>,
    /// `biz_rt` header.
    pub biz_rt: Option<i64>,
    /// When it arrived.
    pub at: Instant,
}

struct Script {
    discovery: VecDeque<Discovery>,
    refusals: VecDeque<Refusal>,
    client_config: Value,
    pong_config: Option<Value>,
    ponging: bool,
}

enum Command {
    Send(Vec<Frame>),
    Drop,
}

struct Inner {
    seen: Mutex<Seen>,
    changed: Notify,
    script: Mutex<Script>,
    conns: Mutex<Vec<mpsc::UnboundedSender<Command>>>,
    ws_addr: SocketAddr,
}

/// The fake. Dropping it stops its listeners and connections.
pub struct FakeWs {
    inner: Arc<Inner>,
    base: String,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for FakeWs {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        for c in self.inner.conns.lock().unwrap().iter() {
            let _ = c.send(Command::Drop);
        }
    }
}

impl FakeWs {
    /// Starts the fake. `client_config` is the `ClientConfig` discovery hands out
    /// (seconds; fractions allowed), e.g. `{"PingInterval": 0.2, "ReconnectInterval": 0.05,
    /// "ReconnectNonce": 0, "ReconnectCount": -1}`.
    pub async fn start(client_config: Value) -> FakeWs {
        let http = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", http.local_addr().unwrap());
        let inner = Arc::new(Inner {
            seen: Mutex::new(Seen::default()),
            changed: Notify::new(),
            script: Mutex::new(Script {
                discovery: VecDeque::new(),
                refusals: VecDeque::new(),
                client_config,
                pong_config: None,
                ponging: true,
            }),
            conns: Mutex::new(Vec::new()),
            ws_addr: ws.local_addr().unwrap(),
        });
        let tasks = vec![
            tokio::spawn(serve_discovery(http, inner.clone())),
            tokio::spawn(serve_ws(ws, inner.clone())),
        ];
        FakeWs { inner, base, tasks }
    }

    /// The open-platform base URL to give the client.
    pub fn open_base(&self) -> &str {
        &self.base
    }

    /// The next discovery requests get these answers, in order, before good ones.
    pub fn script_discovery(&self, answers: impl IntoIterator<Item = Discovery>) {
        self.inner.script.lock().unwrap().discovery.extend(answers);
    }

    /// The next upgrades are refused like this, in order, before they are accepted.
    pub fn script_refusals(&self, refusals: impl IntoIterator<Item = Refusal>) {
        self.inner.script.lock().unwrap().refusals.extend(refusals);
    }

    /// The `ClientConfig` JSON sent as the payload of every pong from now on.
    pub fn set_pong_config(&self, config: Option<Value>) {
        self.inner.script.lock().unwrap().pong_config = config;
    }

    /// Whether pings are answered (turn off to play a half-open connection).
    pub fn set_ponging(&self, ponging: bool) {
        self.inner.script.lock().unwrap().ponging = ponging;
    }

    /// Writes `frames` to connection `conn`, in order.
    pub fn send(&self, conn: usize, frames: Vec<Frame>) {
        let conns = self.inner.conns.lock().unwrap();
        let _ = conns[conn].send(Command::Send(frames));
    }

    /// Drops connection `conn` abruptly: no close frame, the TCP stream just ends.
    pub fn drop_connection(&self, conn: usize) {
        let conns = self.inner.conns.lock().unwrap();
        let _ = conns[conn].send(Command::Drop);
    }

    /// Runs `check` on what has been seen, on every change, until it returns `Some`;
    /// panics with the record if that takes longer than `within`.
    pub async fn until<T>(&self, within: Duration, mut check: impl FnMut(&Seen) -> Option<T>) -> T {
        let deadline = Instant::now() + within;
        loop {
            let changed = self.inner.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if let Some(found) = check(&self.inner.seen.lock().unwrap()) {
                return found;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                let seen = self.inner.seen.lock().unwrap();
                panic!(
                    "not seen within {within:?}: {} discoveries, {} handshakes, {} connections, {} acks",
                    seen.discoveries.len(),
                    seen.handshakes,
                    seen.connections.len(),
                    seen.acks.len()
                );
            }
        }
    }

    /// Waits for connection number `index` (from 0) to be open and returns it.
    pub async fn connection(&self, index: usize, within: Duration) -> usize {
        self.until(within, |s| (s.connections.len() > index).then_some(index))
            .await
    }

    /// Reads the record.
    pub fn seen<T>(&self, read: impl FnOnce(&Seen) -> T) -> T {
        read(&self.inner.seen.lock().unwrap())
    }
}

impl Inner {
    fn record(&self, change: impl FnOnce(&mut Seen)) {
        change(&mut self.seen.lock().unwrap());
        self.changed.notify_waiters();
    }
}

async fn serve_discovery(listener: TcpListener, inner: Arc<Inner>) {
    let mut n = 0u64;
    while let Ok((stream, _)) = listener.accept().await {
        n += 1;
        tokio::spawn(answer_discovery(stream, inner.clone(), n));
    }
}

async fn answer_discovery(mut stream: TcpStream, inner: Arc<Inner>, n: u64) {
    let Some((head, body)) = read_http(&mut stream).await else {
        return;
    };
    let locale = head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case("locale")
            .then(|| v.trim().to_owned())
    });
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inner.record(|s| s.discoveries.push((body, locale)));
    let (scripted, config) = {
        let mut script = inner.script.lock().unwrap();
        (script.discovery.pop_front(), script.client_config.clone())
    };
    let (status, json) = match scripted {
        Some(Discovery::Http(status)) => (status, String::new()),
        Some(Discovery::Code(code)) => (
            200,
            json!({"code": code, "msg": "scripted", "data": {}}).to_string(),
        ),
        None => {
            let url = format!(
                "ws://{}/ws/v2?fpid=493&device_id=dev-{n}&access_key=ak-secret&service_id={SERVICE_ID}&ticket=TICKET-SECRET-{n}",
                inner.ws_addr
            );
            (
                200,
                json!({"code": 0, "msg": "ok", "data": {"URL": url, "ClientConfig": config}})
                    .to_string(),
            )
        }
    };
    let reply = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
        json.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// Reads one request: the head as text and the `Content-Length` body.
async fn read_http(stream: &mut TcpStream) -> Option<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some((head, body))
}

async fn serve_ws(listener: TcpListener, inner: Arc<Inner>) {
    while let Ok((stream, _)) = listener.accept().await {
        tokio::spawn(serve_connection(stream, inner.clone()));
    }
}

// The handshake callback's error type is tungstenite's, large as it is.
#[allow(clippy::result_large_err)]
async fn serve_connection(stream: TcpStream, inner: Arc<Inner>) {
    let mut query = String::new();
    let refusal = {
        inner.record(|s| s.handshakes += 1);
        inner.script.lock().unwrap().refusals.pop_front()
    };
    let callback = |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
        query = request.uri().query().unwrap_or_default().to_owned();
        match refusal {
            None => Ok(response),
            Some(r) => {
                let mut b = tokio_tungstenite::tungstenite::http::Response::builder()
                    .status(r.status)
                    .header("Handshake-Status", r.status.to_string())
                    .header("Handshake-Msg", "scripted refusal");
                if let Some(code) = r.auth_code {
                    b = b.header("Handshake-Autherrcode", code.to_string());
                }
                Err(b.body(None).unwrap())
            }
        }
    };
    let Ok(socket) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let (tx, mut rx) = mpsc::unbounded_channel();
    let index = {
        let mut conns = inner.conns.lock().unwrap();
        conns.push(tx);
        conns.len() - 1
    };
    inner.record(|s| {
        s.connections.push(Connection {
            query,
            opened: Instant::now(),
            pings: Vec::new(),
            open: true,
            closed_by_client: false,
        })
    });
    let (mut sink, mut stream) = socket.split();
    let mut closed_by_client = false;
    loop {
        tokio::select! {
            command = rx.recv() => match command {
                Some(Command::Send(frames)) => {
                    let mut failed = false;
                    for f in frames {
                        let id = f.header("message_id").unwrap_or_default().to_owned();
                        if sink.send(Message::Binary(f.encode_to_vec().into())).await.is_err() {
                            failed = true;
                            break;
                        }
                        inner.record(|s| { s.sent.insert(id, Instant::now()); });
                    }
                    if failed { break; }
                }
                Some(Command::Drop) | None => break,
            },
            message = stream.next() => match message {
                Some(Ok(Message::Binary(bytes))) => {
                    let Ok(frame) = Frame::decode(&bytes[..]) else { continue };
                    if frame.method == 0 && frame.header("type") == Some("ping") {
                        inner.record(|s| s.connections[index].pings.push(Instant::now()));
                        let (ponging, config) = {
                            let script = inner.script.lock().unwrap();
                            (script.ponging, script.pong_config.clone())
                        };
                        if ponging {
                            let mut pong = frame.clone();
                            pong.headers = vec![Header { key: "type".into(), value: "pong".into() }];
                            pong.payload = config.map(|c| c.to_string().into_bytes());
                            if sink.send(Message::Binary(pong.encode_to_vec().into())).await.is_err() {
                                break;
                            }
                        }
                    } else if frame.method == 1 {
                        let ack = read_ack(index, frame);
                        inner.record(|s| {
                            s.acked_ids.insert(ack.message_id.clone());
                            s.acks.push(ack);
                        });
                    }
                }
                Some(Ok(Message::Close(_))) => { closed_by_client = true; let _ = sink.close().await; break; }
                Some(Ok(_)) => {}
                Some(Err(_)) | None => break,
            },
        }
    }
    inner.record(|s| {
        let c = &mut s.connections[index];
        c.open = false;
        c.closed_by_client = closed_by_client;
    });
}

fn read_ack(conn: usize, frame: Frame) -> AckSeen {
    let body: Value = frame
        .payload
        .as_deref()
        .and_then(|p| serde_json::from_slice(p).ok())
        .unwrap_or(Value::Null);
    let data = body.get("data").and_then(Value::as_str).map(|d| {
        let bytes = base64::engine::general_purpose::STANDARD.decode(d).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    });
    AckSeen {
        conn,
        message_id: frame.header("message_id").unwrap_or_default().to_owned(),
        code: body.get("code").and_then(Value::as_i64).unwrap_or(-1),
        data,
        biz_rt: frame.header("biz_rt").and_then(|v| v.parse().ok()),
        at: Instant::now(),
        frame,
    }
}

/// An HTTP proxy on 127.0.0.1: `CONNECT` tunnels (for the WebSocket) and absolute-form
/// requests (for plain-HTTP discovery). Returns its URL and the request lines it saw.
pub async fn http_proxy() -> (String, Arc<Mutex<Vec<String>>>, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://user:pa%20ss@{}", listener.local_addr().unwrap());
    let lines = Arc::new(Mutex::new(Vec::new()));
    let seen = lines.clone();
    let task = tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            tokio::spawn(proxy_one(client, seen.clone()));
        }
    });
    (url, lines, task)
}

async fn proxy_one(mut client: TcpStream, seen: Arc<Mutex<Vec<String>>>) {
    // Read the head only; a body (discovery's JSON) is passed on with the rest.
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let Ok(b) = client.read_u8().await else {
            return;
        };
        head.push(b);
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let first = text.lines().next().unwrap_or_default().to_owned();
    let authorized = text
        .lines()
        .any(|l| l.eq_ignore_ascii_case("proxy-authorization: Basic dXNlcjpwYSBzcw=="));
    seen.lock().unwrap().push(format!(
        "{first}{}",
        if authorized { " [auth]" } else { "" }
    ));
    let mut parts = first.split_whitespace();
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if method == "CONNECT" {
        let Ok(mut upstream) = TcpStream::connect(target).await else {
            let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n").await;
            return;
        };
        let _ = client
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await;
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
        return;
    }
    // Absolute form: `POST http://host:port/path HTTP/1.1` -> origin form upstream.
    let Some(rest) = target.strip_prefix("http://") else {
        return;
    };
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    let Ok(mut upstream) = TcpStream::connect(host).await else {
        return;
    };
    let rewritten = text.replacen(target, &format!("/{path}"), 1);
    if upstream.write_all(rewritten.as_bytes()).await.is_err() {
        return;
    }
    let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
}
