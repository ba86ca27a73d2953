//! How many endpoints the anchor crate (larksuite-oapi-sdk-rs) has, read from its
//! source. It has no schema to count, and its request code comes in several shapes
//! (a literal path, a `format!` into a `path` variable, macros that take the path, a
//! helper that takes the method), so the count pairs the two things every request
//! needs: each `/open-apis/...` path literal with an HTTP method, `Method::X`, either in
//! the same function (the nearest one) or, for a path passed to a macro, in that macro's
//! definition. An endpoint is a distinct pair, path parameters normalised (`{id}`,
//! `{}` and `:id` are the same).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::masked_source::Masked;

/// The file with the table of routes its untyped Go-compatibility bridge can call
/// (method and path per enum variant). Those routes are counted only where a typed
/// method names their variant: the rest are reached through untyped JSON calls.
const BRIDGE_TABLE: &str = "go_compatibility_metadata.rs";

/// What the count found.
pub(crate) struct AnchorEndpoints {
    /// The distinct method and path pairs of typed request code, bridge routes named by
    /// typed code included.
    pub endpoints: usize,
    /// Of those, the routes of the bridge table that typed code names.
    pub bridged: usize,
    /// Routes of the bridge table no typed code names (not counted).
    pub bridge_only: usize,
    /// Path literals in a function that takes its method from its caller: each counted
    /// once, whatever methods its callers pass.
    pub method_unknown: usize,
    /// `RestRequest::new(` call sites in the typed code, a count made without
    /// resolving anything (a macro's body counts once however often it is invoked).
    pub call_sites: usize,
    /// Where it was counted.
    pub dir: PathBuf,
}

impl AnchorEndpoints {
    /// How the count was made, for the report.
    pub fn how(&self) -> String {
        format!(
            "{} = distinct METHOD + path pairs in {}: each `/open-apis/` path literal of \
             non-test code paired with the nearest `Method::X` of its function, or with the \
             methods of the macro it is passed to. Of them {} are typed wrappers over \
             routes of its Go-compatibility bridge table; path literals whose method comes \
             from a caller, counted once each: {}. Not counted: {} bridge routes reachable \
             only through untyped JSON calls. (`RestRequest::new(` appears {} times.)",
            self.endpoints,
            self.dir.display(),
            self.bridged,
            self.method_unknown,
            self.bridge_only,
            self.call_sites,
        )
    }
}

/// Counts the endpoints of the crate whose `src/` is under `crate_dir`: its services
/// (`src/service/`) where it has them, else all of `src/`.
pub(crate) fn count(crate_dir: &Path) -> Result<AnchorEndpoints, String> {
    let service = crate_dir.join("src/service");
    let dir = if service.is_dir() {
        service
    } else {
        crate_dir.join("src")
    };
    let mut files = Vec::new();
    collect(&dir, &mut files)?;
    let mut typed = Vec::new();
    let mut bridge = None;
    for path in &files {
        let source = std::fs::read_to_string(path).map_err(|e| format!("{path:?}: {e}"))?;
        let masked = Masked::new(&source);
        if path.file_name().is_some_and(|n| n == BRIDGE_TABLE) {
            bridge = Some(masked);
        } else {
            typed.push(masked);
        }
    }
    let macros = Macros::of(&typed);
    let mut pairs = BTreeSet::new();
    let mut method_unknown = 0;
    for file in &typed {
        for (method, path) in pairs_in(file, &macros) {
            method_unknown += usize::from(method.is_none());
            pairs.insert((method.unwrap_or_default(), path));
        }
    }
    let (mut bridged, mut bridge_only) = (0, 0);
    if let Some(table) = &bridge {
        let named = named_variants(table, &typed);
        for (variant, pair) in bridge_routes(table) {
            if named.contains(&variant) {
                bridged += usize::from(pairs.insert(pair));
            } else {
                bridge_only += 1;
            }
        }
    }
    if pairs.is_empty() {
        return Err(format!(
            "no `/open-apis/` request paths under {}",
            dir.display()
        ));
    }
    let call_sites = typed
        .iter()
        .map(|f| f.tokens("RestRequest::new(").count())
        .sum();
    Ok(AnchorEndpoints {
        endpoints: pairs.len(),
        bridged,
        bridge_only,
        method_unknown,
        call_sites,
        dir,
    })
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(&path, files)?;
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files.sort();
    Ok(())
}

/// The `macro_rules!` macros of the code, with the HTTP methods their expansions use.
struct Macros(BTreeMap<String, BTreeSet<String>>);

