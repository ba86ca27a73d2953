//! The future a generated `send()` returns.
//!
//! Each endpoint's `send()` is a plain function that builds a [`Request`] and hands it
//! here; the one async request path ([`Client::execute`]) runs behind a box, and
//! [`Call`] only types the outcome. An `async fn send` per endpoint would instead
//! compile a state machine per endpoint, which for a large generated crate costs more
//! than the one allocation per call this does.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use crate::auth::BoxFuture;
use crate::client::Client;
use crate::download::Download;
use crate::envelope::RawResponse;
use crate::error::{Error, ErrorCode};
use crate::json::FromJson;
use crate::request::Request;
use crate::validate::Invalid;

/// A call on its way: resolves to the endpoint's typed response or its typed error.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<'a, T, C> {
    inner: BoxFuture<'a, Result<RawResponse, Error>>,
    // `fn() -> _`: the call owns no `T` or `C`, so it is `Send` and `Unpin` regardless.
    out: PhantomData<fn() -> (T, C)>,
}

impl<'a, T, C> Call<'a, T, C> {
    /// Sends `request` through `client` if `checked` (the request's validation) is
    /// `Ok`; otherwise fails with the rule it breaks and sends nothing. Used by
    /// generated code.
    #[doc(hidden)]
    pub fn new(client: &'a Client, request: Request, checked: Result<(), Invalid>) -> Self {
        Self {
            inner: start(client, request, checked),
            out: PhantomData,
        }
    }
}

// Not generic, so it is compiled once, here.
fn start(
    client: &Client,
    request: Request,
    checked: Result<(), Invalid>,
) -> BoxFuture<'_, Result<RawResponse, Error>> {
    guarded(checked, || Box::pin(client.execute(request)))
}

/// `send`, unless the request broke a rule: then that is the outcome, and nothing is sent.
fn guarded<'a, T: Send + 'a>(
    checked: Result<(), Invalid>,
    send: impl FnOnce() -> BoxFuture<'a, Result<T, Error>>,
) -> BoxFuture<'a, Result<T, Error>> {
    match checked {
        Ok(()) => send(),
        Err(invalid) => Box::pin(std::future::ready(Err(Error::Invalid(invalid)))),
    }
}

impl<'a, T, C> Call<'a, T, C> {
    /// The same call, resolving to the typed response together with what the response
    /// said about itself: its log id and HTTP status (for your logs, or Feishu support).
    pub fn with_meta(self) -> WithMeta<'a, T, C> {
        WithMeta {
            inner: self.inner,
            out: PhantomData,
        }
    }
}

/// What a successful response said about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ResponseMeta {
    /// `X-Tt-Logid` (or `X-Request-Id`): quote it to Feishu support.
    pub log_id: Option<String>,
    /// The HTTP status.
    pub http_status: u16,
}

/// A [`Call`] that also returns the [`ResponseMeta`]; see [`Call::with_meta`].
#[must_use = "a call does nothing until it is awaited"]
pub struct WithMeta<'a, T, C> {
    inner: BoxFuture<'a, Result<RawResponse, Error>>,
    out: PhantomData<fn() -> (T, C)>,
}

impl<T: FromJson, C: ErrorCode> Future for WithMeta<'_, T, C> {
    type Output = Result<(T, ResponseMeta), Error<C>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx).map(|outcome| match outcome {
            Ok(raw) => {
                let meta = raw.meta();
                raw.decode().map(|data| (data, meta))
            }
            Err(e) => Err(e.map_code(C::from_code)),
        })
    }
}

impl<T, C> std::fmt::Debug for WithMeta<'_, T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithMeta").finish_non_exhaustive()
    }
}

/// A download on its way: resolves to the [`Download`] or the endpoint's typed error.
#[must_use = "a call does nothing until it is awaited"]
pub struct DownloadCall<'a, C> {
    inner: BoxFuture<'a, Result<Download, Error>>,
    out: PhantomData<fn() -> C>,
}

impl<'a, C> DownloadCall<'a, C> {
    /// Sends `request` through `client` if `checked` is `Ok`. Used by generated code.
    #[doc(hidden)]
    pub fn new(client: &'a Client, request: Request, checked: Result<(), Invalid>) -> Self {
        DownloadCall {
            inner: guarded(checked, || Box::pin(client.execute_download(request))),
            out: PhantomData,
        }
    }
}

impl<C: ErrorCode> Future for DownloadCall<'_, C> {
    type Output = Result<Download, Error<C>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner
            .as_mut()
            .poll(cx)
            .map(|outcome| outcome.map_err(|e| e.map_code(C::from_code)))
    }
}

impl<C> std::fmt::Debug for DownloadCall<'_, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DownloadCall").finish_non_exhaustive()
    }
}

impl<T: FromJson, C: ErrorCode> Future for Call<'_, T, C> {
    type Output = Result<T, Error<C>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.inner.as_mut().poll(cx).map(|outcome| match outcome {
            Ok(raw) => raw.decode(),
            Err(e) => Err(e.map_code(C::from_code)),
        })
    }
}

impl<T, C> std::fmt::Debug for Call<'_, T, C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").finish_non_exhaustive()
    }
}
