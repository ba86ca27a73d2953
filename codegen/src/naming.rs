//! Rust names for schema names, decided in one place: heck for the case conversion,
//! then keyword escaping and digit-leading names. Validation uses the same functions to
//! report names that collide after conversion, so lowering never renames silently.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Names that cannot be identifiers even as raw identifiers (`r#self` is not allowed).
const UNRAWABLE: &[&str] = &["self", "Self", "super", "crate", "_"];

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "gen", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where",
    "while", "abstract", "become", "box", "do", "final", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// The snake_case identifier for a field, parameter or method name, as source text
/// (`type` becomes `r#type`, `3d` becomes `_3d`).
pub fn snake(name: &str) -> String {
    escape(prefix_digit(name.to_snake_case()))
}

/// The UpperCamelCase identifier for a type, variant or error name.
pub fn camel(name: &str) -> String {
    escape(prefix_digit(name.to_upper_camel_case()))
}

/// Whether `name` would become an identifier Rust cannot express at all.
pub fn is_unusable(name: &str) -> bool {
    let snake = name.to_snake_case();
    let camel = name.to_upper_camel_case();
    snake.is_empty() || UNRAWABLE.contains(&snake.as_str()) || UNRAWABLE.contains(&camel.as_str())
}

fn prefix_digit(s: String) -> String {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

fn escape(s: String) -> String {
    if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// The name without a raw-identifier prefix, for building derived names.
pub fn bare(ident: &str) -> &str {
    ident.strip_prefix("r#").unwrap_or(ident)
}

/// Edit distance, for "did you mean" hints.
pub fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// The candidate closest to `name`, if it is close enough to be a plausible typo.
/// Candidates whose length alone rules them out are skipped before the (quadratic)
/// distance, and long names get no hint, so a file of made-up names stays cheap.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    const LONGEST: usize = 64;
    if name.len() > LONGEST {
        return None;
    }
    let name = name.to_lowercase();
    candidates
        .into_iter()
        .filter(|c| c.len() <= LONGEST && name.len().abs_diff(c.len()) <= 2.max(c.len() / 3))
        .map(|c| (distance(&name, &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| c)
}

/// Names generated code uses unqualified in every module (the prelude and the std items
/// it names), and the crate root's own items: a schema type named like one would shadow
/// it, so it gets the suffix `Type` (`Option` becomes `OptionType`).
const SHADOWED: &[&str] = &[
    "Option",
    "Some",
    "None",
    "Result",
    "Ok",
    "Err",
    "String",
    "Vec",
    "Box",
    "From",
    "Into",
    "Default",
    "Clone",
    "Copy",
    "Debug",
    "PartialEq",
    "Eq",
    "Hash",
    "Send",
    "Sync",
    "Sized",
    "Iterator",
    "ToString",
    "ToOwned",
    "Drop",
    "Fn",
    "FnMut",
    "FnOnce",
    "AsRef",
    "AsMut",
];

/// Names the crate root takes: the runtime's re-exports and the generated client. Only
/// types in `schema/common/` (emitted at the root) can meet them.
pub const ROOT: &[&str] = &[
    "ApiError",
    "Call",
    "Domain",
    "Error",
    "ErrorCode",
    "Invalid",
    "ResponseMeta",
    "UnknownValue",
    "RequestOptions",
    "RetryPolicy",
    "Secret",
    "Client",
    "CommonError",
    "GeneralError",
];

/// The Rust name of a schema type or enum: UpperCamelCase, with `Type` appended where
/// the plain name would shadow something generated code relies on.
pub fn type_ident(name: &str, at_root: bool) -> String {
    let ident = camel(name);
    if SHADOWED.contains(&ident.as_str()) || (at_root && ROOT.contains(&ident.as_str())) {
        format!("{ident}Type")
    } else {
        ident
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_and_escapes() {
        assert_eq!(snake("userId"), "user_id");
        assert_eq!(snake("type"), "r#type");
        assert_eq!(snake("3d"), "_3d");
        assert_eq!(camel("under_audit"), "UnderAudit");
        assert_eq!(camel("zh-CN"), "ZhCn");
        assert!(is_unusable("self"));
        assert!(is_unusable("Self"));
        assert!(!is_unusable("type"));
    }

    #[test]
    fn suggests_close_names() {
        assert_eq!(
            closest("ClientBadgeNm", ["ClientBadgeNum", "Other"]),
            Some("ClientBadgeNum")
        );
        assert_eq!(closest("zzz", ["ClientBadgeNum"]), None);
    }
}
