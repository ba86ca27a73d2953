//! Whether a request fits its endpoint's schema: query parameters and JSON bodies
//! checked against the table's shapes. Each problem names the field the way a reader
//! finds it in the request (`query.page_size`, `body.task_list[0].links.pc_link`).

use std::fmt;

use serde_json::Value;

use super::table::{Field, Shape};

/// Most problems reported for one request: enough to fix a request, bounded however
/// many fields a hostile body holds.
const MAX_PROBLEMS: usize = 20;
/// Most characters of a received value quoted in a message.
const MAX_QUOTED: usize = 64;
/// Most names listed where a message lists the known ones.
const MAX_LISTED: usize = 12;

/// One way a request does not fit its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Problem {
    /// Where: `query.status`, `body.pc.web_app`, `header.content-type`.
    pub field: String,
    /// What is wrong.
    pub description: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.description)
    }
}

/// Problems found so far, at most [`MAX_PROBLEMS`].
#[derive(Debug, Default)]
pub(crate) struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, field: impl Into<String>, description: impl Into<String>) {
        if self.0.len() < MAX_PROBLEMS {
            self.0.push(Problem {
                field: field.into(),
                description: description.into(),
            });
        }
    }

    fn full(&self) -> bool {
        self.0.len() >= MAX_PROBLEMS
    }
}

/// Checks query pairs (decoded) against the endpoint's query parameters.
pub(crate) fn query(
    endpoint: &str,
    params: &[Field],
    pairs: &[(String, String)],
    out: &mut Problems,
) {
    for (i, (name, value)) in pairs.iter().enumerate() {
        let field = format!("query.{name}");
        let Some(param) = params.iter().find(|p| p.name == name) else {
            let hint = nearest(name, params.iter().map(|p| p.name))
                .map(|n| format!("; did you mean `{n}`?"))
                .unwrap_or_default();
            out.push(field, format!("not a parameter of {endpoint}{hint}"));
            continue;
        };
        let repeated = pairs[..i].iter().any(|(n, _)| n == name);
        let shape = match param.shape {
            Shape::Array(item) => item,
            _ if repeated => {
                out.push(field, "given more than once");
                continue;
            }
            shape => shape,
        };
        if let Some(expected) = text_mismatch(shape, value) {
            out.push(
                field,
                format!("expected {expected}, found {}", quote(value)),
            );
        }
    }
    for param in params.iter().filter(|p| p.required) {
        if !pairs.iter().any(|(n, _)| n == param.name) {
            out.push(format!("query.{}", param.name), "required");
        }
    }
}

/// What a text value (a query parameter, a form part) was expected to be, if it does
/// not fit `shape`.
pub(crate) fn text_mismatch(shape: &Shape, text: &str) -> Option<String> {
    let fits = match shape {
        Shape::Bool => text == "true" || text == "false",
        Shape::I32 => text.parse::<i32>().is_ok(),
        Shape::I64 | Shape::Int64String | Shape::Timestamp { .. } => text.parse::<i64>().is_ok(),
        Shape::F64 => text.parse::<f64>().is_ok_and(f64::is_finite),
        Shape::StrEnum(values) => values.contains(&text),
        Shape::IntEnum(values) => text.parse::<i64>().is_ok_and(|n| values.contains(&n)),
        Shape::Array(item) => return text_mismatch(item, text),
        Shape::String | Shape::Map(_) | Shape::Object(_) | Shape::Json | Shape::File => true,
    };
    (!fits).then(|| match shape {
        Shape::I32 => "an integer from -2147483648 to 2147483647".to_owned(),
        Shape::I64 | Shape::Int64String | Shape::Timestamp { .. } => "an integer".to_owned(),
        _ => expected(shape),
    })
}

/// Checks a JSON object's fields: each known and fitting its shape, the required ones
/// present. `at` is the object's own path (`body`, `body.links`).
pub(crate) fn object(at: &str, fields: &[Field], value: &Value, out: &mut Problems) {
    let Some(map) = value.as_object() else {
        out.push(at, format!("expected an object, found {}", found(value)));
        return;
    };
    for (name, v) in map {
        if out.full() {
            return;
        }
        let path = format!("{at}.{name}");
        match fields.iter().find(|f| f.name == name) {
            Some(field) => check(&path, field.shape, v, out),
            None => {
                let known = list(fields.iter().map(|f| f.name));
                out.push(path, format!("not a field of {at} (fields: {known})"));
            }
        }
    }
    for field in fields.iter().filter(|f| f.required) {
        if !map.contains_key(field.name) {
            out.push(format!("{at}.{}", field.name), "required");
        }
    }
}

