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

use std::collections::BTreeMap;
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
    /// A key of a map: server data, so kept bounded and shown quoted.
    MapKey(String),
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

    /// The same error, inside the value of map key `key`.
    pub fn at_map_key(mut self, key: &str) -> Self {
        const MAX_KEY: usize = 64;
        self.path
            .push(Segment::MapKey(key.chars().take(MAX_KEY).collect()));
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
                Segment::MapKey(k) => out.push_str(&format!("[{k:?}]")),
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

/// Where a [`Reader`] puts one field's value. `Option<T>` is the slot of any
/// [`FromJson`] type; [`ReadWith`] reads with another function.
pub trait Slot {
    /// Reads `value` (never `null`) into the slot.
    fn fill(&mut self, value: Value) -> Result<(), JsonError>;
}

impl<T: FromJson> Slot for Option<T> {
    fn fill(&mut self, value: Value) -> Result<(), JsonError> {
        *self = Some(T::from_json(value)?);
        Ok(())
    }
}

/// A slot read by a function other than its type's [`FromJson`]: the lenient
/// [`int64_string`] and [`int64_strings`].
#[derive(Debug)]
pub struct ReadWith<'a, T>(pub &'a mut Option<T>, pub fn(Value) -> Result<T, JsonError>);

impl<T> Slot for ReadWith<'_, T> {
    fn fill(&mut self, value: Value) -> Result<(), JsonError> {
        *self.0 = Some((self.1)(value)?);
        Ok(())
    }
}

/// Reads one object's fields into slots, for a generated `from_json`. Absent and
/// `null` fields leave their slot empty; fields nobody asks for are ignored, as the
/// platform adds fields over time.
///
/// The first problem is kept and later reads do nothing, so a generated body is one
/// plain call per field with no branch or `?` of its own: the compiler's cost per
/// function grows with its control flow, and a crate has thousands of these bodies.
#[derive(Debug)]
pub struct Reader {
    map: Map<String, Value>,
    problem: Option<JsonError>,
}

impl Reader {
    /// A reader of `value`; anything but an object is the first problem.
    pub fn new(value: Value) -> Self {
        match value {
            Value::Object(map) => Self { map, problem: None },
            other => Self {
                map: Map::new(),
                problem: Some(JsonError::expected("an object", &other)),
            },
        }
    }

    /// Reads the field `key` into `slot`.
    pub fn read(&mut self, key: &'static str, slot: &mut dyn Slot) {
        if self.problem.is_some() {
            return;
        }
        match self.map.remove(key) {
            None | Some(Value::Null) => {}
            Some(value) => {
                if let Err(e) = slot.fill(value) {
                    self.problem = Some(e.at(key));
                }
            }
        }
    }

    /// The value of the required field `key` read into `slot`, or the first problem so
    /// far, or the error naming the missing field.
    pub fn required<T>(&mut self, slot: Option<T>, key: &'static str) -> Result<T, JsonError> {
        match (self.problem.take(), slot) {
            (Some(problem), _) => Err(problem),
            (None, Some(value)) => Ok(value),
            (None, None) => Err(JsonError::missing(key)),
        }
    }

    /// `value`, the struct the fields were read into, unless a read failed.
    pub fn finish<T>(self, value: T) -> Result<T, JsonError> {
        self.problem.map_or(Ok(value), Err)
    }
}

/// An optional field's value: `Option<T>` of any [`ToJson`] type.
pub trait OptionalJson {
    /// The JSON form of the value, if there is one.
    fn to_json_opt(&self) -> Option<Value>;
}

