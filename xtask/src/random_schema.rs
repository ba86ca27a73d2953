//! Random valid schemas drawn from a hostile vocabulary: Rust keywords, prelude and std
//! names, the runtime's and the builder's own names, names that collide once cased or
//! concatenated. Seeded, so a failing seed is reproduced exactly. Files the validator
//! rejects are dropped (the generator draws freely and lets the validator decide), so
//! what is left is a schema the generator promises to turn into a compiling crate.
//! `RANDOM_SCHEMA_WHY=1` prints what the validator refused.

use feishu_codegen::SourceFile;

/// Endpoints of the checked-in fixture (`tests/random/`, seed 1).
pub const FIXTURE_ENDPOINTS: usize = 40;

/// Field, parameter, resource and method names: each is something generated code or
/// Rust itself also uses.
const WORDS: &[&str] = &[
    "type",
    "new",
    "default",
    "options",
    "client",
    "body",
    "send",
    "stream",
    "validate",
    "with_meta",
    "request",
    "response",
    "error",
    "result",
    "option",
    "string",
    "vec",
    "some",
    "none",
    "ok",
    "err",
    "from",
    "into",
    "value",
    "items",
    "spec",
    "call",
    "runtime",
    "serde",
    "async",
    "await",
    "dyn",
    "move",
    "ref",
    "match",
    "loop",
    "where",
    "impl",
    "trait",
    "struct",
    "enum",
    "fn",
    "mod",
    "use",
    "pub",
    "static",
    "const",
    "unsafe",
    "return",
    "break",
    "if",
    "else",
    "for",
    "while",
    "in",
    "as",
    "let",
    "try",
    "gen",
    "union",
    "api",
    "data",
    "code",
    "msg",
    "log_id",
    "set_new",
    "body_type",
    "next",
    "add",
    "sub",
    "clone",
    "hash",
    "r",
    "out",
    "slot_a",
    "c",
    "o",
    "page",
    "token",
    "has_more_x",
    "update_text",
    "update_text_elements",
    "elements",
    "text",
    "box",
];

/// Type names: prelude, std, runtime and crate-root names, and names a builder or an
/// inline object would also get.
const TYPE_NAMES: &[&str] = &[
    "Event",
    "Reply",
    "NoReply",
    "EventHeader",
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Error",
    "Client",
    "CommonError",
    "Call",
    "Request",
    "Response",
    "Body",
    "Default",
    "From",
    "Into",
    "Value",
    "Map",
    "Spec",
    "Domain",
    "Invalid",
    "Secret",
    "Some",
    "None",
    "Ok",
    "Err",
    "Iterator",
    "Hash",
    "Clone",
    "TypeUpdate",
    "NewCreate",
    "SendGet",
    "ItemsList",
    "OptionType",
    "Debug",
    "Send",
    "Sync",
];

const SCALARS: &[&str] = &["string", "bool", "i32", "i64", "f64", "int64_string"];
/// Scalars allowed inside maps and nested arrays.
const NESTED: &[&str] = &["string", "bool", "i32", "i64", "f64"];

const SERVICES: &[&str] = &["im", "drive", "docx", "contact", "base"];

/// A schema with about `endpoints` endpoints, from `seed`.
pub fn schema(seed: u64, endpoints: usize) -> Vec<SourceFile> {
    let mut g = Gen {
        rng: fastrand::Rng::with_seed(seed),
        types: Vec::new(),
        enums: Vec::new(),
        visible: None,
    };
    let mut files = crate::synth::auth_files();
    files.push(file(
        "common/errors.yaml",
        "errors:\n  - {code: 99991400, http: 429, name: rate_limited, message: limited, hint: wait}\n".to_owned(),
    ));
    // What each service may name: its own types and those of the services before it.
    // Services are crates of their own and must not name each other in a circle.
    let mut upto = Vec::new();
    for (i, service) in SERVICES.iter().enumerate() {
        let text = g.types_file(i);
        files.push(file(&format!("{service}/v1/types.yaml"), text));
        upto.push((g.types.len(), g.enums.len()));
    }
    for i in 0..endpoints {
        let service = SERVICES[i % SERVICES.len()];
        g.visible = Some(upto[i % SERVICES.len()]);
        let (resource, method) = (g.word(), g.word());
        let id = format!("{service}.v1.{resource}.{method}");
        let text = g.endpoint(&id, i);
        files.push(file(
            &format!("{service}/v1/{resource}.{method}.{i}.yaml"),
            text,
        ));
    }
    // An event for every fifth endpoint: payload and reply names drawn from the same
    // hostile vocabulary, event types spelled with its words.
    for i in 0..endpoints.div_ceil(5) {
        let service = SERVICES[i % SERVICES.len()];
        g.visible = Some(upto[i % SERVICES.len()]);
        let text = g.event(service, i);
        files.push(file(&format!("{service}/v1/event.{i}.yaml"), text));
    }
    keep_valid(files)
}

