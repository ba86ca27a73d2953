//! The JSON form of generated types, through two non-generic traits.
//!
//! Generated types convert to and from [`serde_json::Value`] with one small function
//! each, instead of deriving `Serialize`/`Deserialize`. Derived serde code is generic
//! over the (de)serializer and is compiled again for every type that is sent or
//! received; for a crate with hundreds of endpoints that was most of its compile time
//! and memory. Parsing text into a `Value` happens once, here, for every response.
//!
//! Callers who want serde still get it: generated types implement `Serialize` and
//! `Deserialize` through [`serialize`] and [`deserialize`], which go through the same
//! conversions, so there is one definition of each wire format.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A value that has a JSON form.
pub trait ToJson {
    /// The JSON form of the value.
    fn to_json(&self) -> Value;
}

/// A value that can be read from its JSON form.
pub trait FromJson: Sized {
    /// Reads the value, or says where and why the JSON does not fit.
    fn from_json(value: Value) -> Result<Self, JsonError>;
}

/// Where in a JSON document a value did not fit its type, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonError {
    /// Innermost segment first; reversed when displayed.
    path: Vec<Segment>,
    problem: Problem,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Key(&'static str),
    Index(usize),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    Expected {
        expected: &'static str,
        found: &'static str,
    },
    Missing,
    OutOfRange {
        value: String,
        ty: &'static str,
    },
}

impl JsonError {
    /// `value` is not the `expected` kind of JSON value (e.g. "a string").
    pub fn expected(expected: &'static str, value: &Value) -> Self {
        Self::new(Problem::Expected {
            expected,
            found: kind(value),
        })
    }

    /// A required field is absent.
    pub fn missing(key: &'static str) -> Self {
        Self::new(Problem::Missing).at(key)
    }

    fn new(problem: Problem) -> Self {
        Self {
            path: Vec::new(),
            problem,
        }
    }

    /// The same error, inside the object field `key`.
    pub fn at(mut self, key: &'static str) -> Self {
        self.path.push(Segment::Key(key));
        self
    }

    /// The same error, inside array element `index`.
    pub fn at_index(mut self, index: usize) -> Self {
        self.path.push(Segment::Index(index));
        self
    }

    /// The path of the offending value, e.g. `data.items[2].status`; empty for the root.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for segment in self.path.iter().rev() {
            match segment {
                Segment::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Segment::Index(i) => out.push_str(&format!("[{i}]")),
            }
        }
        out
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = self.path();
        match &self.problem {
            Problem::Missing => return write!(f, "missing field `{path}`"),
            _ if path.is_empty() => {}
            _ => write!(f, "at `{path}`: ")?,
        }
        match &self.problem {
            Problem::Expected { expected, found } => {
                write!(f, "expected {expected}, found {found}")
            }
            Problem::OutOfRange { value, ty } => write!(f, "{value} does not fit in {ty}"),
            Problem::Missing => Ok(()),
        }
    }
}

impl std::error::Error for JsonError {}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Reads the fields of a JSON object by name; fields nobody asks for are ignored, as
/// the platform adds fields over time.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
}

impl Fields {
    /// The fields of `value`, which must be an object.
    pub fn new(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Object(map) => Ok(Self { map }),
            other => Err(JsonError::expected("an object", &other)),
        }
    }

    /// A field that must be present.
    pub fn required<T: FromJson>(&mut self, key: &'static str) -> Result<T, JsonError> {
        self.required_with(key, T::from_json)
    }

    /// A field that may be absent or `null`.
    pub fn optional<T: FromJson>(&mut self, key: &'static str) -> Result<Option<T>, JsonError> {
        self.optional_with(key, T::from_json)
    }

    /// A required field read by `read` rather than its type's [`FromJson`].
    pub fn required_with<T>(
        &mut self,
        key: &'static str,
        read: fn(Value) -> Result<T, JsonError>,
    ) -> Result<T, JsonError> {
        match self.map.remove(key) {
            Some(value) => read(value).map_err(|e| e.at(key)),
            None => Err(JsonError::missing(key)),
        }
    }

    /// An optional field read by `read` rather than its type's [`FromJson`].
    pub fn optional_with<T>(
        &mut self,
        key: &'static str,
        read: fn(Value) -> Result<T, JsonError>,
    ) -> Result<Option<T>, JsonError> {
        match self.map.remove(key) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => read(value).map(Some).map_err(|e| e.at(key)),
        }
    }
}

/// Builds a JSON object field by field; `&dyn ToJson` keeps this one function for
/// every field type.
#[derive(Debug, Default)]
pub struct Object {
    map: Map<String, Value>,
}

impl Object {
    /// An empty object.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key` to the JSON form of `value`.
    pub fn field(&mut self, key: &str, value: &dyn ToJson) {
        self.map.insert(key.to_owned(), value.to_json());
    }

    /// The finished object.
    pub fn finish(self) -> Value {
        Value::Object(self.map)
    }
}

/// An integer the platform carries as a string (ms timestamps): accepts `"0"` and `0`
/// alike, because its own examples send both (`"end_time": 0`).
pub fn int64_string(value: Value) -> Result<String, JsonError> {
    match value {
        Value::String(s) => Ok(s),
        Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
        other => Err(JsonError::expected("an integer or a string", &other)),
    }
}

/// An array of [`int64_string`] values.
pub fn int64_strings(value: Value) -> Result<Vec<String>, JsonError> {
    read_array(value, int64_string)
}

fn read_array<T>(
    value: Value,
    read: fn(Value) -> Result<T, JsonError>,
) -> Result<Vec<T>, JsonError> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, v)| read(v).map_err(|e| e.at_index(i)))
            .collect(),
        other => Err(JsonError::expected("an array", &other)),
    }
}

