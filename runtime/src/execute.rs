//! The one request path every endpoint goes through: a thin loop over the pure parts.
//! Each attempt chooses a token, goes through the [`crate::Transport`], is classified
//! (`classify.rs`) and handed to the retry policy (`retry.rs`), which says stop, wait
//! and retry, or retry with a fresh token. The whole call runs under its deadline.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue, USER_AGENT};
use tracing::Instrument;

use crate::auth::BoxFuture;
use crate::classify::{Class, Classified, classify};
use crate::client::Client;
use crate::download::Download;
use crate::envelope::RawResponse;
use crate::error::Error;
use crate::request::Request;
use crate::retry::{Attempt, Decision};
use crate::secret::Secret;
use crate::spec::EndpointSpec;
use crate::spec::HostFamily;
use crate::transport::{HttpRequest, HttpResponse, StreamingResponse, TransportFailure};
use crate::validate::Invalid;

impl Client {
    /// The request path shared by every endpoint: choose a token, send, and retry where
    /// it is safe; returns the successful envelope.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        self.run::<Json>(request).await
    }

    /// The same path for endpoints that answer with a file: the body is handed over as
    /// a stream once the headers say the call succeeded.
    pub async fn execute_download(&self, request: Request) -> Result<Download, Error> {
        self.run::<File>(request).await
    }

    /// One call: its attempts, in a span, under the call's deadline.
    async fn run<E: Exchange>(&self, request: Request) -> Result<E::Out, Error> {
        let spec = request.spec;
        let span = tracing::info_span!(
            "feishu.call",
            endpoint = spec.id,
            attempt = tracing::field::Empty,
            http.status = tracing::field::Empty,
            log_id = tracing::field::Empty,
        );
        let attempts = AtomicU32::new(0);
        let call = self.attempts::<E>(request, &span, &attempts);
        // With no subscriber listening, skip entering the span on every poll.
        let call = async {
            if span.is_disabled() {
                call.await
            } else {
                call.instrument(span.clone()).await
            }
        };
        let Some(deadline) = self.inner.deadline else {
            return call.await;
        };
        match tokio::time::timeout(deadline, call).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout {
                endpoint: spec.id,
                attempts: attempts.load(Ordering::Relaxed),
            }),
        }
    }

    async fn attempts<E: Exchange>(
        &self,
        req: Request,
        span: &tracing::Span,
        attempts: &AtomicU32,
    ) -> Result<E::Out, Error> {
        let inner = &*self.inner;
        let spec = req.spec;
        let started = Instant::now();
        let headers = req.check()?;
        let base = match spec.host {
            HostFamily::Open => &inner.open_base,
            HostFamily::Www => &inner.www_base,
        };
        let url = req.url(base);
        let mut number = 0;
        let mut token_refreshed = false;
        loop {
            number += 1;
            attempts.store(number, Ordering::Relaxed);
            span.record("attempt", number);
            let token = inner
                .tokens
                .choose(
                    self,
                    spec.tokens,
                    req.options.user_access_token.as_ref(),
                    req.options.tenant_key.as_deref(),
                    spec.id,
                )
                .await?;
            let http = HttpRequest {
                method: spec.method,
                url: url.clone(),
                headers: self.headers(&headers, token.as_ref().map(|t| &t.value))?,
                body: req.body.clone(),
                timeout: inner.timeout,
                max_body: inner.max_body,
            };
            let classified = E::once(self, spec, http, number, span).await;
            if let Some(id) = classified.result.as_ref().err().and_then(Error::log_id) {
                span.record("log_id", id);
            }
            let attempt = Attempt {
                number,
                idempotent: spec.idempotent,
                token_refreshable: !token_refreshed
                    && token.as_ref().is_some_and(|t| t.cache_key.is_some()),
                remaining: inner.deadline.map(|d| d.saturating_sub(started.elapsed())),
            };
            match inner
                .retry
                .decide(&attempt, classified.class, fastrand::f64())
            {
                Decision::Stop => return classified.result,
                Decision::RefreshToken => {
                    // The one retry that does not count as an attempt: a fresh token.
                    tracing::info!("access token rejected; fetching a new one and retrying once");
                    if let Some(chosen) = &token {
                        inner.tokens.invalidate(chosen);
                    }
                    token_refreshed = true;
                    number -= 1;
                }
                Decision::RetryAfter(delay) => {
                    let why = classified.result.as_ref().err().map(ToString::to_string);
                    retry_after(delay, number, why.as_deref().unwrap_or_default()).await;
                }
            }
        }
    }

    /// The headers of one attempt: the call's own, the user agent unless the call
    /// replaced it, and the token (marked sensitive, so it is never logged). A token
    /// that cannot be a header value (a user token read with its trailing newline) fails
    /// the call rather than go unsent and come back as "missing access token".
    fn headers(&self, call: &HeaderMap, token: Option<&Secret>) -> Result<HeaderMap, Error> {
        let mut headers = call.clone();
        if !headers.contains_key(USER_AGENT) {
            headers.insert(USER_AGENT, self.inner.user_agent.clone());
        }
        if let Some(token) = token {
            let mut value =
                HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
                    Invalid::new(
                        "access_token",
                        "is not a valid header value (control characters such as CR or LF)",
                    )
                })?;
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        Ok(headers)
    }
}

