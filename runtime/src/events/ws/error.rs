//! Why the long connection stopped for good. Everything else (a dropped socket, a busy
//! discovery endpoint, a handshake the server asks to retry) is retried and only logged.

/// A reason the client stopped trying. None of them carries the connection URL, which
/// holds credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WsError {
    /// Discovery answered a code that retrying cannot fix (wrong credentials, an app
    /// that may not use the long connection, ...). Codes 1 and 1000040343 are retried.
    #[error("long-connection discovery refused: code {code}: {msg}")]
    Discovery {
        /// The platform's code.
        code: i64,
        /// The platform's message.
        msg: String,
    },
    /// The WebSocket handshake was refused for a reason retrying cannot fix: 403, or
    /// 514 with `Handshake-Autherrcode` 1000040350 (the app's connection limit).
    #[error(
        "long-connection handshake refused: HTTP {status}{}: {message}",
        auth_code.map(|c| format!(", auth error {c}")).unwrap_or_default()
    )]
    HandshakeRefused {
        /// The HTTP status of the handshake answer.
        status: u16,
        /// `Handshake-Autherrcode`, when sent.
        auth_code: Option<i64>,
        /// `Handshake-Msg`, when sent.
        message: String,
    },
    /// `ReconnectCount` attempts in a row failed.
    #[error("gave up after {attempts} reconnect attempts; the last failure: {last}")]
    ReconnectsExhausted {
        /// Attempts made.
        attempts: u32,
        /// What the last attempt ran into.
        last: String,
    },
    /// The configuration cannot work (an unreadable open base or proxy URL).
    #[error("long-connection client configuration: {0}")]
    Config(String),
}

impl WsError {
    /// Whether a refused handshake is one of the two fatal cases of events.md §2
    /// "Handshake"; every other status, 514 included, is retried.
    pub(crate) fn fatal_handshake(status: u16, auth_code: Option<i64>) -> bool {
        status == 403 || (status == 514 && auth_code == Some(1_000_040_350))
    }
}