/// `Serialize` for a generated type, through its [`ToJson`] form.
pub fn serialize<S: serde::Serializer>(
    value: &dyn ToJson,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    value.to_json().serialize(serializer)
}

/// `Deserialize` for a generated type, through its [`FromJson`] form.
pub fn deserialize<'de, T: FromJson, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::from_json(Value::deserialize(deserializer)?).map_err(serde::de::Error::custom)
}

impl ToJson for String {
    fn to_json(&self) -> Value {
        Value::String(self.clone())
    }
}

impl FromJson for String {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::String(s) => Ok(s),
            other => Err(JsonError::expected("a string", &other)),
        }
    }
}

impl ToJson for bool {
    fn to_json(&self) -> Value {
        Value::Bool(*self)
    }
}

impl FromJson for bool {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Bool(b) => Ok(b),
            other => Err(JsonError::expected("a boolean", &other)),
        }
    }
}

impl ToJson for i64 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for i64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::Number(n) => n.as_i64().ok_or_else(|| {
                JsonError::new(Problem::OutOfRange {
                    value: n.to_string(),
                    ty: "i64",
                })
            }),
            other => Err(JsonError::expected("an integer", other)),
        }
    }
}

impl ToJson for i32 {
    fn to_json(&self) -> Value {
        Value::from(*self)
    }
}

impl FromJson for i32 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        let wide = i64::from_json(value)?;
        i32::try_from(wide).map_err(|_| {
            JsonError::new(Problem::OutOfRange {
                value: wide.to_string(),
                ty: "i32",
            })
        })
    }
}

impl ToJson for f64 {
    fn to_json(&self) -> Value {
        // Not finite has no JSON form; `null` is what serde_json writes for it too.
        Value::from(*self)
    }
}

impl FromJson for f64 {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match &value {
            Value::Number(n) => n
                .as_f64()
                .ok_or_else(|| JsonError::expected("a number", &value)),
            other => Err(JsonError::expected("a number", other)),
        }
    }
}

impl<T: ToJson> ToJson for Vec<T> {
    fn to_json(&self) -> Value {
        Value::Array(self.iter().map(ToJson::to_json).collect())
    }
}

impl<T: FromJson> FromJson for Vec<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        read_array(value, T::from_json)
    }
}

/// For endpoints whose payload carries nothing of interest: anything reads as `()`.
impl FromJson for () {
    fn from_json(_: Value) -> Result<Self, JsonError> {
        Ok(())
    }
}

impl ToJson for Value {
    fn to_json(&self) -> Value {
        self.clone()
    }
}

impl FromJson for Value {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn errors_name_the_path_outermost_first() {
        let e = JsonError::expected("an integer", &json!("x"))
            .at("status")
            .at_index(2)
            .at("items")
            .at("data");
        assert_eq!(e.path(), "data.items[2].status");
        assert_eq!(
            e.to_string(),
            "at `data.items[2].status`: expected an integer, found a string"
        );
        assert_eq!(
            JsonError::missing("id").at("data").to_string(),
            "missing field `data.id`"
        );
    }

    #[test]
    fn fields_read_required_optional_and_null() {
        let mut f = Fields::new(json!({"a": "x", "b": null, "c": 3, "extra": true})).unwrap();
        assert_eq!(f.required::<String>("a").unwrap(), "x");
        assert_eq!(f.optional::<String>("b").unwrap(), None);
        assert_eq!(f.optional::<i32>("c").unwrap(), Some(3));
        assert_eq!(f.optional::<i32>("d").unwrap(), None);
        assert_eq!(
            f.required::<String>("d").unwrap_err().to_string(),
            "missing field `d`"
        );
        let e = Fields::new(json!([])).unwrap_err();
        assert_eq!(e.to_string(), "expected an object, found an array");
    }

    #[test]
    fn integers_are_checked_against_their_width() {
        assert_eq!(i32::from_json(json!(2147483647)).unwrap(), i32::MAX);
        assert_eq!(
            i32::from_json(json!(2147483648i64))
                .unwrap_err()
                .to_string(),
            "2147483648 does not fit in i32"
        );
        assert_eq!(
            i64::from_json(json!(1.5)).unwrap_err().to_string(),
            "1.5 does not fit in i64"
        );
        assert_eq!(
            i64::from_json(json!(u64::MAX)).unwrap_err().to_string(),
            "18446744073709551615 does not fit in i64"
        );
        assert!(i64::from_json(json!("1")).is_err());
    }

    #[test]
    fn int64_strings_accept_both_shapes() {
        assert_eq!(
            int64_string(json!("1700000000000")).unwrap(),
            "1700000000000"
        );
        assert_eq!(int64_string(json!(0)).unwrap(), "0");
        assert!(int64_string(json!(1.5)).is_err());
        assert_eq!(int64_strings(json!(["1", 2])).unwrap(), ["1", "2"]);
        assert_eq!(int64_strings(json!(["1", true])).unwrap_err().path(), "[1]");
    }

    #[test]
    fn arrays_report_the_failing_index() {
        let e = Vec::<bool>::from_json(json!([true, false, 1])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "at `[2]`: expected a boolean, found a number"
        );
    }

    #[test]
    fn objects_round_trip_through_serde() {
        let mut o = Object::new();
        o.field("name", &"n".to_owned());
        o.field("n", &7i32);
        o.field("tags", &vec![true]);
        let v = o.finish();
        assert_eq!(v, json!({"name": "n", "n": 7, "tags": [true]}));
        let text = serde_json::to_string(&v).unwrap();
        let back: Value = {
            let mut de = serde_json::Deserializer::from_str(&text);
            deserialize(&mut de).unwrap()
        };
        assert_eq!(back, v);
    }
}
