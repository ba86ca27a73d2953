//! The framework-agnostic core: one request in, one answer out (events.md §1).
//!
//! The order of the checks matters:
//! 1. method and size, before anything is parsed;
//! 2. the signature, over the raw bytes, before decrypting, so that a forged body
//!    never reaches the decryptor when the request is signed;
//! 3. decryption, then the kind of delivery decides what else is required: events
//!    must be signed when an Encrypt Key is set (the platform always signs then, and
//!    both official SDKs refuse an unsigned one); `url_verification` and quick-approval
//!    callbacks are not signed by the platform and are authenticated by their token;
//! 4. the token, in constant time, then the dispatcher.

use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, Response, StatusCode};
use http_body::Body;
use serde_json::{Value, json};

use super::answer::answer;
use super::body::read_limited;
use super::config::EventServerBuilder;
use super::crypto::{EncryptKey, constant_time_eq};
use super::rejection::{Rejection, json_response};
use crate::Secret;
use crate::error::BoxError;
use crate::events::envelope::version_of;
use crate::events::{Dispatcher, EnvelopeVersion, delivery_token};

/// `X-Lark-Request-Timestamp` (header names are case-insensitive; `http` keeps them lowercase).
const TIMESTAMP: &str = "x-lark-request-timestamp";
/// `X-Lark-Request-Nonce`.
const NONCE: &str = "x-lark-request-nonce";
/// `X-Lark-Signature`.
const SIGNATURE: &str = "x-lark-signature";

/// Receives event and callback deliveries over HTTP and hands them to a
/// [`Dispatcher`]: checks the method and size, verifies the signature, decrypts,
/// answers `url_verification`, checks the token, and turns the outcome into the answer
/// the platform expects. Cheap to clone; serve it from any HTTP framework through
/// [`EventServer::handle`] or [`EventServer::handle_body`] (or the `axum` feature's
/// adapter).
#[derive(Clone, Debug)]
pub struct EventServer {
    settings: Arc<Settings>,
}

#[derive(Debug)]
pub(crate) struct Settings {
    pub dispatcher: Dispatcher,
    pub verification_token: Option<Secret>,
    pub callback_token: Option<Secret>,
    pub encrypt_key: Option<EncryptKey>,
    /// Set only when it differs from `encrypt_key`.
    pub callback_key: Option<EncryptKey>,
    pub body_limit: usize,
}

impl EventServer {
    /// Starts a server that dispatches to `dispatcher`, with no secrets and
    /// [`super::DEFAULT_BODY_LIMIT`].
    pub fn builder(dispatcher: Dispatcher) -> EventServerBuilder {
        EventServerBuilder::new(dispatcher)
    }

    pub(crate) fn from_settings(settings: Arc<Settings>) -> Self {
        Self { settings }
    }

    /// The dispatcher deliveries go to (for its [`Dispatcher::stats`]).
    pub fn dispatcher(&self) -> &Dispatcher {
        &self.settings.dispatcher
    }

    /// The largest body accepted, in bytes.
    pub fn body_limit(&self) -> usize {
        self.settings.body_limit
    }