/// Checks one JSON value against `shape`.
pub(crate) fn check(at: &str, shape: &Shape, value: &Value, out: &mut Problems) {
    let fits = match shape {
        Shape::String => value.is_string(),
        Shape::Bool => value.is_boolean(),
        Shape::I32 => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        Shape::I64 => value.is_i64(),
        Shape::F64 => value.is_number(),
        Shape::Int64String => {
            value.is_i64() || value.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
        }
        Shape::Timestamp { int: true } => value.is_i64(),
        Shape::Timestamp { int: false } => value.as_str().is_some_and(|s| s.parse::<i64>().is_ok()),
        Shape::StrEnum(values) => value.as_str().is_some_and(|s| values.contains(&s)),
        Shape::IntEnum(values) => value.as_i64().is_some_and(|n| values.contains(&n)),
        Shape::Json => true,
        Shape::File => false,
        Shape::Array(item) => {
            let Some(items) = value.as_array() else {
                return out.push(at, format!("expected an array, found {}", found(value)));
            };
            for (i, v) in items.iter().enumerate() {
                if out.full() {
                    return;
                }
                check(&format!("{at}[{i}]"), item, v, out);
            }
            return;
        }
        Shape::Map(item) => {
            let Some(map) = value.as_object() else {
                return out.push(at, format!("expected an object, found {}", found(value)));
            };
            for (k, v) in map {
                if out.full() {
                    return;
                }
                check(&format!("{at}.{k}"), item, v, out);
            }
            return;
        }
        Shape::Object(fields) => return object(at, fields, value, out),
    };
    if !fits {
        // A value of the right JSON type but outside the listed ones says so; a value
        // of the wrong type says what type was wanted.
        let expected = match (shape, value) {
            (Shape::StrEnum(_), Value::String(_)) | (Shape::IntEnum(_), Value::Number(_)) => {
                expected(shape)
            }
            (Shape::StrEnum(_), _) => "a string".to_owned(),
            (Shape::IntEnum(_), _) => "an integer".to_owned(),
            (Shape::I32, Value::Number(n)) if !n.is_f64() => {
                "an integer from -2147483648 to 2147483647".to_owned()
            }
            _ => expected(shape),
        };
        out.push(at, format!("expected {expected}, found {}", found(value)));
    }
}

/// What a shape holds, for a message.
fn expected(shape: &Shape) -> String {
    match shape {
        Shape::String => "a string".to_owned(),
        Shape::Bool => "a boolean".to_owned(),
        Shape::I32 | Shape::I64 => "an integer".to_owned(),
        Shape::F64 => "a number".to_owned(),
        Shape::Int64String => "a 64-bit integer (a string of digits)".to_owned(),
        Shape::Timestamp { int: true } => "milliseconds since the epoch (an integer)".to_owned(),
        Shape::Timestamp { int: false } => {
            "milliseconds since the epoch (a string of digits)".to_owned()
        }
        Shape::StrEnum(values) => format!("one of {}", list(values.iter().map(|v| quote(v)))),
        Shape::IntEnum(values) => format!("one of {}", list(values.iter().map(i64::to_string))),
        Shape::Array(_) => "an array".to_owned(),
        Shape::Map(_) | Shape::Object(_) => "an object".to_owned(),
        Shape::Json => "any JSON".to_owned(),
        Shape::File => "a file part of a multipart body".to_owned(),
    }
}

/// A received JSON value as a message shows it: scalars as written (strings cut short),
/// containers by kind.
pub(crate) fn found(value: &Value) -> String {
    match value {
        Value::String(s) => quote(s),
        Value::Array(_) => "an array".to_owned(),
        Value::Object(_) => "an object".to_owned(),
        other => other.to_string(),
    }
}

/// A string as a JSON literal, cut at [`MAX_QUOTED`] characters.
pub(crate) fn quote(s: &str) -> String {
    match s.char_indices().nth(MAX_QUOTED) {
        Some((end, _)) => format!("{}…", Value::from(&s[..end])),
        None => Value::from(s).to_string(),
    }
}

