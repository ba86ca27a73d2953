//! Lenient decoding for fields the platform sends in more than one shape.

use serde::{Deserialize, Deserializer};

#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrInt {
    String(String),
    Int(i64),
}

/// An integer carried as a string (ms timestamps): accepts `"0"` and `0` alike, because
/// the platform's own examples send both (`"end_time": 0`).
pub fn int64_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match StringOrInt::deserialize(d)? {
        StringOrInt::String(s) => s,
        StringOrInt::Int(n) => n.to_string(),
    })
}

/// [`int64_string`] for optional fields.
pub fn opt_int64_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<StringOrInt>::deserialize(d)?.map(|v| match v {
        StringOrInt::String(s) => s,
        StringOrInt::Int(n) => n.to_string(),
    }))
}