    /// Answers a request whose body is already read. Never panics, whatever the input.
    /// Must be called inside a Tokio runtime (handlers run in their own tasks).
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let (parts, body) = request.into_parts();
        respond(self.receive(&parts.method, &parts.headers, &body).await)
    }

    /// Answers a request, reading its body with the limit: a body announced or found
    /// to be larger is answered 413 without reading more of it. The method is checked
    /// before any of the body is read.
    pub async fn handle_body<B>(&self, request: Request<B>) -> Response<Bytes>
    where
        B: Body,
        B::Error: Into<BoxError>,
    {
        let (parts, body) = request.into_parts();
        if parts.method != Method::POST {
            return respond(Err(Rejection::MethodNotAllowed(parts.method)));
        }
        let body = match read_limited(&parts.headers, body, self.settings.body_limit).await {
            Ok(body) => body,
            Err(rejection) => return respond(Err(rejection)),
        };
        respond(self.receive(&parts.method, &parts.headers, &body).await)
    }

    /// Like [`Self::handle`], but a refusal is returned as the typed [`Rejection`]
    /// (turn it into the answer with [`Rejection::into_response`]); nothing is logged.
    pub async fn try_handle(&self, request: Request<Bytes>) -> Result<Response<Bytes>, Rejection> {
        let (parts, body) = request.into_parts();
        self.receive(&parts.method, &parts.headers, &body).await
    }

    async fn receive(
        &self,
        method: &Method,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Response<Bytes>, Rejection> {
        let s = &*self.settings;
        if method != Method::POST {
            return Err(Rejection::MethodNotAllowed(method.clone()));
        }
        if body.len() > s.body_limit {
            return Err(Rejection::BodyTooLarge {
                limit: s.body_limit,
            });
        }
        let outer = parse_object(body, "the body is not a JSON object")?;
        let signed = self.check_signature(headers, body)?;
        let (delivery, sealed) = match outer.get("encrypt") {
            Some(Value::String(encrypted)) => (self.decrypt(encrypted)?, true),
            Some(_) => return Err(Rejection::NotJson("the body's `encrypt` is not a string")),
            None => (outer, false),
        };

        if delivery.get("type").and_then(Value::as_str) == Some("url_verification") {
            return self.verify_url(&delivery);
        }

        let bare = version_of(&delivery) == Some(EnvelopeVersion::Bare);
        if !bare && s.encrypt_key.is_some() && !signed {
            return Err(Rejection::Unsigned);
        }
        // A quick-approval callback is not signed: with a key configured, the platform
        // seals it (events.md §3.6), so a plaintext one is a forgery, whatever it says.
        if bare && !sealed && (s.callback_key.is_some() || s.encrypt_key.is_some()) {
            return Err(Rejection::Unsigned);
        }
        let (expected, which) = if bare {
            (&s.callback_token, "callback")
        } else {
            (&s.verification_token, "verification")
        };
        check_token(expected, &delivery, which)?;
        answer(s.dispatcher.dispatch(delivery).await)
    }

    /// `Ok(true)` when the request is signed and the signature matches; `Ok(false)`
    /// when it carries no signature or no Encrypt Key is configured to check one with.
    fn check_signature(&self, headers: &HeaderMap, body: &[u8]) -> Result<bool, Rejection> {
        let (Some(key), Some(signature)) = (&self.settings.encrypt_key, headers.get(SIGNATURE))
        else {
            return Ok(false);
        };
        // A missing timestamp or nonce hashes as empty and fails like any wrong value.
        let part = |name| headers.get(name).map_or(&b""[..], |v| v.as_bytes());
        if key.verify(part(TIMESTAMP), part(NONCE), body, signature.as_bytes()) {
            Ok(true)
        } else {
            Err(Rejection::BadSignature)
        }
    }

    /// Decrypts with the Encrypt Key, then with the quick-approval key when that one
    /// differs: the body does not say which of the two it was sealed with. When both
    /// fail, the first key's failure is the one reported.
    fn decrypt(&self, encrypted: &str) -> Result<Value, Rejection> {
        let s = &*self.settings;
        let mut first_failure = None;
        for key in [&s.encrypt_key, &s.callback_key].into_iter().flatten() {
            let failure = match key.decrypt(encrypted) {
                Ok(plain) => {
                    match parse_object(plain.as_bytes(), "the decrypted body is not a JSON object")
                    {
                        Ok(delivery) => return Ok(delivery),
                        Err(e) => e,
                    }
                }
                Err(e) => e.into(),
            };
            first_failure.get_or_insert(failure);
        }
        Err(first_failure.unwrap_or(Rejection::NoEncryptKey))
    }

    /// Answers `url_verification` (events.md §1.2) with the challenge, in plaintext
    /// even when the request was encrypted.
    fn verify_url(&self, delivery: &Value) -> Result<Response<Bytes>, Rejection> {
        check_token(&self.settings.verification_token, delivery, "verification")?;
        let Some(challenge) = delivery.get("challenge").and_then(Value::as_str) else {
            return Err(Rejection::NoChallenge);
        };
        tracing::debug!("url_verification answered");
        let body = json!({ "challenge": challenge }).to_string();
        Ok(json_response(StatusCode::OK, Bytes::from(body)))
    }
}

/// Compares the delivery's token with the configured one, when one is configured.
fn check_token(
    expected: &Option<Secret>,
    delivery: &Value,
    which: &'static str,
) -> Result<(), Rejection> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let got = delivery_token(delivery).unwrap_or_default();
    if constant_time_eq(expected.expose().as_bytes(), got.as_bytes()) {
        Ok(())
    } else {
        Err(Rejection::WrongToken(which))
    }
}

fn parse_object(bytes: &[u8], failure: &'static str) -> Result<Value, Rejection> {
    match serde_json::from_slice(bytes) {
        Ok(v @ Value::Object(_)) => Ok(v),
        _ => Err(Rejection::NotJson(failure)),
    }
}

fn respond(result: Result<Response<Bytes>, Rejection>) -> Response<Bytes> {
    result.unwrap_or_else(|rejection| {
        rejection.log();
        rejection.into_response()
    })
}
