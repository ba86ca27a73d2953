//! Client-side checks of the schema's validation rules, run before anything is sent.

use std::fmt;

/// A request the schema's rules reject; nothing was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    /// The offending field, as a path from the request (`pc.web_app`, `task_list[0].links`).
    pub field: String,
    /// What rule it breaks.
    pub reason: String,
}

impl Invalid {
    /// An invalid value of `field`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Invalid {
            field: field.into(),
            reason: reason.into(),
        }
    }

    /// `field` is missing although `other` has the value `value`.
    pub fn required_when(field: &str, other: &str, value: &str) -> Self {
        Invalid::new(field, format!("is required when `{other}` is {value}"))
    }

    /// Prefixes the field path with the enclosing field.
    pub fn within(mut self, parent: &str) -> Self {
        self.field = format!("{parent}.{}", self.field);
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` {}", self.field, self.reason)
    }
}

impl std::error::Error for Invalid {}

/// Types with validation rules in the schema.
pub trait Validate {
    /// Checks every rule of this value and of the values it contains.
    fn validate(&self) -> Result<(), Invalid>;
}

/// Checks a numeric range rule.
pub fn check_range(
    field: &str,
    value: i64,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Invalid> {
    let low = min.is_some_and(|m| value < m);
    let high = max.is_some_and(|m| value > m);
    if low || high {
        return Err(Invalid::new(
            field,
            format!("is {value}, outside {}", bounds(min, max)),
        ));
    }
    Ok(())
}

/// Checks a string length rule, counted in characters as the platform counts them.
pub fn check_length(
    field: &str,
    value: &str,
    min: Option<i64>,
    max: Option<i64>,
) -> Result<(), Invalid> {
    let len = value.chars().count() as i64;
    if min.is_some_and(|m| len < m) || max.is_some_and(|m| len > m) {
        return Err(Invalid::new(
            field,
            format!("has {len} characters, outside {}", bounds(min, max)),
        ));
    }
    Ok(())
}

/// Validates each item of a list, naming the index of the first bad one.
pub fn check_each<T: Validate>(field: &str, items: &[T]) -> Result<(), Invalid> {
    for (i, item) in items.iter().enumerate() {
        item.validate()
            .map_err(|e| e.within(&format!("{field}[{i}]")))?;
    }
    Ok(())
}

fn bounds(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{lo}..={hi}"),
        (Some(lo), None) => format!("{lo}.."),
        (None, Some(hi)) => format!("..={hi}"),
        (None, None) => "any".to_owned(),
    }
}
