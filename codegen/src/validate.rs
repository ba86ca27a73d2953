//! Stage 2, validate: every semantic problem in the loaded schema, all at once. Lowering
//! runs only on a schema this stage accepted, so it can assume every reference resolves.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::diagnostic::{Diagnostic, Pos};
use crate::load::LoadedFile;
use crate::model::{Endpoint, EnumDef, ErrorDef, EventDef, Field, TokenRole, Wire};
use crate::naming;
use crate::symbols::{ModPath, PRIMITIVES, SymbolKind, Symbols};
use crate::type_expr::TypeExpr;

mod crate_graph;

/// Checks the whole schema; returns every problem found.
pub fn validate(files: &[LoadedFile]) -> Vec<Diagnostic> {
    let symbols = Symbols::build(files);
    let mut v = Validator {
        symbols: &symbols,
        out: Vec::new(),
        file: "",
        module: None,
        graph: crate_graph::CrateGraph::default(),
        hint_searches: 100,
        in_form: false,
    };
    v.check_names(files);
    let common_errors: Vec<&ErrorDef> = files
        .iter()
        .filter(|f| ModPath::of_file(&f.path) == Some(ModPath::Common))
        .flat_map(|f| &f.schema.errors)
        .collect();
    let mut endpoint_ids: BTreeMap<&str, (&str, Pos)> = BTreeMap::new();
    let mut event_types: BTreeMap<&str, (&str, Pos)> = BTreeMap::new();
    let mut endpoint_idents: BTreeMap<(ModPath, String), (&str, Pos)> = BTreeMap::new();
    let mut roles: BTreeMap<TokenRole, (&str, Pos)> = BTreeMap::new();
    let mut reserved_reported = BTreeSet::new();
    let mut earlier_common: Vec<&ErrorDef> = Vec::new();
    let mut resource_apis: BTreeMap<(ModPath, String), (&str, &str, Pos)> = BTreeMap::new();
    for file in files {
        v.file = &file.path;
        let module = ModPath::of_file(&file.path);
        v.module.clone_from(&module);
        if module.is_none() {
            v.err(Pos::START, "schema file is not in a service/version directory")
                .hint("put endpoints and types in schema/<service>/<version>/ (e.g. schema/application/v6/) and shared items in schema/common/");
            continue;
        }
        if let Some(ModPath::Service { service, .. }) = &module
            && (RESERVED_SERVICES.contains(&service.as_str()) || is_version_name(service))
            && reserved_reported.insert(service.clone())
        {
            v.err(Pos::START, format!("service name `{service}` is reserved"))
                .hint("the generated crate uses it (a module, re-export, cargo feature, a method of the client, a version's name or a Rust keyword); rename the directory");
        }
        if !file.schema.errors.is_empty() && module != Some(ModPath::Common) {
            let pos = Pos::of(&file.schema.errors[0].code);
            v.err(
                pos,
                "`errors` at the top level is only allowed in schema/common/",
            )
            .hint("put endpoint-specific codes under `endpoint.errors`");
        }
        for t in &file.schema.types {
            v.fields(&t.fields);
        }
        for e in &file.schema.enums {
            v.enum_def(e);
        }
        // Common codes meet in every error enum: one file's are checked against the
        // files before it.
        v.error_list(&file.schema.errors, &earlier_common);
        earlier_common.extend(&file.schema.errors);
        if let Some(event) = &file.schema.event {
            v.event(event, module.as_ref(), &mut event_types);
        }
        let Some(ep) = &file.schema.endpoint else {
            continue;
        };
        if module == Some(ModPath::Common) {
            v.err(Pos::of(&ep.id), "endpoints cannot live in schema/common/")
                .hint("move the file to schema/<service>/<version>/");
            continue;
        }
        let here = (file.path.as_str(), Pos::of(&ep.id));
        if let Some((f, p)) = endpoint_ids.get(ep.id.value.as_str()) {
            v.err(here.1, format!("duplicate endpoint id `{}`", ep.id.value))
                .hint(format!(
                    "first defined at {f}:{}:{}; ids must be unique",
                    p.line, p.column
                ));
        } else {
            endpoint_ids.insert(&ep.id.value, here);
            // Each resource has an accessor type `<Resource>Api` in its module: one per
            // resource, and not the version's own (`V1Api`).
            if let (Some(m @ ModPath::Service { .. }), Some(resource)) =
                (module.clone(), ep.id.value.split('.').nth(2))
            {
                let version = match &m {
                    ModPath::Service { version, .. } => version.clone(),
                    ModPath::Common => String::new(),
                };
                let api = format!("{}Api", naming::camel(resource));
                if api == format!("{}Api", naming::camel(&version)) {
                    v.err(
                        here.1,
                        format!("resource `{resource}` is named like its version"),
                    )
                    .hint("its accessor type would be the version's own; rename the resource");
                } else if let Some((other, f, p)) = resource_apis.get(&(m.clone(), api.clone()))
                    && *other != resource
                {
                    v.err(here.1, format!("resources `{resource}` and `{other}` both give the accessor type `{api}`"))
                        .hint(format!("the other is at {f}:{}:{}; rename one of them", p.line, p.column));
                } else {
                    resource_apis.insert((m, api), (resource, &file.path, here.1));
                }
                let method = ep.id.value.split('.').nth(3).unwrap_or_default();
                if format!("{resource}_{method}") == "feishu_runtime" {
                    v.err(
                        here.1,
                        "endpoint `feishu.runtime` would name its module like the runtime crate",
                    )
                    .hint("rename the resource or the method");
                }
            }
            // Builders live in their service's version module: names repeat across
            // services (`im::v1::MessageUpdate`, `approval::v1::MessageUpdate`).
            if let (Some(ident), Some(m)) = (endpoint_ident(&ep.id.value), module.clone()) {
                if let Some((f, p)) = endpoint_idents.get(&(m.clone(), ident.clone())) {
                    v.err(here.1, format!("endpoint id `{}` gives the Rust name `{ident}`, which another endpoint of this module already has", ep.id.value))
                        .hint(format!("the other endpoint is at {f}:{}:{}; rename one of them", p.line, p.column));
                } else {
                    endpoint_idents.insert((m, ident), here);
                }
            }
        }
        if let Some(role) = &ep.token_role {
            if let Some((f, p)) = roles.get(&role.value) {
                v.err(
                    Pos::of(role),
                    "another endpoint already has this token_role",
                )
                .hint(format!(
                    "it is at {f}:{}:{}; each role belongs to one endpoint",
                    p.line, p.column
                ));
            } else {
                roles.insert(role.value, (file.path.as_str(), Pos::of(role)));
            }
        }
        v.endpoint(ep, module.as_ref(), &common_errors);
    }
    let circles = v.graph.circles();
    v.out.extend(circles);
    v.out
}