impl Macros {
    fn of(files: &[Masked]) -> Macros {
        let definitions: Vec<(&Masked, &str, (usize, usize))> = files
            .iter()
            .flat_map(|file| {
                macro_definitions(file)
                    .into_iter()
                    .map(move |(name, body)| (file, name, body))
            })
            .collect();
        // Each macro's own methods and the macros its body invokes, then the closure: a
        // macro may pass the path on to another (`post_method!` to `post_method_with_tokens!`).
        let mut direct: BTreeMap<&str, (BTreeSet<String>, Vec<&str>)> = BTreeMap::new();
        for &(file, name, (start, end)) in &definitions {
            let methods = methods_in(&file.code[start..end])
                .map(|(_, m)| m.to_owned())
                .collect();
            let invoked = definitions
                .iter()
                .map(|&(_, other, _)| other)
                .filter(|other| {
                    file.tokens(&format!("{other}!"))
                        .any(|at| start <= at && at < end)
                })
                .collect();
            direct.insert(name, (methods, invoked));
        }
        let mut closed = BTreeMap::new();
        for &name in direct.keys() {
            let mut methods = BTreeSet::new();
            let mut seen = BTreeSet::new();
            let mut todo = vec![name];
            while let Some(next) = todo.pop() {
                if seen.insert(next) {
                    let (own, invoked) = &direct[next];
                    methods.extend(own.iter().cloned());
                    todo.extend(invoked);
                }
            }
            closed.insert(name.to_owned(), methods);
        }
        Macros(closed)
    }
}

/// `(name, (body start, body end))` of each `macro_rules!` definition in the file.
fn macro_definitions(file: &Masked) -> Vec<(&str, (usize, usize))> {
    let mut found = Vec::new();
    for at in file.tokens("macro_rules!") {
        let after = at + "macro_rules!".len();
        let name_at = after + file.code[after..].len() - file.code[after..].trim_start().len();
        let name = file.ident_at(name_at);
        let Some(open) = file.code[name_at..].find(['{', '(']).map(|p| p + name_at) else {
            continue;
        };
        if let Some(close) = file.matching(open) {
            found.push((name, (open, close)));
        }
    }
    found
}

/// `(offset, method)` of each `Method::X` in `code`.
fn methods_in(code: &str) -> impl Iterator<Item = (usize, &str)> {
    code.match_indices("Method::").filter_map(|(at, _)| {
        let rest = &code[at + "Method::".len()..];
        let len = rest
            .find(|c: char| !c.is_ascii_uppercase())
            .unwrap_or(rest.len());
        let word_start = !code[..at].ends_with(super::masked_source::is_ident);
        (len > 0 && word_start).then(|| (at, &rest[..len]))
    })
}

/// The method and normalised path of each request path literal of a file outside macro
/// definitions; the method is `None` when neither the function nor a macro gives one.
fn pairs_in(file: &Masked, macros: &Macros) -> Vec<(Option<String>, String)> {
    let definitions: Vec<(usize, usize)> = macro_definitions(file)
        .into_iter()
        .map(|(_, span)| span)
        .collect();
    let outside = |at: usize| !definitions.iter().any(|&(s, e)| s <= at && at < e);
    // Invocations of macros that carry a method: (start, end, methods).
    let mut invocations = Vec::new();
    for (name, methods) in macros.0.iter().filter(|(_, m)| !m.is_empty()) {
        for at in file.tokens(&format!("{name}!")).filter(|&at| outside(at)) {
            let after = at + name.len() + 1;
            let open = after + file.code[after..].len() - file.code[after..].trim_start().len();
            if let Some(close) = file.matching(open) {
                invocations.push((at, close, methods));
            }
        }
    }
    let functions: Vec<usize> = file.tokens("fn ").filter(|&at| outside(at)).collect();
    let methods: Vec<(usize, &str)> = methods_in(&file.code)
        .filter(|&(at, _)| outside(at))
        .collect();
    let mut pairs = Vec::new();
    for (at, text) in &file.strings {
        if !text.starts_with("/open-apis/") || !outside(*at) {
            continue;
        }
        let path = normalise(text);
        let invoked = invocations
            .iter()
            .filter(|(start, end, _)| start < at && at < end)
            .max_by_key(|(start, _, _)| *start);
        if let Some((_, _, methods)) = invoked {
            pairs.extend(methods.iter().map(|m| (Some(m.clone()), path.clone())));
            continue;
        }
        let start = functions
            .iter()
            .rev()
            .find(|&&f| f < *at)
            .copied()
            .unwrap_or(0);
        let end = functions
            .iter()
            .find(|&&f| f > *at)
            .copied()
            .unwrap_or(usize::MAX);
        let nearest = methods
            .iter()
            .filter(|(m, _)| start <= *m && *m < end)
            .min_by_key(|(m, _)| m.abs_diff(*at))
            .map(|(_, method)| (*method).to_owned());
        pairs.push((nearest, path));
    }
    pairs
}