/// Drops files the validator rejects until none is left to drop (a file can be
/// rejected because of another one: a name both define).
fn keep_valid(mut files: Vec<SourceFile>) -> Vec<SourceFile> {
    loop {
        let problems = feishu_codegen::check(&files);
        if std::env::var_os("RANDOM_SCHEMA_WHY").is_some() {
            for p in &problems {
                eprintln!("{p}");
            }
        }
        if problems.is_empty() {
            return files;
        }
        let bad: std::collections::BTreeSet<&str> =
            problems.iter().map(|d| d.file.as_str()).collect();
        let before = files.len();
        let bad: Vec<String> = bad.into_iter().map(str::to_owned).collect();
        files.retain(|f| !bad.contains(&f.path));
        assert!(files.len() < before, "a problem no file can be dropped for");
    }
}

fn file(path: &str, text: String) -> SourceFile {
    SourceFile {
        path: path.to_owned(),
        bytes: text.into_bytes(),
    }
}

struct Gen {
    rng: fastrand::Rng,
    /// Struct type names declared so far (all services: names are global).
    types: Vec<String>,
    enums: Vec<String>,
    /// How many of `types` and `enums` the file being drawn may name (all when `None`).
    visible: Option<(usize, usize)>,
}

impl Gen {
    fn types_pool(&self) -> &[String] {
        &self.types[..self.visible.map_or(self.types.len(), |v| v.0)]
    }