/// Service directory names the generated crate's root already uses: modules (`client`,
/// `common`), re-exports (`runtime`), the extern crate, cargo features (`default`,
/// `full`, `serde`), the client's own methods (`builder`), and Rust keywords, which
/// cannot name a feature.
const RESERVED_SERVICES: &[&str] = &[
    // The module of a service's crate holding its accessor.
    "accessor",
    // The client's own methods, inherent and from the traits it implements.
    "set_app_ticket",
    "clone",
    "clone_from",
    "fmt",
    "eq",
    "ne",
    "hash",
    "into",
    "from",
    "try_into",
    "try_from",
    "borrow",
    "borrow_mut",
    "as_ref",
    "deref",
    "to_owned",
    "to_string",
    "type_id",
    // Modules, re-exports, the runtime crate, features, keywords.
    "client",
    "common",
    "runtime",
    "feishu_runtime",
    "builder",
    "default",
    "full",
    "serde",
    "std",
    "core",
    "alloc",
    "type",
    "self",
    "super",
    "crate",
    "mod",
    "fn",
    "use",
    "impl",
    "let",
    "match",
    "ref",
    "async",
    "await",
    "dyn",
    "move",
    "static",
    "struct",
    "trait",
    "where",
    "loop",
    "while",
    "for",
    "if",
    "else",
    "in",
    "as",
    "break",
    "continue",
    "const",
    "enum",
    "extern",
    "false",
    "true",
    "pub",
    "return",
    "unsafe",
    "box",
    "do",
    "final",
    "macro",
    "override",
    "priv",
    "typeof",
    "unsized",
    "virtual",
    "yield",
    "try",
    "abstract",
    "become",
    "gen",
];

/// `v1`, `v10`: the shape of a version directory, which a service cannot take (its
/// module would hold a module of its own name).
fn is_version_name(name: &str) -> bool {
    name.len() > 1 && name.starts_with('v') && name[1..].chars().all(|c| c.is_ascii_digit())
}

/// `application.v6.app_badge.set` -> `AppBadgeSet`.
pub(crate) fn endpoint_ident(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split('.').collect();
    match parts.as_slice() {
        [_, _, resource, method] => Some(naming::camel(&format!("{resource}_{method}"))),
        _ => None,
    }
}

struct Validator<'a, 's> {
    symbols: &'s Symbols<'a>,
    out: Vec<Diagnostic>,
    file: &'a str,
    /// The module of `file`.
    module: Option<ModPath>,
    /// Which service crates name which others' types.
    graph: crate_graph::CrateGraph<'a>,
    /// "Did you mean" searches left: each compares a name with every known one, so a
    /// file full of unknown names gets the first hundred and a plain hint after that.
    hint_searches: usize,
    /// Whether the fields being checked are a multipart body's (where `file` belongs).
    in_form: bool,
}

