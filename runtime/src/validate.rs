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

    /// Prefixes the field path with the enclosing field (`owner.name`), or with the
    /// list holding it (`task_list[0]`).
    pub fn within(mut self, parent: &str) -> Self {
        let dot = if self.field.starts_with('[') { "" } else { "." };
        self.field = format!("{parent}{dot}{}", self.field);
        self
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid request: `{}` {}", self.field, self.reason)
    }
}

impl std::error::Error for Invalid {}

/// Types with validation rules in the schema.
pub trait Validate {
    /// Checks every rule of this value and of the values it contains.
    fn validate(&self) -> Result<(), Invalid>;
}

/// An optional value passes when absent; a present one is checked.
impl<T: Validate> Validate for Option<T> {
    fn validate(&self) -> Result<(), Invalid> {
        self.as_ref().map_or(Ok(()), Validate::validate)
    }
}

/// Each item is checked; the error names the index of the first bad one.
impl<T: Validate> Validate for Vec<T> {
    fn validate(&self) -> Result<(), Invalid> {
        for (i, item) in self.iter().enumerate() {
            item.validate().map_err(|e| e.within(&format!("[{i}]")))?;
        }
        Ok(())
    }
}

/// Each value is checked; the error names the key of the first bad one.
impl<T: Validate> Validate for std::collections::BTreeMap<String, T> {
    fn validate(&self) -> Result<(), Invalid> {
        for (key, value) in self {
            value
                .validate()
                .map_err(|e| e.within(&format!("[{key:?}]")))?;
        }
        Ok(())
    }
}

impl<T: Validate> Validate for Box<T> {
    fn validate(&self) -> Result<(), Invalid> {
        (**self).validate()
    }
}

/// An integer a `range` rule applies to; `None` when an optional one is absent.
pub trait Number {
    /// The value, widened to `i64`.
    fn number(&self) -> Option<i64>;
}

impl Number for i32 {
    fn number(&self) -> Option<i64> {
        Some(i64::from(*self))
    }
}

impl Number for i64 {
    fn number(&self) -> Option<i64> {
        Some(*self)
    }
}

impl<T: Number> Number for Option<T> {
    fn number(&self) -> Option<i64> {
        self.as_ref().and_then(Number::number)
    }
}

/// A string a `length` rule applies to; `None` when an optional one is absent.
pub trait Text {
    /// The string.
    fn text(&self) -> Option<&str>;
}

impl Text for String {
    fn text(&self) -> Option<&str> {
        Some(self)
    }
}

impl<T: Text> Text for Option<T> {
    fn text(&self) -> Option<&str> {
        self.as_ref().and_then(Text::text)
    }
}

/// The rules of one generated `validate`, checked in order; the first broken one is
/// the result.
///
/// Each rule is one plain call taking `&dyn` values, so a generated body has no branch
/// or `?` per rule and stays cheap to compile, whatever the field types.
#[derive(Debug, Default)]
pub struct Checks {
    broken: Option<Invalid>,
}

impl Checks {
    /// No rule checked yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn check(&mut self, rule: impl FnOnce() -> Result<(), Invalid>) {
        if self.broken.is_none() {
            self.broken = rule().err();
        }
    }

    /// `field`, if present, lies within `min..=max`.
    pub fn range(&mut self, field: &str, value: &dyn Number, min: Option<i64>, max: Option<i64>) {
        self.check(|| match value.number() {
            Some(v) => check_range(field, v, min, max),
            None => Ok(()),
        });
    }

    /// `field`, if present, has `min..=max` characters (as the platform counts them).
    pub fn length(&mut self, field: &str, value: &dyn Text, min: Option<i64>, max: Option<i64>) {
        self.check(|| match value.text() {
            Some(v) => check_length(field, v, min, max),
            None => Ok(()),
        });
    }

    /// The rules of the value in `field` (a struct, or an `Option` or `Vec` of them).
    pub fn nested(&mut self, field: &str, value: &dyn Validate) {
        self.check(|| value.validate().map_err(|e| e.within(field)));
    }

    /// The rules of a value that is the whole request body.
    pub fn whole(&mut self, value: &dyn Validate) {
        self.check(|| value.validate());
    }

    /// `field` must be present when `other` has `value`; `broken` says that `other` has
    /// it and `field` is absent (the generated code tests both, as their types differ).
    pub fn required_when(&mut self, field: &str, broken: bool, other: &str, value: &str) {
        if broken {
            self.check(|| Err(Invalid::required_when(field, other, value)));
        }
    }

    /// `Ok` when every rule holds, else the first broken one.
    pub fn finish(self) -> Result<(), Invalid> {
        self.broken.map_or(Ok(()), Err)
    }
}

fn check_range(field: &str, value: i64, min: Option<i64>, max: Option<i64>) -> Result<(), Invalid> {
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

// Counted in characters, as the platform counts them.
fn check_length(
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

fn bounds(min: Option<i64>, max: Option<i64>) -> String {
    match (min, max) {
        (Some(lo), Some(hi)) => format!("{lo}..={hi}"),
        (Some(lo), None) => format!("{lo}.."),
        (None, Some(hi)) => format!("..={hi}"),
        (None, None) => "any".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Line {
        qty: i32,
        note: Option<String>,
    }

    impl Validate for Line {
        fn validate(&self) -> Result<(), Invalid> {
            let mut c = Checks::new();
            c.range("qty", &self.qty, Some(1), Some(99));
            c.length("note", &self.note, None, Some(4));
            c.finish()
        }
    }

    fn line(qty: i32, note: Option<&str>) -> Line {
        Line {
            qty,
            note: note.map(str::to_owned),
        }
    }

    #[test]
    fn absent_values_pass_and_present_ones_are_checked() {
        assert_eq!(line(5, None).validate(), Ok(()));
        let e = line(0, None).validate().unwrap_err();
        assert_eq!(e.to_string(), "invalid request: `qty` is 0, outside 1..=99");
        // Characters, not bytes: four CJK characters are twelve bytes.
        assert_eq!(line(1, Some("审批实例")).validate(), Ok(()));
        let e = line(1, Some("12345")).validate().unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid request: `note` has 5 characters, outside ..=4"
        );
        let mut c = Checks::new();
        c.range("n", &None::<i64>, Some(1), None);
        c.range("m", &Some(7i64), None, Some(9));
        assert_eq!(c.finish(), Ok(()));
    }

    #[test]
    fn nested_values_and_lists_name_their_path() {
        let mut c = Checks::new();
        c.nested("line", &Some(line(1, None)));
        c.nested("lines", &vec![line(1, None), line(1, Some("too long"))]);
        let e = c.finish().unwrap_err();
        assert_eq!(e.field, "lines[1].note");

        let mut c = Checks::new();
        c.nested("order", &Some(vec![line(100, None)]));
        assert_eq!(c.finish().unwrap_err().field, "order[0].qty");

        let mut c = Checks::new();
        c.whole(&line(0, None));
        assert_eq!(c.finish().unwrap_err().field, "qty");
    }

    #[test]
    fn the_first_broken_rule_is_the_result() {
        let mut c = Checks::new();
        c.required_when("reason", false, "status", "2");
        c.range("a", &0i32, Some(1), None);
        c.required_when("reason", true, "status", "2");
        assert_eq!(c.finish().unwrap_err().field, "a");

        let mut c = Checks::new();
        c.required_when("reason", true, "status", "2");
        assert_eq!(
            c.finish().unwrap_err().to_string(),
            "invalid request: `reason` is required when `status` is 2"
        );
    }
}