    fn enums_pool(&self) -> &[String] {
        &self.enums[..self.visible.map_or(self.enums.len(), |v| v.1)]
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.rng.usize(..WORDS.len())]
    }

    fn types_file(&mut self, service: usize) -> String {
        let mut text = String::from("enums:\n");
        let name = format!(
            "{}{service}",
            TYPE_NAMES[self.rng.usize(..TYPE_NAMES.len())]
        );
        text.push_str(&format!(
            "  - name: {name}\n    wire: string\n    values:\n"
        ));
        for (i, v) in ["none", "some", "ok", "default", "type", "known"]
            .iter()
            .enumerate()
        {
            text.push_str(&format!("      - {{value: v{i}, name: {v}}}\n"));
        }
        self.enums.push(name);
        let mut types = String::new();
        for _ in 0..3 {
            let name = TYPE_NAMES[self.rng.usize(..TYPE_NAMES.len())];
            // Two names that become one Rust name are the validator's to refuse; draw
            // names the generator has to keep apart instead.
            let ident = |n: &str| feishu_codegen::naming::type_ident(n, false);
            if self.types.iter().any(|t| ident(t) == ident(name)) {
                continue;
            }
            self.types.push(name.to_owned());
            types.push_str(&format!("  - name: {name}\n    fields:\n"));
            types.push_str(&self.fields(4, 6, true, 6));
        }
        if !types.is_empty() {
            text.push_str("types:\n");
            text.push_str(&types);
        }
        text
    }

    fn endpoint(&mut self, id: &str, i: usize) -> String {
        let paginated = self.rng.u8(..4) == 0;
        let method = if paginated {
            "GET"
        } else {
            ["GET", "POST", "PUT", "PATCH", "DELETE"][self.rng.usize(..5)]
        };
        let p = self.word();
        let mut text = format!(
            "endpoint:\n  id: {id}\n  summary: s{i}\n  description: d\n  doc_url: https://example.com/{i}\n  method: {method}\n  host: open\n  path: /open-apis/x{i}/:{p}\n  tokens: [tenant, user]\n  rate_limit: 10/second\n  app_types: [custom]\n  scopes: []\n  idempotent: {}\n  path_params:\n    - {{name: {p}, type: string, required: true}}\n  query:\n",
            self.rng.bool()
        );
        let mut used = vec![p, "page_token", "page_size"];
        for _ in 0..self.rng.usize(0..4) {
            let (name, ty) = (self.word(), self.url_type());
            if used.contains(&name) {
                continue;
            }
            used.push(name);
            let required = self.rng.u8(..3) == 0;
            text.push_str(&format!(
                "    - {{name: {name}, {ty}, required: {required}}}\n"
            ));
        }
        if paginated {
            text.push_str("    - {name: page_token, type: string}\n");
        } else {
            text.push_str("    - {name: page_size, type: i32}\n");
        }
        if method != "GET" && method != "DELETE" {
            text.push_str("  body:\n    fields:\n");
            text.push_str(&self.fields(1, 6, false, 6));
        }
        text.push_str("  response:\n    fields:\n");
        text.push_str(&self.fields(1, 4, false, 6));
        if paginated {
            let item = match self.types_pool().is_empty() {
                false if self.rng.bool() => {
                    let n = self.rng.usize(..self.types_pool().len());
                    self.types_pool()[n].clone()
                }
                _ => self.scalar().to_owned(),
            };
            text.push_str(&format!(
                "      - {{name: items_x, type: array, items: {item}}}\n"
            ));
            text.push_str(
                "      - {name: has_more, type: bool}\n      - {name: page_token, type: string}\n",
            );
            text.push_str(
                "    pagination: {items: items_x, has_more: has_more, token: page_token}\n",
            );
        }
        text
    }

    fn event(&mut self, service: &str, i: usize) -> String {
        let name = |g: &mut Gen, suffix: &str| {
            let base = TYPE_NAMES[g.rng.usize(..TYPE_NAMES.len())];
            // Half the time a bare hostile name (`Option`, `Event`), else suffixed; never
            // one a type already has (the validator would refuse the later file, which
            // may be the types file every endpoint of the service needs).
            let ident = |n: &str| feishu_codegen::naming::type_ident(n, false);
            let taken = g
                .types
                .iter()
                .chain(&g.enums)
                .any(|t| ident(t) == ident(base));
            let name = if g.rng.bool() && !taken {
                base.to_owned()
            } else {
                format!("{base}{suffix}{i}")
            };
            g.types.push(name.clone());
            name
        };
        let payload = name(self, "Event");
        let envelope = ["v2", "v1", "none"][self.rng.usize(..3)];
        let mut text = format!(
            "event:\n  type: {service}.{}.{}_v{i}\n  name: {payload}\n  envelope: {envelope}\n  summary: s{i}\n  doc_url: https://example.com/e{i}\n  app_types: [custom]\n",
            self.word(),
            self.word()
        );
        let list = |fields: String, indent: &str| match fields.is_empty() {
            true => format!("{indent}fields: []\n"),
            false => format!("{indent}fields:\n{fields}"),
        };
        let fields = self.fields(0, 5, true, 4);
        text.push_str(&list(fields, "  "));
        if self.rng.bool() {
            let reply = name(self, "Reply");
            text.push_str(&format!("  reply:\n    name: {reply}\n"));
            let fields = self.fields(0, 3, true, 6);
            text.push_str(&list(fields, "    "));
        }
        text
    }

    /// Between `min` and `max` fields, as YAML list items indented by `indent`.
    fn fields(&mut self, min: usize, max: usize, in_type: bool, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut out = String::new();
        let mut used = Vec::new();
        for _ in 0..self.rng.usize(min..=max) {
            let name = self.word();
            if used.contains(&name) {
                continue;
            }
            used.push(name);
            let required = self.rng.u8(..4) == 0;
            if indent < 14 && self.rng.u8(..6) == 0 {
                // An inline object, named after its parent and this field.
                out.push_str(&format!("{pad}- name: {name}\n{pad}  type: object\n{pad}  required: {required}\n{pad}  fields:\n"));
                out.push_str(&self.fields(1, 3, in_type, indent + 4));
                continue;
            }
            let ty = self.field_type(in_type);
            out.push_str(&format!(
                "{pad}- {{name: {name}, {ty}, required: {required}}}\n"
            ));
        }
        out
    }

    fn field_type(&mut self, in_type: bool) -> String {
        let named = |g: &mut Gen| -> Option<String> {
            let pool: Vec<String> = g
                .types_pool()
                .iter()
                .chain(g.enums_pool())
                .cloned()
                .collect();
            (!pool.is_empty()).then(|| pool[g.rng.usize(..pool.len())].clone())
        };
        match self.rng.u8(..10) {
            0 => "type: json".to_owned(),
            1 => format!("type: map, items: {}", self.nested()),
            2 => format!("type: array, items: \"array<{}>\"", self.nested()),
            3 => format!("type: map, items: \"array<{}>\"", self.nested()),
            4 | 5 => match named(self) {
                // Inside a type, a named type may be the type itself or hold it.
                Some(n) if in_type || self.rng.bool() => format!("type: {n}"),
                Some(n) => format!("type: array, items: {n}"),
                None => format!("type: {}", self.scalar()),
            },
            _ => format!("type: {}", self.scalar()),
        }
    }

    fn url_type(&mut self) -> String {
        match self.rng.u8(..4) {
            0 => format!("type: array, items: {}", SCALARS[self.rng.usize(..4)]),
            1 if !self.enums_pool().is_empty() => {
                let n = self.rng.usize(..self.enums_pool().len());
                format!("type: {}", self.enums_pool()[n])
            }
            _ => format!("type: {}", self.scalar()),
        }
    }

    fn scalar(&mut self) -> &'static str {
        SCALARS[self.rng.usize(..SCALARS.len())]
    }

    fn nested(&mut self) -> &'static str {
        NESTED[self.rng.usize(..NESTED.len())]
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_seed_gives_the_same_schema_and_most_files_survive() {
        let a = super::schema(4, 40);
        let b = super::schema(4, 40);
        assert_eq!(
            a.iter().map(|f| (&f.path, &f.bytes)).collect::<Vec<_>>(),
            b.iter().map(|f| (&f.path, &f.bytes)).collect::<Vec<_>>()
        );
        for seed in 1..20 {
            let kept = super::schema(seed, 40).len();
            assert!(kept > 35, "seed {seed}: only {kept} of 52 files are valid");
        }
    }
}