impl<'a> Validator<'a, '_> {
    /// An event: outside common/, with a type that is unique and spelled as the
    /// platform spells them (its payload and reply are checked as named types).
    fn event(
        &mut self,
        event: &'a EventDef,
        module: Option<&ModPath>,
        seen: &mut BTreeMap<&'a str, (&'a str, Pos)>,
    ) {
        let pos = Pos::of(&event.event_type);
        if module == Some(&ModPath::Common) {
            self.err(pos, "events cannot live in schema/common/")
                .hint("move the file to the service that sends it, schema/<service>/<version>/");
            return;
        }
        if let Some(d) = &event.deadline_ms
            && !(100..=600_000).contains(&d.value)
        {
            self.err(Pos::of(d), format!("deadline_ms {} is out of range", d.value))
                .hint("give the platform's answer deadline in milliseconds, between 100 and 600000 (e.g. 10000 for the quick-approval callback)");
        }
        let ty = event.event_type.value.as_str();
        let well_formed = !ty.is_empty()
            && ty.len() <= 128
            && ty.split('.').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            });
        if !well_formed {
            self.err(pos, format!("event type `{}` is not a dotted lowercase name", ty.escape_debug()))
                .hint("write it as the platform sends it, e.g. `application.application.feedback.created_v6`");
        } else if let Some((f, p)) = seen.get(ty) {
            self.err(pos, format!("duplicate event type `{ty}`"))
                .hint(format!(
                    "first defined at {f}:{}:{}; each type is described once",
                    p.line, p.column
                ));
        } else {
            seen.insert(ty, (self.file, pos));
        }
    }

    fn err(&mut self, pos: Pos, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic::new(self.file, pos, message));
        self.out.last_mut().expect("just pushed")
    }

    /// Type and enum names: unique, also after case conversion, and usable in Rust.
    fn check_names(&mut self, files: &'a [LoadedFile]) {
        let mut seen: BTreeMap<String, (&str, &str, Pos)> = BTreeMap::new();
        for file in files {
            self.file = &file.path;
            let names = file.schema.types.iter().map(|t| &t.name);
            let names = names.chain(file.schema.enums.iter().map(|e| &e.name));
            for name in names {
                let pos = Pos::of(name);
                if !self.identifier(name, "type name") {
                    continue;
                }
                let at_root = ModPath::of_file(&file.path) == Some(ModPath::Common);
                let ident = naming::type_ident(&name.value, at_root);
                if ident.ends_with("Api") {
                    self.err(
                        pos,
                        format!(
                            "type name `{}` is reserved for the generated client",
                            name.value
                        ),
                    )
                    .hint("choose another name (the client's accessors are named `…Api`)");
                    continue;
                }
                match seen.get(&ident) {
                    Some((f, first, p)) if *first == name.value => {
                        let msg = format!("duplicate type name `{}`", name.value);
                        let hint = format!(
                            "first defined at {f}:{}:{}; names are global across the schema",
                            p.line, p.column
                        );
                        self.err(pos, msg).hint(hint);
                    }
                    Some((f, first, p)) => {
                        let msg = format!(
                            "type name `{}` becomes `{ident}` in Rust, like `{first}`",
                            name.value
                        );
                        let hint = format!(
                            "`{first}` is at {f}:{}:{}; rename one of them",
                            p.line, p.column
                        );
                        self.err(pos, msg).hint(hint);
                    }
                    None => {
                        seen.insert(ident, (&file.path, &name.value, pos));
                    }
                }
            }
        }
    }

    /// Whether `name` can become a Rust identifier; reports it when not.
    fn identifier(&mut self, name: &Spanned<String>, what: &str) -> bool {
        let ok = name
            .value
            .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .value
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !ok {
            self.err(
                Pos::of(name),
                format!("{what} `{}` is not an identifier", name.value),
            )
            .hint("use ASCII letters, digits and `_`, starting with a letter");
            return false;
        }
        if naming::is_unusable(&name.value) {
            self.err(
                Pos::of(name),
                format!(
                    "{what} `{}` cannot be a Rust identifier, not even a raw one",
                    name.value
                ),
            )
            .hint("`self`, `Self`, `super` and `crate` are reserved by Rust; choose another name");
            return false;
        }
        true
    }

    fn endpoint(&mut self, ep: &'a Endpoint, module: Option<&ModPath>, common: &[&ErrorDef]) {
        let id_pos = Pos::of(&ep.id);
        let parts: Vec<&str> = ep.id.value.split('.').collect();
        let snake_ok = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        if parts.len() != 4 || !parts.iter().all(|p| snake_ok(p)) {
            self.err(
                id_pos,
                format!(
                    "endpoint id `{}` is not `service.version.resource.method`",
                    ep.id.value
                ),
            )
            .hint("use four snake_case parts, e.g. `application.v6.app_badge.set`");
        } else if let Some(ModPath::Service { service, version }) = module {
            if parts[0] != service || parts[1] != version {
                self.err(
                    id_pos,
                    format!(
                        "endpoint id `{}` does not match its directory {service}/{version}",
                        ep.id.value
                    ),
                )
                .hint(format!(
                    "start the id with `{service}.{version}.` or move the file"
                ));
            } else if naming::is_unusable(parts[3]) || naming::is_unusable(parts[2]) {
                self.err(
                    id_pos,
                    "resource or method name cannot be a Rust identifier",
                )
                .hint("`self`, `super` and `crate` are reserved by Rust; choose another name");
            }
        }
        self.path(ep);
        let rate = &ep.rate_limit.value;
        let rate_ok = rate == "special"
            || rate.split_once('/').is_some_and(|(n, unit)| {
                n.parse::<u32>().is_ok_and(|n| n > 0)
                    && ["second", "minute", "hour"].contains(&unit)
            });
        if !rate_ok {
            self.err(
                Pos::of(&ep.rate_limit),
                format!("rate_limit `{rate}` is not understood"),
            )
            .hint("write `N/second`, `N/minute`, `N/hour` or `special` (特殊频控)");
        }
        match (&ep.token_role, ep.tokens.is_empty()) {
            (None, true) => {
                self.err(id_pos, "endpoint accepts no token kind")
                    .hint("list the accepted kinds, e.g. `tokens: [tenant]`; only token endpoints (with `token_role`) take none");
            }
            (Some(role), false) => {
                self.err(
                    Pos::of(role),
                    "a token endpoint cannot itself require a token",
                )
                .hint("set `tokens: []` on endpoints with a `token_role`");
            }
            _ => {}
        }

        // Every parameter becomes a field of one request builder: names must be unique.
        let body_fields = ep
            .body
            .as_ref()
            .and_then(|b| b.value.fields.as_deref())
            .unwrap_or(&[]);
        let params: Vec<&'a Field> = ep
            .path_params
            .iter()
            .chain(&ep.query)
            .chain(body_fields)
            .collect();
        // URL parameters and body fields are each unique; a body field may share a URL
        // parameter's name (its builder setter is then `body_<name>`), but not the
        // name that rule gives it.
        let url: Vec<&Field> = ep.path_params.iter().chain(&ep.query).collect();
        self.unique_fields(&url);
        self.unique_fields(&body_fields.iter().collect::<Vec<_>>());
        for b in body_fields {
            let renamed = format!("body_{}", naming::bare(&naming::snake(&b.name.value)));
            let shares = url
                .iter()
                .any(|u| naming::snake(&u.name.value) == naming::snake(&b.name.value));
            let taken = params
                .iter()
                .find(|u| shares && naming::snake(&u.name.value) == renamed);
            if let Some(u) = taken {
                let p = Pos::of(&u.name);
                self.err(
                    Pos::of(&b.name),
                    format!("body field `{}` shares a URL parameter's name, and the setter it would get, `{renamed}`, is taken too", b.name.value),
                )
                .hint(format!("the parameter `{}` is at line {}, column {}; rename one of them", u.name.value, p.line, p.column));
            }
        }
        for p in ep.path_params.iter().chain(&ep.query) {
            if p.secret {
                self.err(
                    Pos::of(&p.name),
                    format!(
                        "`{}` cannot be secret: it travels in the URL, which is logged",
                        p.name.value
                    ),
                )
                .hint("secrets belong in the body");
            }
        }
        for p in &ep.path_params {
            if !self.url_value(&p.ty.value) {
                self.err(
                    Pos::of(&p.ty),
                    format!(
                        "path parameter `{}` must be a string, number, bool or enum: it is one URL segment",
                        p.name.value
                    ),
                )
                .hint("use a string, number, bool or enum type");
            }
        }
        for p in &ep.query {
            let repeated =
                p.ty.value == "array" && p.items.as_ref().is_some_and(|i| self.url_value(&i.value));
            if !repeated && !self.url_value(&p.ty.value) {
                self.err(
                    Pos::of(&p.ty),
                    format!(
                        "query parameter `{}` must be a string, number, bool or enum, or an array of those (sent as `?{0}=a&{0}=b`)",
                        p.name.value
                    ),
                )
                .hint("objects and maps cannot travel in the URL; use a body field");
            }
        }
        for p in &ep.path_params {
            if !p.required {
                self.err(
                    Pos::of(&p.name),
                    format!("path parameter `{}` must be required", p.name.value),
                )
                .hint("add `required: true`: the URL cannot be built without it");
            }
        }
        self.fields_checked(&ep.path_params, &params);
        self.fields_checked(&ep.query, &params);
        if let Some(body) = &ep.body {
            if body.value.multipart && body.value.ty.is_some() {
                self.err(Pos::of(body), "a multipart body lists its `fields`")
                    .hint("replace `type:` with the form's fields, `file` for the file parts");
            }
            match (&body.value.ty, &body.value.fields) {
                (Some(ty), None) => {
                    if self.type_ref(ty)
                        && !matches!(
                            self.symbols.get(&ty.value).map(|s| s.kind),
                            Some(SymbolKind::Struct(_))
                        )
                    {
                        self.err(
                            Pos::of(ty),
                            format!("body type `{}` is not a struct type", ty.value),
                        )
                        .hint("a whole-body type must be declared under `types:`");
                    }
                }
                (None, Some(fields)) if body.value.multipart => {
                    for f in fields {
                        let ty = f.ty.value.as_str();
                        if ty != "file" && !self.url_value(ty) {
                            self.err(
                                Pos::of(&f.ty),
                                format!("multipart field `{}` must be a file, a string, number, bool or enum", f.name.value),
                            )
                            .hint("a form carries text fields and files; objects and arrays go in JSON bodies");
                        }
                    }
                    self.in_form = true;
                    self.fields_checked(fields, &params);
                    self.in_form = false;
                }
                (None, Some(fields)) => self.fields_checked(fields, &params),
                _ => {
                    self.err(Pos::of(body), "body needs exactly one of `type` and `fields`")
                        .hint("`type: SomeType` when the body is one named type, `fields: [...]` otherwise");
                }
            }
        }
        if let Some(resp) = &ep.response {
            if resp.envelope == crate::model::Envelope::Binary
                && (!resp.fields.is_empty() || resp.pagination.is_some())
            {
                self.err(
                    Pos::of(&ep.id),
                    "a binary response (a file) has no `fields` or `pagination`",
                )
                .hint("remove them: the call returns the file as a stream, with its name and type");
            }
            self.fields(&resp.fields);
            if let Some(pg) = &resp.pagination {
                self.pagination(&resp.fields, &ep.query, pg);
            }
        }
        self.error_list(&ep.errors, common);
        if let Some(role) = &ep.token_role {
            self.token_contract(ep, role);
        }
    }

    /// The client's token manager calls token endpoints with fixed arguments and reads
    /// fixed response fields; the schema must match.
    fn token_contract(&mut self, ep: &Endpoint, role: &Spanned<TokenRole>) {
        let crate::model::RoleContract {
            args, token_field, ..
        } = role.value.contract();
        let body = ep
            .body
            .as_ref()
            .and_then(|b| b.value.fields.as_deref())
            .unwrap_or(&[]);
        for p in ep
            .path_params
            .iter()
            .chain(&ep.query)
            .chain(body)
            .filter(|p| p.required)
        {
            if !args.contains(&p.name.value.as_str()) {
                self.err(
                    Pos::of(&p.name),
                    format!(
                        "token endpoint parameter `{}` is not one the client can supply",
                        p.name.value
                    ),
                )
                .hint(format!(
                    "a {:?} endpoint's required parameters come from: {}",
                    role.value,
                    args.join(", ")
                ));
            }
        }
        let fields = ep
            .response
            .as_ref()
            .map(|r| r.fields.as_slice())
            .unwrap_or(&[]);
        let has = |name: &str, ty: &str| {
            fields
                .iter()
                .any(|f| f.name.value == name && f.ty.value == ty)
        };
        if let Some(field) = token_field
            && !(has(field, "string") && has("expire", "i64"))
        {
            self.err(
                Pos::of(role),
                format!(
                    "a {:?} endpoint must return `{field}` (string) and `expire` (i64)",
                    role.value
                ),
            )
            .hint("list both under `response.fields`");
        }
    }

    fn path(&mut self, ep: &Endpoint) {
        let pos = Pos::of(&ep.path);
        let path = &ep.path.value;
        if !path.starts_with('/') || path.contains("//") || path.contains(['?', '#', ' ']) {
            self.err(pos, format!("path `{path}` is not an absolute URL path"))
                .hint("write it as in the docs, from the first `/`, without host or query");
        }
        let placeholders: Vec<&str> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix(':'))
            .collect();
        let params: BTreeSet<&str> = ep
            .path_params
            .iter()
            .map(|p| p.name.value.as_str())
            .collect();
        let mut once = BTreeSet::new();
        for ph in &placeholders {
            if !once.insert(*ph) {
                self.err(pos, format!("path placeholder `:{ph}` appears twice"))
                    .hint("each placeholder is one parameter; give the second its own name");
            }
        }
        for ph in &placeholders {
            if !params.contains(ph) {
                self.err(
                    pos,
                    format!("path placeholder `:{ph}` has no path parameter"),
                )
                .hint(format!(
                    "add `{{name: {ph}, type: string, required: true}}` under `path_params`"
                ));
            }
        }
        for p in &ep.path_params {
            if !placeholders.contains(&p.name.value.as_str()) {
                self.err(
                    Pos::of(&p.name),
                    format!(
                        "path parameter `{}` does not appear in the path",
                        p.name.value
                    ),
                )
                .hint(format!(
                    "add `:{}` to the path, or move the parameter to `query`",
                    p.name.value
                ));
            }
        }
    }

    fn pagination(
        &mut self,
        fields: &[Field],
        query: &[Field],
        pg: &Spanned<crate::model::Pagination>,
    ) {
        let pos = Pos::of(pg);
        let find = |name: &str| fields.iter().find(|f| f.name.value == name);
        let checks = [
            (&pg.value.items, "array", "items"),
            (&pg.value.has_more, "bool", "has_more"),
            (&pg.value.token, "string", "token"),
        ];
        for (name, ty, key) in checks {
            match find(name) {
                Some(f) if f.ty.value == ty => {}
                Some(_) => {
                    self.err(
                        pos,
                        format!("pagination `{key}` names `{name}`, which is not of type {ty}"),
                    )
                    .hint(format!("`{key}` must name a response field of type {ty}"));
                }
                None => {
                    self.err(
                        pos,
                        format!("pagination `{key}` names `{name}`, which is not a response field"),
                    )
                    .hint("name one of the fields listed under `response.fields`");
                }
            }
        }
        if !query
            .iter()
            .any(|q| q.name.value == "page_token" && q.ty.value == "string" && !q.required)
        {
            self.err(
                pos,
                "a paginated endpoint needs an optional `page_token` string query parameter",
            )
            .hint("add `{name: page_token, type: string}` under `query` (not required: the first page has none)");
        }
    }

    fn unique_fields(&mut self, fields: &[&Field]) {
        let mut seen: BTreeMap<String, &Field> = BTreeMap::new();
        for f in fields {
            if naming::is_unusable(&f.name.value) {
                continue; // reported by `identifier`
            }
            let ident = naming::snake(&f.name.value);
            if let Some(first) = seen.get(&ident) {
                let p = Pos::of(&first.name);
                let msg = if first.name.value == f.name.value {
                    format!("duplicate field `{}`", f.name.value)
                } else {
                    format!(
                        "field `{}` becomes `{ident}` in Rust, like `{}`",
                        f.name.value, first.name.value
                    )
                };
                self.err(Pos::of(&f.name), msg).hint(format!(
                    "the other is at line {}, column {}; rename one of them",
                    p.line, p.column
                ));
            } else {
                seen.insert(ident, f);
            }
        }
    }

    /// Fields of a type or response: unique names, then each field, whose
    /// `required_when` may name any other field of the same object.
    fn fields(&mut self, fields: &'a [Field]) {
        let refs: Vec<&Field> = fields.iter().collect();
        self.unique_fields(&refs);
        self.fields_checked(fields, &refs);
    }

    /// Each field, with `siblings` the fields a `required_when` may name.
    fn fields_checked(&mut self, fields: &'a [Field], siblings: &[&'a Field]) {
        for f in fields {
            self.field(f, siblings);
        }
    }

    fn field(&mut self, f: &'a Field, siblings: &[&'a Field]) {
        self.identifier(&f.name, "field name");
        let ty = f.ty.value.as_str();
        match ty {
            "object" => match &f.fields {
                Some(inner) => self.fields(inner),
                None => {
                    self.err(
                        Pos::of(&f.ty),
                        format!("`{}` is an object but has no `fields`", f.name.value),
                    )
                    .hint("list its fields under `fields:`, or reference a named type");
                }
            },
            "array" | "map" => self.items(f, ty),
            "json" => {}
            "file" if self.in_form => {}
            "file" => {
                self.err(
                    Pos::of(&f.ty),
                    format!(
                        "`{}` is a file, and files travel only in a multipart body",
                        f.name.value
                    ),
                )
                .hint("put it under `body:` with `multipart: true`");
            }
            _ => {
                self.type_ref(&f.ty);
            }
        }
        let collection = matches!(ty, "array" | "map");
        if f.items.is_some() && !collection {
            self.err(
                Pos::of(&f.ty),
                format!(
                    "`items` is only allowed on arrays and maps, and `{}` is `{ty}`",
                    f.name.value
                ),
            )
            .hint("remove `items`, or make the field `type: array` or `type: map`");
        }
        if f.fields.is_some()
            && ty != "object"
            && !(collection && f.items.as_ref().is_some_and(|i| i.value == "object"))
        {
            self.err(
                Pos::of(&f.ty),
                format!(
                    "`fields` is only allowed on objects, and `{}` is `{ty}`",
                    f.name.value
                ),
            )
            .hint("remove `fields`, or make the field `type: object`");
        }
        if f.secret && ty != "string" {
            self.err(Pos::of(&f.ty), "only string fields can be `secret`")
                .hint("remove `secret: true`");
        }
        if let Some(r) = &f.range {
            if !matches!(ty, "i32" | "i64") {
                self.err(
                    Pos::of(r),
                    format!(
                        "`range` applies to integers, and `{}` is `{ty}`",
                        f.name.value
                    ),
                )
                .hint("use `length` for strings, or remove the rule");
            }
            self.bounds(r, "range");
            let limits = match ty {
                "i32" => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
                _ => None,
            };
            if let (Some((lo, hi)), b) = (limits, r.value) {
                let out = b.min.is_some_and(|m| m < lo || m > hi)
                    || b.max.is_some_and(|m| m < lo || m > hi);
                if out {
                    self.err(Pos::of(r), "range bound does not fit in i32")
                        .hint("use `type: i64`, or correct the bound");
                }
            }
        }
        if let Some(l) = &f.length {
            if ty != "string" {
                self.err(
                    Pos::of(l),
                    format!(
                        "`length` applies to strings, and `{}` is `{ty}`",
                        f.name.value
                    ),
                )
                .hint("use `range` for numbers, or remove the rule");
            }
            if l.value.min.is_some_and(|m| m < 0) {
                self.err(Pos::of(l), "length cannot be negative")
                    .hint("use a minimum of 0 or more");
            }
            self.bounds(l, "length");
        }
        if let Some(d) = &f.default
            && !self.value_fits(ty, &d.value)
        {
            let hint = self.expected_values(ty);
            self.err(
                Pos::of(d),
                format!("default `{}` is not a valid `{ty}`", d.value),
            )
            .hint(hint);
        }
        if let Some(rw) = &f.required_when {
            if f.required {
                self.err(
                    Pos::of(rw),
                    format!(
                        "`{}` is always required, so `required_when` has no effect",
                        f.name.value
                    ),
                )
                .hint("remove `required: true` or `required_when`");
            }
            match siblings.iter().find(|s| s.name.value == rw.value.field) {
                None => {
                    let names = siblings.iter().map(|s| s.name.value.as_str());
                    let hint = match naming::closest(&rw.value.field, names) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "name a parameter of the same endpoint or a field of the same type"
                            .to_owned(),
                    };
                    self.err(
                        Pos::of(rw),
                        format!("required_when refers to unknown field `{}`", rw.value.field),
                    )
                    .hint(hint);
                }
                Some(other) if !self.comparable(&other.ty.value) => {
                    self.err(
                        Pos::of(rw),
                        format!(
                            "required_when compares `{}`, a `{}`: only strings, integers, bools and enums can be compared",
                            rw.value.field, other.ty.value
                        ),
                    )
                    .hint("make the condition depend on a string, integer, bool or enum field");
                }
                Some(other) => {
                    if !self.value_fits(&other.ty.value, &rw.value.equals) {
                        let hint = self.expected_values(&other.ty.value);
                        let msg = format!(
                            "`{}` is not a valid value of `{}`",
                            rw.value.equals, rw.value.field
                        );
                        self.err(Pos::of(rw), msg).hint(hint);
                    }
                }
            }
        }
    }

    fn bounds(&mut self, b: &Spanned<crate::model::Bounds>, what: &str) {
        match (b.value.min, b.value.max) {
            (Some(lo), Some(hi)) if lo > hi => {
                self.err(
                    Pos::of(b),
                    format!("{what} is inverted: min {lo} is greater than max {hi}"),
                )
                .hint("swap `min` and `max`");
            }
            (None, None) => {
                self.err(Pos::of(b), format!("{what} has neither `min` nor `max`"))
                    .hint("give at least one bound, or remove the rule");
            }
            _ => {}
        }
    }

    /// The element type of an array or map field (`kind` is `array` or `map`).
    fn items(&mut self, f: &'a Field, kind: &str) {
        let Some(items) = &f.items else {
            let what = if kind == "map" { "a map" } else { "an array" };
            self.err(
                Pos::of(&f.ty),
                format!("`{}` is {what} but has no `items`", f.name.value),
            )
            .hint("say what it holds, e.g. `items: string`, `items: SomeType` or `items: array<string>`");
            return;
        };
        let expr = match TypeExpr::parse(&items.value) {
            Ok(expr) => expr,
            Err(problem) => {
                self.err(Pos::of(items), problem).hint(
                    "write a type name, or `array<T>` / `map<T>` around one (e.g. `array<string>`)",
                );
                return;
            }
        };
        if expr == TypeExpr::Name("object") {
            match &f.fields {
                Some(inner) => self.fields(inner),
                None => {
                    self.err(
                        Pos::of(items),
                        format!("`{}` holds objects but has no `fields`", f.name.value),
                    )
                    .hint("list the item fields under `fields:`, or use a named type as `items`");
                }
            }
            return;
        }
        let leaf = expr.leaf();
        if leaf == "file" {
            self.err(Pos::of(items), "files cannot be array or map items")
                .hint("give each file part its own field in a multipart body");
            return;
        }
        if leaf == "timestamp_ms_int" {
            self.err(
                Pos::of(items),
                "`timestamp_ms_int` is only supported as a field",
            )
            .hint("use `timestamp_ms` (read from either form, written as a string) or `i64`");
            return;
        }
        if leaf == "int64_string" && (kind == "map" || !expr.is_name()) {
            self.err(
                Pos::of(items),
                "`int64_string` is only supported as a field or as the items of an array",
            )
            .hint("use `string` (or `i64`) inside maps and nested arrays");
            return;
        }
        self.type_name(Pos::of(items), leaf);
    }

    /// Resolves a type name; reports unknown names with the closest known one.
    fn type_ref(&mut self, ty: &Spanned<String>) -> bool {
        self.type_name(Pos::of(ty), &ty.value)
    }

    fn type_name(&mut self, pos: Pos, name: &str) -> bool {
        if PRIMITIVES.contains(&name) {
            return true;
        }
        if let Some(symbol) = self.symbols.get(name) {
            if let Some(from) = &self.module {
                self.graph.reference(from, &symbol.module, self.file, pos);
            }
            return true;
        }
        let candidates = PRIMITIVES
            .iter()
            .copied()
            .chain(self.symbols.by_name.keys().copied());
        self.hint_searches = self.hint_searches.saturating_sub(1);
        let guess = (self.hint_searches > 0)
            .then(|| naming::closest(name, candidates))
            .flatten();
        let hint = match guess {
            Some(c) => format!("did you mean `{c}`?"),
            None => format!(
                "use a built-in type ({}) or a name declared under `types:` or `enums:`",
                PRIMITIVES.join(", ")
            ),
        };
        self.err(pos, format!("unknown type `{name}`")).hint(hint);
        false
    }

    /// Whether a `required_when` condition can compare a value of type `ty`.
    fn comparable(&self, ty: &str) -> bool {
        matches!(ty, "string" | "bool" | "i32" | "i64" | "int64_string")
            || matches!(
                self.symbols.get(ty).map(|s| s.kind),
                Some(SymbolKind::Enum(_))
            )
    }

    /// Whether a value of type `ty` can be written in a URL: a scalar or an enum.
    fn url_value(&self, ty: &str) -> bool {
        matches!(
            ty,
            "string"
                | "bool"
                | "i32"
                | "i64"
                | "f64"
                | "int64_string"
                | "timestamp_ms"
                | "timestamp_ms_int"
        ) || matches!(
            self.symbols.get(ty).map(|s| s.kind),
            Some(SymbolKind::Enum(_))
        )
    }

    fn value_fits(&self, ty: &str, v: &Value) -> bool {
        match ty {
            "string" => v.is_string(),
            "int64_string" => v.is_string() || v.is_i64(),
            "timestamp_ms" | "timestamp_ms_int" => {
                v.is_i64() || v.as_str().is_some_and(|s| s.parse::<i64>().is_ok())
            }
            "bool" => v.is_boolean(),
            "i32" => v.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
            "i64" => v.is_i64(),
            "f64" => v.is_number(),
            other => match self.symbols.get(other).map(|s| s.kind) {
                Some(SymbolKind::Enum(e)) => e.values.iter().any(|ev| ev.value.value == *v),
                _ => false,
            },
        }
    }

    fn expected_values(&self, ty: &str) -> String {
        match self.symbols.get(ty).map(|s| s.kind) {
            Some(SymbolKind::Enum(e)) => {
                let vals: Vec<String> =
                    e.values.iter().map(|v| v.value.value.to_string()).collect();
                format!("use one of the wire values of `{ty}`: {}", vals.join(", "))
            }
            Some(SymbolKind::Struct(_)) => {
                "object fields cannot have defaults or be compared".to_owned()
            }
            None => format!("give a value of type `{ty}`"),
        }
    }

    fn enum_def(&mut self, e: &EnumDef) {
        if e.values.is_empty() {
            self.err(
                Pos::of(&e.name),
                format!("enum `{}` has no values", e.name.value),
            )
            .hint("list its values under `values:`");
        }
        let mut values: BTreeMap<String, Pos> = BTreeMap::new();
        let mut idents: BTreeMap<String, (&str, Pos)> = BTreeMap::new();
        for v in &e.values {
            let pos = Pos::of(&v.value);
            let fits = match e.wire {
                Wire::Int => v.value.value.is_i64(),
                Wire::String => v.value.value.as_str().is_some_and(|s| !s.is_empty()),
            };
            if !fits {
                let want = if e.wire == Wire::Int {
                    "an integer"
                } else {
                    "a non-empty string"
                };
                self.err(
                    pos,
                    format!(
                        "value `{}` of enum `{}` is not {want}",
                        v.value.value, e.name.value
                    ),
                )
                .hint("`wire` says how values travel; quote string values that look like numbers");
            }
            let key = v.value.value.to_string();
            if let Some(first) = values.get(&key) {
                self.err(
                    pos,
                    format!("duplicate value {key} in enum `{}`", e.name.value),
                )
                .hint(format!(
                    "first listed at line {}, column {}",
                    first.line, first.column
                ));
            } else {
                values.insert(key, pos);
            }
            if !self.identifier(&v.name, "enum value name") {
                continue;
            }
            let ident = naming::camel(&v.name.value);
            if ident == "Unknown" {
                self.err(Pos::of(&v.name), "enum value name `unknown` is reserved")
                    .hint("every enum gets an `Unknown(..)` variant for values the schema does not list; name this one e.g. `unknown_status`");
            } else if let Some((first, p)) = idents.get(&ident) {
                self.err(
                    Pos::of(&v.name),
                    format!(
                        "enum value name `{}` becomes `{ident}` in Rust, like `{first}`",
                        v.name.value
                    ),
                )
                .hint(format!(
                    "`{first}` is at line {}, column {}; rename one of them",
                    p.line, p.column
                ));
            } else {
                idents.insert(ident, (&v.name.value, Pos::of(&v.name)));
            }
        }
    }

    /// Error codes of one endpoint (or the common list): unique codes and names,
    /// including against the common codes every endpoint also gets.
    fn error_list(&mut self, errors: &[ErrorDef], common: &[&ErrorDef]) {
        let mut codes: BTreeMap<i64, String> = common
            .iter()
            .map(|e| (e.code.value, "a common error code".to_owned()))
            .collect();
        let mut idents: BTreeMap<String, String> = common
            .iter()
            .map(|e| {
                (
                    naming::camel(&e.name.value),
                    "a common error code".to_owned(),
                )
            })
            .collect();
        for e in errors {
            let pos = Pos::of(&e.code);
            if e.code.value == 0 {
                self.err(pos, "error code 0 means success")
                    .hint("remove this entry");
            }
            if !(100..=599).contains(&e.http) {
                self.err(pos, format!("HTTP status {} is not a valid status", e.http))
                    .hint("use the status from the docs' error table, e.g. 400");
            }
            if let Some(first) = codes.get(&e.code.value) {
                self.err(pos, format!("duplicate error code {}", e.code.value))
                    .hint(format!("already listed as {first}"));
            } else {
                codes.insert(e.code.value, format!("`{}`", e.name.value));
            }
            if !self.identifier(&e.name, "error name") {
                continue;
            }
            let ident = naming::camel(&e.name.value);
            if ident == "Unknown" {
                self.err(Pos::of(&e.name), "error name `unknown` is reserved")
                    .hint("undocumented codes arrive as `Unknown(code)`; choose another name");
            } else if let Some(first) = idents.get(&ident) {
                self.err(
                    Pos::of(&e.name),
                    format!(
                        "error name `{}` becomes `{ident}` in Rust, like {first}",
                        e.name.value
                    ),
                )
                .hint("give each code a distinct name");
            } else {
                idents.insert(ident, format!("`{}`", e.name.value));
            }
        }
    }
}