async fn retry_after(delay: Duration, attempt: u32, why: &str) {
    tracing::warn!(
        attempt,
        delay_ms = delay.as_millis() as u64,
        why,
        "retrying"
    );
    tokio::time::sleep(delay).await;
}

/// How one attempt goes on the wire and what counts as its success.
trait Exchange {
    type Out: Send;
    fn once<'a>(
        client: &'a Client,
        spec: &'static EndpointSpec,
        http: HttpRequest,
        number: u32,
        span: &'a tracing::Span,
    ) -> BoxFuture<'a, Classified<Self::Out>>;
}

/// The JSON envelope, read whole (up to the body limit).
struct Json;

impl Exchange for Json {
    type Out = RawResponse;
    fn once<'a>(
        client: &'a Client,
        spec: &'static EndpointSpec,
        http: HttpRequest,
        number: u32,
        span: &'a tracing::Span,
    ) -> BoxFuture<'a, Classified<RawResponse>> {
        Box::pin(async move {
            let inner = &*client.inner;
            let outcome = inner.transport.send(http).await;
            if let Ok(response) = &outcome {
                span.record("http.status", response.status);
            }
            classify(spec, outcome, inner.max_body, number)
        })
    }
}

/// A file: a success is handed over as a stream; anything else (a JSON error, an error
/// page) is read up to the body limit and classified like any response.
struct File;

impl Exchange for File {
    type Out = Download;
    fn once<'a>(
        client: &'a Client,
        spec: &'static EndpointSpec,
        http: HttpRequest,
        number: u32,
        span: &'a tracing::Span,
    ) -> BoxFuture<'a, Classified<Download>> {
        Box::pin(async move {
            let inner = &*client.inner;
            let max_body = inner.max_body;
            let response = match inner.transport.send_streaming(http).await {
                Ok(response) => response,
                Err(failure) => return expect_file(classify(spec, Err(failure), max_body, number)),
            };
            let status = response.status;
            span.record("http.status", status);
            let json = response
                .headers
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| {
                    v.trim_start()
                        .to_ascii_lowercase()
                        .starts_with("application/json")
                });
            if (200..300).contains(&status) && !json {
                let log_id = crate::classify::log_id(&response.headers);
                let download =
                    Download::new(spec.id, status, &response.headers, log_id, response.body);
                return Classified {
                    class: Class::Done,
                    result: Ok(download),
                };
            }
            let whole = read_capped(response, max_body).await;
            expect_file(classify(spec, whole, max_body, number))
        })
    }
}

/// A response for a file endpoint that was not a file: its error, or, for a JSON body
/// that claims success, a decode error (the server sent JSON where a file belongs).
fn expect_file(classified: Classified<RawResponse>) -> Classified<Download> {
    Classified {
        class: classified.class,
        result: classified
            .result
            .and_then(|raw| Err(Error::Decode(raw.not_a_file()))),
    }
}

/// The rest of a streamed response, read whole up to `limit` bytes.
async fn read_capped(
    response: StreamingResponse,
    limit: usize,
) -> Result<HttpResponse, TransportFailure> {
    let StreamingResponse {
        status,
        headers,
        mut body,
    } = response;
    let mut out = bytes::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk.map_err(TransportFailure::Interrupted)?;
        if out.len() + chunk.len() > limit {
            return Err(TransportFailure::TooLarge { status, headers });
        }
        out.extend_from_slice(&chunk);
    }
    Ok(HttpResponse {
        status,
        headers,
        body: out.freeze(),
    })
}
