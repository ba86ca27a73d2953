//! The value inside a generated enum's `Unknown` variant.

/// A value the schema does not list, kept as received. Only the client makes one, so
/// code cannot match `Unknown` against a particular number or string: when a later
/// schema documents that value, it arrives as its own variant, and a `match` written
/// today does not silently change meaning (it handled `Unknown(_)` as "anything else").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue<T>(T);

impl<T> UnknownValue<T> {
    /// Used by generated code only.
    #[doc(hidden)]
    pub const fn __new(value: T) -> Self {
        UnknownValue(value)
    }

    /// The value as received.
    pub fn get(&self) -> &T {
        &self.0
    }
}

impl UnknownValue<i64> {
    /// The number as received.
    pub const fn value(self) -> i64 {
        self.0
    }
}

impl UnknownValue<String> {
    /// The string as received.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<T: std::fmt::Display> std::fmt::Display for UnknownValue<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
