//! An instant as the platform writes it: milliseconds since the Unix epoch.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::json::{FromJson, JsonError, ToJson};

/// An instant, in milliseconds since the Unix epoch. Fields the schema types as
/// `timestamp_ms` (sent as a string of digits, as most Feishu endpoints do) or
/// `timestamp_ms_int` (sent as a number) are this type, so a time cannot be passed
/// where an id is expected, nor seconds where milliseconds are. Reading accepts both
/// forms. Some fields use `0` for "not yet" (an unfinished task's end time):
/// [`Timestamp::ZERO`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The epoch; what the platform sends for "not yet".
    pub const ZERO: Timestamp = Timestamp(0);

    /// The instant `millis` milliseconds after the epoch.
    pub const fn from_millis(millis: i64) -> Self {
        Timestamp(millis)
    }

    /// Milliseconds since the epoch.
    pub const fn as_millis(self) -> i64 {
        self.0
    }

    /// Now, by the system clock.
    pub fn now() -> Self {
        SystemTime::now().into()
    }

    /// The same instant as a `SystemTime`.
    pub fn to_system_time(self) -> SystemTime {
        let offset = Duration::from_millis(self.0.unsigned_abs());
        if self.0 >= 0 {
            UNIX_EPOCH + offset
        } else {
            UNIX_EPOCH - offset
        }
    }
}

impl From<SystemTime> for Timestamp {
    /// Milliseconds since the epoch, saturating far outside the representable range.
    fn from(time: SystemTime) -> Self {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => i64::try_from(before.duration().as_millis()).map_or(i64::MIN, |m| -m),
        };
        Timestamp(millis)
    }
}

/// The milliseconds, as a query parameter carries them.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The string form, `"1688022000000"`.
impl ToJson for Timestamp {
    fn to_json(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

impl FromJson for Timestamp {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        let millis = match &value {
            Value::String(s) => s.trim().parse::<i64>().ok(),
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        millis.map(Timestamp).ok_or_else(|| {
            JsonError::expected("milliseconds as an integer or a string of digits", &value)
        })
    }
}

/// A [`Timestamp`] written as a JSON number: the `timestamp_ms_int` wire form.
#[derive(Debug)]
pub struct AsNumber<'a>(pub &'a Timestamp);

impl ToJson for AsNumber<'_> {
    fn to_json(&self) -> Value {
        Value::from(self.0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn both_wire_forms_read_and_each_writes_its_own() {
        for v in [json!("1688022000000"), json!(1688022000000i64)] {
            assert_eq!(
                Timestamp::from_json(v),
                Ok(Timestamp::from_millis(1688022000000))
            );
        }
        let t = Timestamp::from_millis(1688022000000);
        assert_eq!(t.to_json(), json!("1688022000000"));
        assert_eq!(AsNumber(&t).to_json(), json!(1688022000000i64));
        assert!(Timestamp::from_json(json!("soon")).is_err());
        assert!(Timestamp::from_json(json!(1.5)).is_err());
    }

    #[test]
    fn system_times_convert_both_ways() {
        let t = Timestamp::from_millis(1688022000123);
        assert_eq!(Timestamp::from(t.to_system_time()), t);
        let before = Timestamp::from_millis(-1500);
        assert_eq!(Timestamp::from(before.to_system_time()), before);
        assert!(Timestamp::now() > Timestamp::from_millis(1_600_000_000_000));
    }
}