/// Path parameters written `{name}`, `{}` or `:name` all become `{}`.
fn normalise(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let parameter =
                segment.starts_with(':') || segment.starts_with('{') && segment.ends_with('}');
            if parameter { "{}" } else { segment }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The bridge table's routes by enum variant: each path literal with the nearest
/// `Method::X` and the variant of the `Self::Variant =>` arm before it.
fn bridge_routes(table: &Masked) -> Vec<(String, (String, String))> {
    let methods: Vec<(usize, &str)> = methods_in(&table.code).collect();
    let arms: Vec<usize> = table.tokens("Self::").collect();
    let mut routes = Vec::new();
    for (at, text) in &table.strings {
        if !text.starts_with("/open-apis/") {
            continue;
        }
        let method = methods.iter().min_by_key(|(m, _)| m.abs_diff(*at));
        let arm = arms.iter().rev().find(|&&a| a < *at);
        if let (Some((_, method)), Some(arm)) = (method, arm) {
            let variant = table.ident_at(arm + "Self::".len()).to_owned();
            routes.push((variant, ((*method).to_owned(), normalise(text))));
        }
    }
    routes
}

/// The variants of the bridge table's enum that typed code names (`Enum::Variant`).
fn named_variants(table: &Masked, typed: &[Masked]) -> BTreeSet<String> {
    let Some(name) = table
        .tokens("enum ")
        .next()
        .map(|at| table.ident_at(at + "enum ".len()))
    else {
        return BTreeSet::new();
    };
    let prefix = format!("{name}::");
    typed
        .iter()
        .flat_map(|file| {
            file.tokens(&prefix)
                .map(|at| file.ident_at(at + prefix.len()).to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(files: &[&str]) -> BTreeSet<(Option<String>, String)> {
        let masked: Vec<Masked> = files.iter().map(|s| Masked::new(s)).collect();
        let macros = Macros::of(&masked);
        masked.iter().flat_map(|f| pairs_in(f, &macros)).collect()
    }

    #[test]
    fn every_request_shape_pairs_its_path_with_its_method() {
        let found = pairs(&[r#"
            pub async fn get(&self) { RestRequest::new(c, http::Method::GET, "/open-apis/a/v1/x", o) }
            pub async fn patch(&self, id: &str) {
                let path = format!("/open-apis/a/v1/x/{id}");
                RestRequest::new(c, http::Method::PATCH, path, o)
            }
            // "/open-apis/in/a/comment"
            macro_rules! post_method { ($n:ident, $p:expr) => { inner!($n, $p); }; }
            macro_rules! inner { ($n:ident, $p:expr) => { fn $n() { RestRequest::new(c, http::Method::POST, $p, o) } }; }
            post_method!(create, "/open-apis/a/v1/x/:id/items");
            fn helper(method: http::Method) { RestRequest::new(c, method, "/open-apis/a/v1/y", o) }
            #[cfg(test)]
            mod tests { fn t() { call(http::Method::PUT, "/open-apis/only/in/tests") } }
            "#]);
        let expected: BTreeSet<_> = [
            (Some("GET"), "/open-apis/a/v1/x"),
            (Some("PATCH"), "/open-apis/a/v1/x/{}"),
            (Some("POST"), "/open-apis/a/v1/x/{}/items"),
            (None, "/open-apis/a/v1/y"),
        ]
        .into_iter()
        .map(|(m, p)| (m.map(str::to_owned), p.to_owned()))
        .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn bridge_routes_count_where_typed_code_names_them() {
        let table = Masked::new(
            r#"pub enum Bridge { GetA, PostB }
            impl Bridge { fn meta(self) -> Meta { match self {
                Self::GetA => Meta { method: http::Method::GET, path: "/open-apis/a" },
                Self::PostB => Meta { method: http::Method::POST, path: "/open-apis/b/:id" },
            } } }"#,
        );
        let typed = [Masked::new("fn f() { call(Bridge::PostB) }")];
        assert_eq!(
            bridge_routes(&table),
            [
                (
                    "GetA".to_owned(),
                    ("GET".to_owned(), "/open-apis/a".to_owned())
                ),
                (
                    "PostB".to_owned(),
                    ("POST".to_owned(), "/open-apis/b/{}".to_owned())
                ),
            ]
        );
        assert_eq!(named_variants(&table, &typed), ["PostB".to_owned()].into());
    }
}
