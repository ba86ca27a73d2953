//! The one request path every endpoint goes through: a thin loop over the pure parts.
//! Each attempt chooses a token, goes through the [`crate::Transport`], is classified
//! (`classify.rs`) and handed to the retry policy (`retry.rs`), which says stop, wait
//! and retry, or retry with a fresh token. The whole call runs under its deadline.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, USER_AGENT};
use tracing::Instrument;

use crate::classify::classify;
use crate::client::Client;
use crate::envelope::RawResponse;
use crate::error::Error;
use crate::request::Request;
use crate::retry::{Attempt, Decision};
use crate::secret::Secret;
use crate::spec::HostFamily;
use crate::transport::HttpRequest;
use crate::validate::Invalid;

impl Client {
    /// The request path shared by every endpoint: choose a token, send, and retry where
    /// it is safe; returns the successful envelope.
    pub async fn execute(&self, request: Request) -> Result<RawResponse, Error> {
        let spec = request.spec;
        let span = tracing::info_span!(
            "feishu.call",
            endpoint = spec.id,
            attempt = tracing::field::Empty,
            http.status = tracing::field::Empty,
            log_id = tracing::field::Empty,
        );
        let attempts = AtomicU32::new(0);
        let call = self.attempts(request, &span, &attempts);
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

    async fn attempts(
        &self,
        req: Request,
        span: &tracing::Span,
        attempts: &AtomicU32,
    ) -> Result<RawResponse, Error> {
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
            let outcome = inner.transport.send(http).await;
            if let Ok(response) = &outcome {
                span.record("http.status", response.status);
            }
            let classified = classify(spec, outcome, inner.max_body, number);
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
