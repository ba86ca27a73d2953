//! When a failed attempt is sent again, and after how long. Rate-limited and never-sent
//! requests are always safe to repeat; anything that may have reached the server is
//! repeated only for idempotent endpoints.

use std::time::Duration;

/// Retry settings.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 disables retries).
    pub max_attempts: u32,
    /// First backoff delay; it doubles with each attempt.
    pub base_delay: Duration,
    /// Longest backoff delay.
    pub max_delay: Duration,
    /// Longest wait for a rate-limit window to reset (`x-ogw-ratelimit-reset`).
    pub max_rate_limit_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(5),
            max_rate_limit_wait: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts (the first included).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// Sets the first and the longest backoff delay.
    pub fn backoff(mut self, base: Duration, max: Duration) -> Self {
        self.base_delay = base;
        self.max_delay = max;
        self
    }

    /// Sets the longest wait for a rate-limit reset.
    pub fn max_rate_limit_wait(mut self, max: Duration) -> Self {
        self.max_rate_limit_wait = max;
        self
    }

    /// Exponential backoff with jitter after attempt `attempt` (1-based): a random delay
    /// between half and all of `base * 2^(attempt-1)`, capped, so clients that failed
    /// together do not retry together.
    pub(crate) fn backoff_delay(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        let half = cap / 2;
        half + half.mul_f64(fastrand::f64())
    }

    /// How long to wait after a rate-limited attempt.
    pub(crate) fn rate_limit_delay(&self, reset: Option<Duration>, attempt: u32) -> Duration {
        reset
            .unwrap_or_else(|| self.backoff_delay(attempt))
            .min(self.max_rate_limit_wait)
    }
}
