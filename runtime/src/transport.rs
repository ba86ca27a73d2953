//! One HTTP exchange: the seam between the request loop and the network. The loop hands
//! a [`Transport`] an [`HttpRequest`] and gets an [`HttpResponse`] or a
//! [`TransportFailure`]; the default is [`ReqwestTransport`], and tests replay
//! responses through their own implementation without sockets.

use std::fmt;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::{CONTENT_LENGTH, HeaderMap};

use crate::auth::BoxFuture;
use crate::download::BodyStream;
use crate::error::BoxError;
use crate::spec::Method;

/// A request as it goes on the wire.
pub struct HttpRequest {
    /// HTTP method.
    pub method: Method,
    /// The full URL.
    pub url: String,
    /// Every header, `Authorization` (marked sensitive) included.
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Bytes>,
    /// How long this attempt may take, reading the whole body included.
    pub timeout: Duration,
    /// Largest response body to read; past it the transport fails with
    /// [`TransportFailure::TooLarge`].
    pub max_body: usize,
}

impl fmt::Debug for HttpRequest {
    // Header values and the body can carry credentials (the token endpoints' bodies hold
    // the app secret): only their names and size are shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.as_ref().map(Bytes::len))
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// A complete response.
#[derive(Clone)]
pub struct HttpResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The whole body (at most the request's `max_body` bytes).
    pub body: Bytes,
}

impl fmt::Debug for HttpResponse {
    // A token endpoint's body is a token: only the size is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Why an attempt got no complete response.
#[derive(Debug)]
#[non_exhaustive]
pub enum TransportFailure {
    /// The connection was never made: nothing was sent, always safe to retry.
    NotSent(BoxError),
    /// No complete response within the attempt's timeout: it may have been processed.
    TimedOut,
    /// Any other failure (connection reset mid-response, ...): may have been processed.
    Interrupted(BoxError),
    /// The body is larger than `max_body`; reading stopped there.
    TooLarge {
        /// HTTP status.
        status: u16,
        /// Response headers.
        headers: HeaderMap,
    },
}

/// A response whose body is handed over as it arrives (downloads).
pub struct StreamingResponse {
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The body.
    pub body: BodyStream,
}

impl fmt::Debug for StreamingResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamingResponse")
            .field("status", &self.status)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// Sends one request and reads its whole response.
pub trait Transport: Send + Sync + fmt::Debug {
    /// One attempt. Implementations must not follow redirects, must stop reading at
    /// `max_body` and must honour `timeout`.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportFailure>>;

    /// One attempt whose body is handed over as a stream (file downloads): `timeout`
    /// bounds the wait for the response headers and for each chunk after them, and
    /// `max_body` does not apply. The default reads the whole body through
    /// [`Transport::send`].
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamingResponse, TransportFailure>> {
        Box::pin(async move {
            let response = self.send(request).await?;
            let body = response.body;
            Ok(StreamingResponse {
                status: response.status,
                headers: response.headers,
                body: Box::pin(futures_util::stream::once(async move { Ok(body) })),
            })
        })
    }
}

/// The default [`Transport`], over a `reqwest::Client` that never follows redirects.
#[derive(Debug, Clone)]
pub struct ReqwestTransport {
    http: reqwest::Client,
}

impl ReqwestTransport {
    /// Builds the transport from `builder`, with redirects turned off whatever the
    /// builder said: Feishu's API never redirects, and following one would send the
    /// credentials in the request to wherever the `Location` points.
    pub fn new(builder: reqwest::ClientBuilder) -> Result<Self, reqwest::Error> {
        let http = builder
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(ReqwestTransport { http })
    }
}

impl Transport for ReqwestTransport {
    fn send_streaming(
        &self,
        request: HttpRequest,
    ) -> BoxFuture<'_, Result<StreamingResponse, TransportFailure>> {
        let timeout = request.timeout;
        Box::pin(async move {
            let sent = self.prepare(request).send();
            let mut response = match tokio::time::timeout(timeout, sent).await {
                Ok(outcome) => outcome.map_err(failure)?,
                Err(_) => return Err(TransportFailure::TimedOut),
            };
            let status = response.status().as_u16();
            let headers = std::mem::take(response.headers_mut());
            // Each chunk within the timeout: a server that stops sending mid-file ends
            // the stream with an error instead of holding it open.
            let body = futures_util::stream::unfold(Some(response), move |state| async move {
                let mut response = state?;
                match tokio::time::timeout(timeout, response.chunk()).await {
                    Ok(Ok(Some(chunk))) => Some((Ok(chunk), Some(response))),
                    Ok(Ok(None)) => None,
                    Ok(Err(e)) => Some((Err(Box::new(e) as BoxError), None)),
                    Err(_) => Some((Err("no data within the timeout".into()), None)),
                }
            });
            Ok(StreamingResponse {
                status,
                headers,
                body: Box::pin(body),
            })
        })
    }

    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportFailure>> {
        let timeout = request.timeout;
        Box::pin(async move {
            // One clock for the whole exchange, reading the body included, so a server
            // that trickles an endless body cannot hold the call.
            match tokio::time::timeout(timeout, self.exchange(request)).await {
                Ok(outcome) => outcome,
                Err(_) => Err(TransportFailure::TimedOut),
            }
        })
    }
}

impl ReqwestTransport {
    fn prepare(&self, request: HttpRequest) -> reqwest::RequestBuilder {
        let builder = self
            .http
            .request(request.method.to_reqwest(), &request.url)
            .headers(request.headers);
        match request.body {
            Some(body) => builder.body(body),
            None => builder,
        }
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportFailure> {
        let limit = request.max_body;
        let mut response = self.prepare(request).send().await.map_err(failure)?;
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let announced = headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if announced.is_some_and(|n| n > limit as u64) {
            return Err(TransportFailure::TooLarge { status, headers });
        }
        // Reserve what an honest Content-Length announces, up to 1 MiB (a server that
        // announces much and sends nothing does not get more); grow with what arrives,
        // never past the limit.
        let reserve = announced.map_or(0, |n| n as usize).min(limit).min(1 << 20);
        let mut body = BytesMut::with_capacity(reserve);
        while let Some(chunk) = response.chunk().await.map_err(failure)? {
            if body.len() + chunk.len() > limit {
                return Err(TransportFailure::TooLarge { status, headers });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(HttpResponse {
            status,
            headers,
            body: body.freeze(),
        })
    }
}

fn failure(e: reqwest::Error) -> TransportFailure {
    if e.is_timeout() {
        TransportFailure::TimedOut
    } else if e.is_connect() {
        TransportFailure::NotSent(Box::new(e))
    } else {
        TransportFailure::Interrupted(Box::new(e))
    }
}