impl<T: ToJson> OptionalJson for Option<T> {
    fn to_json_opt(&self) -> Option<Value> {
        self.as_ref().map(ToJson::to_json)
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

    /// Sets `key` to the JSON form of `value` if it is present; an absent optional
    /// field is left out, not sent as `null`. One call, so a generated body has no
    /// branch per field.
    pub fn opt(&mut self, key: &str, value: &dyn OptionalJson) {
        if let Some(value) = value.to_json_opt() {
            self.map.insert(key.to_owned(), value);
        }
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

/// A string enum from its wire value: one function for every enum, instead of a
/// closure in each enum's `FromJson`.
pub fn string_enum<T>(value: Value, from_wire: fn(&str) -> T) -> Result<T, JsonError> {
    String::from_json(value).map(|s| from_wire(&s))
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

/// `Serialize` for the listed generated types, through [`serialize`]: one invocation
/// per file keeps the generated files short.
#[doc(hidden)]
#[macro_export]
macro_rules! serialize_via_json {
    ($($ty:ident),* $(,)?) => {
        $(
            impl $crate::serde::Serialize for $ty {
                fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    $crate::__private::json::serialize(self, s)
                }
            }
        )*
    };
}

/// `Deserialize` for the listed generated types, through [`deserialize`].
#[doc(hidden)]
#[macro_export]
macro_rules! deserialize_via_json {
    ($($ty:ident),* $(,)?) => {
        $(
            impl<'de> $crate::serde::Deserialize<'de> for $ty {
                fn deserialize<D: $crate::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    $crate::__private::json::deserialize(d)
                }
            }
        )*
    };
}

/// `From<i64>`, `Display`, [`ToJson`] and [`FromJson`] for a generated integer enum,
/// through its `value()` and `from_value()`.
#[doc(hidden)]
#[macro_export]
macro_rules! int_enum_conversions {
    ($ty:ty) => {
        impl From<i64> for $ty {
            #[inline]
            fn from(value: i64) -> Self {
                Self::from_value(value)
            }
        }
        impl ::std::fmt::Display for $ty {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(&self.value(), f)
            }
        }
        impl $crate::__private::json::ToJson for $ty {
            #[inline]
            fn to_json(&self) -> $crate::serde_json::Value {
                $crate::serde_json::Value::from(self.value())
            }
        }
        impl $crate::__private::json::FromJson for $ty {
            #[inline]
            fn from_json(
                value: $crate::serde_json::Value,
            ) -> Result<Self, $crate::__private::json::JsonError> {
                <i64 as $crate::__private::json::FromJson>::from_json(value).map(Self::from_value)
            }
        }
    };
}

/// `From<&str>`, `FromStr`, `Display`, [`ToJson`] and [`FromJson`] for a generated
/// string enum, through its `as_str()` and `from_wire()`.
#[doc(hidden)]
#[macro_export]
macro_rules! string_enum_conversions {
    ($ty:ty) => {
        impl From<&str> for $ty {
            #[inline]
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }
        impl ::std::str::FromStr for $ty {
            type Err = ::std::convert::Infallible;
            #[inline]
            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(value))
            }
        }
        impl ::std::fmt::Display for $ty {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl $crate::__private::json::ToJson for $ty {
            #[inline]
            fn to_json(&self) -> $crate::serde_json::Value {
                $crate::serde_json::Value::from(self.as_str())
            }
        }
        impl $crate::__private::json::FromJson for $ty {
            #[inline]
            fn from_json(
                value: $crate::serde_json::Value,
            ) -> Result<Self, $crate::__private::json::JsonError> {
                $crate::__private::json::string_enum(value, Self::from_wire)
            }
        }
    };
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

impl<T: ToJson> ToJson for BTreeMap<String, T> {
    fn to_json(&self) -> Value {
        Value::Object(self.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
    }
}

impl<T: FromJson> FromJson for BTreeMap<String, T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        match value {
            Value::Object(map) => map
                .into_iter()
                .map(|(k, v)| match T::from_json(v) {
                    Ok(v) => Ok((k, v)),
                    Err(e) => Err(e.at_map_key(&k)),
                })
                .collect(),
            other => Err(JsonError::expected("an object", &other)),
        }
    }
}

impl<T: ToJson> ToJson for Box<T> {
    fn to_json(&self) -> Value {
        (**self).to_json()
    }
}

impl<T: FromJson> FromJson for Box<T> {
    fn from_json(value: Value) -> Result<Self, JsonError> {
        T::from_json(value).map(Box::new)
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
        let mut r = Reader::new(
            json!({"a": "x", "b": null, "c": 3, "t": 5, "ts": ["1", 2], "extra": true}),
        );
        let mut a: Option<String> = None;
        r.read("a", &mut a);
        let a = r.required(a, "a").unwrap();
        let (mut b, mut c, mut d) = (None::<String>, None::<i32>, None::<bool>);
        let (mut t, mut ts) = (None::<String>, None::<Vec<String>>);
        r.read("b", &mut b);
        r.read("c", &mut c);
        r.read("d", &mut d);
        r.read("t", &mut ReadWith(&mut t, int64_string));
        r.read("ts", &mut ReadWith(&mut ts, int64_strings));
        assert_eq!(r.finish(a).unwrap(), "x");
        assert_eq!((b, c, d), (None, Some(3), None));
        assert_eq!(t.as_deref(), Some("5"));
        assert_eq!(ts.unwrap(), ["1", "2"]);

        let mut r = Reader::new(json!({}));
        assert_eq!(
            r.required(Option::<bool>::None, "d")
                .unwrap_err()
                .to_string(),
            "missing field `d`"
        );
    }

    #[test]
    fn the_first_problem_is_kept() {
        let mut r = Reader::new(json!({"n": "7", "m": "8", "k": 1}));
        let (mut n, mut m, mut k) = (None::<i32>, None::<i32>, None::<i32>);
        r.read("n", &mut n);
        r.read("m", &mut m);
        r.read("k", &mut k);
        assert_eq!(k, None, "reads after a problem do nothing");
        let e = r.finish(()).unwrap_err();
        assert_eq!(e.to_string(), "at `n`: expected an integer, found a string");

        // A problem before a required field wins over its absence.
        let mut r = Reader::new(json!({"n": "7"}));
        r.read("n", &mut n);
        let e = r.required(None::<String>, "id").unwrap_err();
        assert_eq!(e.path(), "n");

        let mut r = Reader::new(json!([]));
        let e = r.required(Some(1), "id").unwrap_err();
        assert_eq!(e.to_string(), "expected an object, found an array");
        assert!(Reader::new(json!(1)).finish(()).is_err());
    }

    #[test]
    fn absent_optional_fields_are_left_out() {
        let mut o = Object::new();
        o.field("a", &1i64);
        o.opt("b", &None::<String>);
        o.opt("c", &Some(String::from("x")));
        assert_eq!(o.finish(), json!({"a": 1, "c": "x"}));
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
        let mut ts = None;
        let e = ReadWith(&mut ts, int64_strings)
            .fill(json!(["1", true]))
            .unwrap_err();
        assert_eq!(e.path(), "[1]");
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
