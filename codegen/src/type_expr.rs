//! The element type of an array or map (`items:`): a type name, or `array<T>` and
//! `map<T>` around one, so arrays of arrays and maps of arrays can be written
//! (`items: array<string>`). Parsed the same way by validate and lower.

/// A parsed `items` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeExpr<'a> {
    /// A built-in type, a declared type or enum, or `object` (inline, with `fields`).
    Name(&'a str),
    /// `array<T>`
    Array(Box<TypeExpr<'a>>),
    /// `map<T>`: string keys.
    Map(Box<TypeExpr<'a>>),
}

impl<'a> TypeExpr<'a> {
    /// Parses `text`, or says what is wrong with it.
    pub fn parse(text: &'a str) -> Result<Self, String> {
        let text = text.trim();
        for (open, wrap) in [
            (
                "array<",
                TypeExpr::Array as fn(Box<TypeExpr<'a>>) -> TypeExpr<'a>,
            ),
            ("map<", TypeExpr::Map),
        ] {
            if let Some(rest) = text.strip_prefix(open) {
                let inner = rest
                    .strip_suffix('>')
                    .ok_or_else(|| format!("`{text}` has no closing `>`"))?;
                let inner = TypeExpr::parse(inner)?;
                if inner == TypeExpr::Name("object") {
                    return Err(format!(
                        "`{text}`: an inline object cannot be nested; declare a named type"
                    ));
                }
                return Ok(wrap(Box::new(inner)));
            }
        }
        if text.is_empty() || text.contains(['<', '>', ' ']) {
            return Err(format!("`{text}` is not a type"));
        }
        if matches!(text, "array" | "map") {
            return Err(format!(
                "`{text}` needs its element type here: `{text}<T>`, e.g. `{text}<string>`"
            ));
        }
        Ok(TypeExpr::Name(text))
    }

    /// The type name at the bottom of the expression.
    pub fn leaf(&self) -> &'a str {
        match self {
            TypeExpr::Name(name) => name,
            TypeExpr::Array(inner) | TypeExpr::Map(inner) => inner.leaf(),
        }
    }

    /// Whether this is a plain name (no `array<..>` or `map<..>` around it).
    pub fn is_name(&self) -> bool {
        matches!(self, TypeExpr::Name(_))
    }
}

#[cfg(test)]
mod tests {
    use super::TypeExpr::{self, *};

    #[test]
    fn expressions_nest() {
        assert_eq!(TypeExpr::parse("string"), Ok(Name("string")));
        assert_eq!(
            TypeExpr::parse("array<array<i64>>"),
            Ok(Array(Box::new(Array(Box::new(Name("i64"))))))
        );
        assert_eq!(
            TypeExpr::parse(" map<Order> "),
            Ok(Map(Box::new(Name("Order"))))
        );
        assert_eq!(TypeExpr::parse("array<map<json>>").unwrap().leaf(), "json");
    }

    #[test]
    fn malformed_expressions_say_what_is_wrong() {
        for (text, says) in [
            ("array<string", "no closing"),
            ("array", "needs its element type"),
            ("map<object>", "cannot be nested"),
            ("array<>", "is not a type"),
            ("vec<string>", "is not a type"),
        ] {
            let err = TypeExpr::parse(text).unwrap_err();
            assert!(err.contains(says), "{text}: {err}");
        }
    }
}
