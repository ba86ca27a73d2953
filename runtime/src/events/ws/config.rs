//! Timings and bounds: the ones the server decides (`ClientConfig`, sent with discovery
//! and with pongs) and the ones only the client can decide (timeouts, buffers).

use std::time::Duration;

use serde_json::Value;

/// What the server says about reconnecting and heartbeats (`ClientConfig` in the
/// discovery answer and in pong payloads). Until it speaks, the defaults of events.md
/// §2 "Reconnect" apply: unlimited attempts, 120 s apart, 30 s jitter, a ping every 120 s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Attempts in a row before giving up; `None` is unlimited (`ReconnectCount < 0`).
    pub reconnect_count: Option<u32>,
    /// Time between reconnect attempts (`ReconnectInterval`).
    pub reconnect_interval: Duration,
    /// The first attempt after a disconnection waits a random time below this
    /// (`ReconnectNonce`), so that a fleet of clients does not reconnect at once.
    pub reconnect_nonce: Duration,
    /// Time between pings (`PingInterval`).
    pub ping_interval: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            reconnect_count: None,
            reconnect_interval: Duration::from_secs(120),
            reconnect_nonce: Duration::from_secs(30),
            ping_interval: Duration::from_secs(120),
        }
    }
}

impl ServerConfig {
    /// Applies the fields `config` carries, leaving the others as they are. The server
    /// sends whole seconds; fractions are accepted too (a test server uses them), while
    /// negative or non-numeric durations, and a zero ping interval, are ignored.
    pub(crate) fn apply(&mut self, config: &Value) {
        let secs = |key: &str| {
            let s = config.get(key)?.as_f64()?;
            (0.0..1e9).contains(&s).then(|| Duration::from_secs_f64(s))
        };
        if let Some(n) = config.get("ReconnectCount").and_then(Value::as_i64) {
            self.reconnect_count = u32::try_from(n).ok();
        }
        if let Some(d) = secs("ReconnectInterval") {
            self.reconnect_interval = d;
        }
        if let Some(d) = secs("ReconnectNonce") {
            self.reconnect_nonce = d;
        }
        if let Some(d) = secs("PingInterval").filter(|d| !d.is_zero()) {
            self.ping_interval = d;
        }
    }
}

/// Everything the client decides on its own. Each field has a default fit for
/// production; tests shorten them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timings {
    pub discovery_timeout: Duration,
    pub handshake_timeout: Duration,
    pub pong_timeout: Duration,
    pub write_timeout: Duration,
    pub fragment_ttl: Duration,
    pub max_fragment_bytes: usize,
    pub max_pending_messages: usize,
    pub max_in_flight: usize,
    pub close_grace: Duration,
    pub max_message_bytes: usize,
}

impl Default for Timings {
    fn default() -> Self {
        Timings {
            // Node uses 15 s for discovery.
            discovery_timeout: Duration::from_secs(15),
            handshake_timeout: Duration::from_secs(15),
            pong_timeout: Duration::from_secs(30),
            write_timeout: Duration::from_secs(10),
            // The Go SDK drops incomplete sets after 5 s.
            fragment_ttl: Duration::from_secs(5),
            max_fragment_bytes: 32 << 20,
            max_pending_messages: 256,
            max_in_flight: 1024,
            close_grace: Duration::from_secs(5),
            max_message_bytes: 16 << 20,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_pushed_config_replaces_only_what_it_carries() {
        let mut c = ServerConfig::default();
        c.apply(&json!({"PingInterval": 10, "ReconnectCount": -1}));
        assert_eq!(c.ping_interval, Duration::from_secs(10));
        assert_eq!(c.reconnect_count, None);
        assert_eq!(c.reconnect_interval, Duration::from_secs(120));
        c.apply(&json!({"ReconnectCount": 3, "ReconnectInterval": 0.5, "ReconnectNonce": 0}));
        assert_eq!(c.reconnect_count, Some(3));
        assert_eq!(c.reconnect_interval, Duration::from_millis(500));
        assert_eq!(c.reconnect_nonce, Duration::ZERO);
    }

    #[test]
    fn nonsense_values_are_ignored() {
        let mut c = ServerConfig::default();
        c.apply(&json!({"PingInterval": 0, "ReconnectInterval": -5, "ReconnectNonce": "x"}));
        assert_eq!(c, ServerConfig::default());
    }
}
