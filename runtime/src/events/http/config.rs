//! What an [`EventServer`] is built from: the dispatcher, the app's secrets as the
//! console shows them, and the body limit.

use std::sync::Arc;

use super::crypto::EncryptKey;
use super::server::{EventServer, Settings};
use crate::Secret;
use crate::events::Dispatcher;

/// The default largest body accepted: 1 MiB. Event envelopes are a few KiB; the
/// largest payloads (app version events with many scopes) stay far below this.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Builds an [`EventServer`]. Secrets left unset are not checked; an empty string
/// counts as unset, as an empty field in the console does.
#[derive(Debug)]
pub struct EventServerBuilder {
    dispatcher: Dispatcher,
    verification_token: Option<Secret>,
    encrypt_key: Option<Secret>,
    callback_token: Option<Secret>,
    callback_key: Option<Secret>,
    body_limit: usize,
}

impl EventServerBuilder {
    pub(crate) fn new(dispatcher: Dispatcher) -> Self {
        Self {
            dispatcher,
            verification_token: None,
            encrypt_key: None,
            callback_token: None,
            callback_key: None,
            body_limit: DEFAULT_BODY_LIMIT,
        }
    }

    /// The app's Verification Token: every event delivery and `url_verification` must
    /// carry it (`header.token` in 2.0, `token` in 1.0), compared in constant time.
    /// Also the quick-approval callback token unless [`Self::callback_token`] is set.
    pub fn verification_token(mut self, token: impl Into<Secret>) -> Self {
        self.verification_token = non_empty(token.into());
        self
    }

    /// The app's Encrypt Key: encrypted bodies are decrypted with it, and event
    /// deliveries must carry a valid `X-Lark-Signature` made with it. Also the
    /// quick-approval callback key unless [`Self::callback_key`] is set.
    pub fn encrypt_key(mut self, key: impl Into<Secret>) -> Self {
        self.encrypt_key = non_empty(key.into());
        self
    }

    /// The third-party approval definition's `action_callback_token`, when it differs
    /// from the Verification Token: quick-approval callbacks carry it in `token`.
    pub fn callback_token(mut self, token: impl Into<Secret>) -> Self {
        self.callback_token = non_empty(token.into());
        self
    }

    /// The approval definition's `action_callback_key`, when it differs from the
    /// Encrypt Key. Quick-approval callbacks are encrypted with it but not signed.
    pub fn callback_key(mut self, key: impl Into<Secret>) -> Self {
        self.callback_key = non_empty(key.into());
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_BODY_LIMIT`]). A larger
    /// body is answered 413 as soon as it is known to be larger: from its
    /// `Content-Length`, or when reading passes the limit.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The server.
    pub fn build(self) -> EventServer {
        let callback_token = self
            .callback_token
            .or_else(|| self.verification_token.clone());
        // A second key is tried only when it differs from the first.
        let callback_key = match (&self.callback_key, &self.encrypt_key) {
            (Some(c), Some(e)) if c == e => None,
            (c, _) => c.clone(),
        };
        EventServer::from_settings(Arc::new(Settings {
            dispatcher: self.dispatcher,
            verification_token: self.verification_token,
            callback_token,
            encrypt_key: self.encrypt_key.map(EncryptKey::new),
            callback_key: callback_key.map(EncryptKey::new),
            body_limit: self.body_limit,
        }))
    }
}

fn non_empty(secret: Secret) -> Option<Secret> {
    (!secret.expose().is_empty()).then_some(secret)
}
