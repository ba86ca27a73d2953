//! When a failed attempt is sent again, and after how long. Rate-limited and never-sent
//! requests are always safe to repeat; anything that may have reached the server is
//! repeated only for idempotent endpoints. The decision is a pure function of the
//! attempt and its [`Class`], so it is tested as a table.

use std::time::Duration;

use crate::classify::Class;

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

    /// Exponential backoff with jitter after attempt `attempt` (1-based): between half
    /// and all of `base * 2^(attempt-1)`, capped; `jitter` in `[0, 1)` picks where, so
    /// clients that failed together do not retry together.
    fn backoff_delay(&self, attempt: u32, jitter: f64) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let cap = exp.min(self.max_delay);
        let half = cap / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// What to do after an attempt classified as `class`.
    pub(crate) fn decide(&self, attempt: &Attempt, class: Class, jitter: f64) -> Decision {
        let more = attempt.number < self.max_attempts;
        let delay = match class {
            Class::Done => return Decision::Stop,
            Class::TokenRejected if attempt.token_refreshable => return Decision::RefreshToken,
            Class::TokenRejected => return Decision::Stop,
            Class::RateLimited(reset) if more => reset
                .unwrap_or_else(|| self.backoff_delay(attempt.number, jitter))
                .min(self.max_rate_limit_wait),
            Class::NotSent if more => self.backoff_delay(attempt.number, jitter),
            Class::MaybeProcessed if more && attempt.idempotent => {
                self.backoff_delay(attempt.number, jitter)
            }
            _ => return Decision::Stop,
        };
        // Waiting past the call's deadline only to fail then is worse than failing now.
        match attempt.remaining {
            Some(left) if delay >= left => Decision::Stop,
            _ => Decision::RetryAfter(delay),
        }
    }
}

/// The facts about an attempt the policy decides on.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attempt {
    /// 1-based; a retry with a fresh token does not count.
    pub number: u32,
    /// Whether the endpoint may be sent again after it may have been processed.
    pub idempotent: bool,
    /// Whether the token was fetched by the client and not yet replaced in this call.
    pub token_refreshable: bool,
    /// Time left before the call's deadline, if it has one.
    pub remaining: Option<Duration>,
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Decision {
    /// The attempt's result is the call's result.
    Stop,
    /// Try again after this long.
    RetryAfter(Duration),
    /// Drop the rejected token and try again at once; not counted as an attempt.
    RefreshToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: fn(u64) -> Duration = Duration::from_millis;

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
            .max_attempts(3)
            .backoff(MS(100), MS(1000))
            .max_rate_limit_wait(MS(5000))
    }

    fn attempt(number: u32, idempotent: bool) -> Attempt {
        Attempt {
            number,
            idempotent,
            token_refreshable: true,
            remaining: None,
        }
    }

    #[test]
    fn decisions_follow_the_table() {
        use Decision::*;
        let reset = Class::RateLimited(Some(Duration::from_secs(2)));
        let table = [
            // (class, attempt, idempotent, decision with jitter 1.0)
            (Class::Done, 1, true, Stop),
            (reset, 1, false, RetryAfter(Duration::from_secs(2))),
            (reset, 3, true, Stop),
            (Class::RateLimited(None), 2, false, RetryAfter(MS(200))),
            (
                Class::RateLimited(Some(Duration::from_secs(60))),
                1,
                true,
                RetryAfter(MS(5000)),
            ),
            (Class::NotSent, 1, false, RetryAfter(MS(100))),
            (Class::NotSent, 2, false, RetryAfter(MS(200))),
            (Class::NotSent, 3, false, Stop),
            (Class::MaybeProcessed, 1, true, RetryAfter(MS(100))),
            (Class::MaybeProcessed, 1, false, Stop),
            (Class::MaybeProcessed, 3, true, Stop),
            (Class::TokenRejected, 1, false, RefreshToken),
            (Class::TokenRejected, 3, true, RefreshToken),
        ];
        for (class, number, idempotent, want) in table {
            let got = policy().decide(&attempt(number, idempotent), class, 1.0);
            assert_eq!(
                got, want,
                "{class:?} attempt {number} idempotent {idempotent}"
            );
        }
    }

    #[test]
    fn a_token_is_refreshed_once_per_call() {
        let mut a = attempt(1, true);
        a.token_refreshable = false;
        assert_eq!(
            policy().decide(&a, Class::TokenRejected, 0.5),
            Decision::Stop
        );
    }

    #[test]
    fn backoff_is_jittered_between_half_and_all_and_capped() {
        let p = policy();
        assert_eq!(p.backoff_delay(1, 0.0), MS(50));
        assert_eq!(p.backoff_delay(1, 1.0), MS(100));
        assert_eq!(p.backoff_delay(3, 1.0), MS(400));
        assert_eq!(p.backoff_delay(30, 1.0), MS(1000));
        assert_eq!(p.backoff_delay(u32::MAX, 0.0), MS(500));
    }

    #[test]
    fn no_wait_runs_past_the_deadline() {
        let mut a = attempt(1, true);
        a.remaining = Some(MS(150));
        let rate = Class::RateLimited(Some(Duration::from_secs(1)));
        assert_eq!(policy().decide(&a, rate, 0.0), Decision::Stop);
        assert_eq!(
            policy().decide(&a, Class::NotSent, 1.0),
            Decision::RetryAfter(MS(100))
        );
    }

    #[test]
    fn one_attempt_means_no_retry() {
        let p = RetryPolicy::none();
        for class in [
            Class::NotSent,
            Class::MaybeProcessed,
            Class::RateLimited(None),
        ] {
            assert_eq!(p.decide(&attempt(1, true), class, 0.5), Decision::Stop);
        }
    }
}