/// Names joined with commas, at most [`MAX_LISTED`] of them.
fn list<S: fmt::Display>(items: impl Iterator<Item = S>) -> String {
    let mut out = String::new();
    for (i, item) in items.enumerate() {
        if i == MAX_LISTED {
            out.push_str(", …");
            break;
        }
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&item.to_string());
    }
    out
}

/// The candidate closest to `name` by edit distance, if close enough to be a typo.
pub(crate) fn nearest<'a>(
    name: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .map(|c| (distance(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Levenshtein distance over characters; strings longer than 128 characters are only
/// compared by length, so hostile input costs little.
pub(crate) fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) =
        (a.chars().take(129).collect(), b.chars().take(129).collect());
    if a.len() > 128 || b.len() > 128 {
        return a.len().max(b.len());
    }
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diagonal + usize::from(ca != cb))
                .min(above + 1)
                .min(row[j] + 1);
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    static BADGE: Shape = Shape::Object(&[Field {
        name: "web_app",
        shape: &Shape::I32,
        required: false,
    }]);
    static FIELDS: &[Field] = &[
        Field {
            name: "status",
            shape: &Shape::IntEnum(&[0, 1, 2]),
            required: true,
        },
        Field {
            name: "pc",
            shape: &BADGE,
            required: false,
        },
        Field {
            name: "ids",
            shape: &Shape::Array(&Shape::String),
            required: false,
        },
    ];

    fn messages(body: Value) -> Vec<String> {
        let mut out = Problems::default();
        object("body", FIELDS, &body, &mut out);
        out.0.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn each_problem_names_its_field() {
        assert_eq!(
            messages(json!({"status": "x"})),
            [r#"body.status: expected an integer, found "x""#]
        );
        assert_eq!(
            messages(json!({"status": 7})),
            ["body.status: expected one of 0, 1, 2, found 7"]
        );
        assert_eq!(messages(json!({})), ["body.status: required"]);
        assert_eq!(
            messages(json!({"status": 1, "pc": {"web_app": 1e3, "x": 1}, "ids": ["a", 2]})),
            [
                "body.ids[1]: expected a string, found 2",
                "body.pc.web_app: expected an integer, found 1000.0",
                "body.pc.x: not a field of body.pc (fields: web_app)",
            ]
        );
        assert_eq!(
            messages(json!([1])),
            ["body: expected an object, found an array"]
        );
    }

    #[test]
    fn query_values_are_text_checked_against_their_shape() {
        static PARAMS: &[Field] = &[
            Field {
                name: "page_size",
                shape: &Shape::I32,
                required: false,
            },
            Field {
                name: "status",
                shape: &Shape::IntEnum(&[0, 1]),
                required: true,
            },
        ];
        let pairs = |p: &[(&str, &str)]| -> Vec<String> {
            let pairs: Vec<_> = p
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect();
            let mut out = Problems::default();
            query("x.v1.y.list", PARAMS, &pairs, &mut out);
            out.0.iter().map(ToString::to_string).collect()
        };
        assert_eq!(pairs(&[("status", "1")]), Vec::<String>::new());
        assert_eq!(
            pairs(&[("status", "1"), ("page_sise", "2"), ("page_size", "1e9")]),
            [
                "query.page_sise: not a parameter of x.v1.y.list; did you mean `page_size`?",
                r#"query.page_size: expected an integer from -2147483648 to 2147483647, found "1e9""#,
            ]
        );
        assert_eq!(
            pairs(&[("status", "1"), ("status", "0")]),
            ["query.status: given more than once"]
        );
        assert_eq!(pairs(&[]), ["query.status: required"]);
    }

    #[test]
    fn hostile_bodies_give_a_bounded_report() {
        let many: serde_json::Map<String, Value> =
            (0..10_000).map(|i| (format!("f{i}"), json!(i))).collect();
        assert_eq!(messages(Value::Object(many)).len(), MAX_PROBLEMS);
        let long = "é".repeat(10_000);
        assert!(quote(&long).chars().count() < MAX_QUOTED + 4);
        assert_eq!(distance(&long, "x"), 129);
        assert_eq!(distance("kitten", "sitting"), 3);
    }
}
