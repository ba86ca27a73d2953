//! Stage 3, lower: the validated schema becomes the IR. Every Rust name is decided here
//! and only here; everything is ordered by path, then by position in the file, so the
//! output never depends on hash order or on the order files were found.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use crate::ir::{
    About, Api, Body, Direction, Endpoint, Enum, ErrorCode, EventAbout, FieldIr, Location, Module,
    NamedKind, PageField, Pagination, Param, RequiredWhen, Rules, Sample, Struct, TokenEndpoint,
    Ty, Variant,
};
use crate::load::LoadedFile;
use crate::model::{self, ErrorDef, Field};
use crate::naming::{self, camel, snake};
use crate::symbols::{ModPath, SymbolKind, Symbols};
use crate::type_expr::TypeExpr;

/// Lowers a schema that passed validation.
pub fn lower(files: &[LoadedFile]) -> Api {
    let symbols = Symbols::build(files);
    let validating = validating_types(&symbols);
    let reach = by_value_reach(&symbols);
    let cx = Cx {
        symbols: &symbols,
        validating: &validating,
        reach: &reach,
        owner: Cell::new(None),
        scope: RefCell::new(Scope::seeded(files, &symbols)),
    };

    let mut modules: BTreeMap<ModPath, Module> = BTreeMap::new();
    let mut common_errors = Vec::new();
    let mut token_endpoints = Vec::new();
    let mut sources: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    sources.sort();

    for file in files {
        let Some(path) = ModPath::of_file(&file.path) else {
            continue;
        };
        let module = modules.entry(path.clone()).or_insert_with(|| Module {
            path: path.clone(),
            sources: Vec::new(),
            type_sources: Vec::new(),
            structs: Vec::new(),
            enums: Vec::new(),
            endpoints: Vec::new(),
        });
        module.sources.push(file.path.clone());
        cx.scope.borrow_mut().module = Some(path.clone());
        if !file.schema.types.is_empty() || !file.schema.enums.is_empty() {
            module.type_sources.push(file.path.clone());
        }
        for t in &file.schema.types {
            let ident = naming::type_ident(&t.name.value, path == ModPath::Common);
            let mut extra = Vec::new();
            cx.owner.set(Some(t.name.value.as_str()));
            let fields = cx.fields(&t.fields, &ident, &mut extra);
            cx.owner.set(None);
            let required_args: Vec<FieldIr> =
                fields.iter().filter(|f| f.required).cloned().collect();
            let required = cx.required_struct(&ident, required_args, &mut extra);
            module.structs.push(Struct {
                validates: validating.contains(t.name.value.as_str()),
                about: about(file, t, path == ModPath::Common),
                ident,
                fields,
                direction: Direction::Both,
                required,
            });
            module.structs.extend(extra);
        }
        for e in &file.schema.enums {
            module.enums.push(Enum {
                ident: naming::type_ident(&e.name.value, path == ModPath::Common),
                name: e.name.value.clone(),
                description: e.description.clone(),
                wire: e.wire,
                variants: e
                    .values
                    .iter()
                    .map(|v| Variant {
                        ident: camel(&v.name.value),
                        value: v.value.value.clone(),
                        label: v.label.clone(),
                    })
                    .collect(),
            });
        }
        common_errors.extend(file.schema.errors.iter().map(error_code));
        if let Some(ep) = &file.schema.endpoint {
            let endpoint = cx.endpoint(ep, &file.path);
            if let Some(role) = &ep.token_role {
                let token_field = role.value.contract().token_field;
                token_endpoints.push(TokenEndpoint {
                    role: role.value,
                    source: file.path.clone(),
                    module: path.clone(),
                    ident: endpoint.ident.clone(),
                    args: endpoint
                        .params
                        .iter()
                        .filter(|p| p.field.required)
                        .map(|p| p.field.wire.clone())
                        .collect(),
                    token_field: token_field.map(str::to_owned),
                    required: endpoint.required.clone(),
                });
            }
            module.endpoints.push(endpoint);
        }
    }
    common_errors.sort_by_key(|e| e.code);
    token_endpoints.sort_by_key(|t| t.role);
    for m in modules.values_mut() {
        m.structs.sort_by(|a, b| a.ident.cmp(&b.ident));
        m.enums.sort_by(|a, b| a.ident.cmp(&b.ident));
        m.endpoints.sort_by(|a, b| a.ident.cmp(&b.ident));
    }
    let mut samples = BTreeMap::new();
    for m in modules.values() {
        for e in &m.enums {
            if !e.variants.is_empty() {
                let variants = e
                    .variants
                    .iter()
                    .map(|v| (v.value.clone(), v.ident.clone()));
                let sample = Sample::Variants(variants.collect());
                samples.insert((m.path.clone(), e.ident.clone()), sample);
            }
        }
        for s in &m.structs {
            if s.direction == Direction::Both && !s.has_required() {
                samples.insert((m.path.clone(), s.ident.clone()), Sample::Default);
            }
        }
    }
    Api {
        modules: modules.into_values().collect(),
        common_errors,
        token_endpoints,
        sources,
        samples,
    }
}

/// Named struct types that need a `Validate` impl: those with a rule on a field, and
/// those holding (directly or through arrays) a type that needs one.
fn validating_types<'a>(symbols: &Symbols<'a>) -> BTreeSet<&'a str> {
    let mut set = BTreeSet::new();
    loop {
        let before = set.len();
        for (name, sym) in &symbols.by_name {
            let SymbolKind::Struct(t) = sym.kind else {
                continue;
            };
            if t.fields.iter().any(|f| field_validates(f, &set)) {
                set.insert(*name);
            }
        }
        if set.len() == before {
            return set;
        }
    }
}

fn field_validates(f: &Field, named: &BTreeSet<&str>) -> bool {
    let own = f.range.is_some() || f.length.is_some() || f.required_when.is_some();
    let inner = f
        .fields
        .as_ref()
        .is_some_and(|fs| fs.iter().any(|g| field_validates(g, named)));
    let items = f.items.as_ref().map(|i| {
        TypeExpr::parse(&i.value)
            .map(|e| e.leaf())
            .unwrap_or_default()
    });
    let referenced = [Some(f.ty.value.as_str()), items]
        .into_iter()
        .flatten()
        .any(|t| named.contains(t));
    own || inner || referenced
}

/// For each named struct type, the struct types it holds by value (not inside an array
/// or map), directly or through inline objects and other types, transitively.
fn by_value_reach<'a>(symbols: &Symbols<'a>) -> BTreeMap<&'a str, BTreeSet<&'a str>> {
    fn refs<'a>(fields: &'a [Field], symbols: &Symbols<'a>, out: &mut BTreeSet<&'a str>) {
        for f in fields {
            match (f.ty.value.as_str(), &f.fields) {
                ("object", Some(inner)) => refs(inner, symbols, out),
                (name, _) => {
                    if let Some(SymbolKind::Struct(_)) = symbols.get(name).map(|s| s.kind) {
                        out.insert(name);
                    }
                }
            }
        }
    }
    let mut edges: BTreeMap<&'a str, BTreeSet<&'a str>> = BTreeMap::new();
    for (name, sym) in &symbols.by_name {
        if let SymbolKind::Struct(t) = sym.kind {
            refs(&t.fields, symbols, edges.entry(*name).or_default());
        }
    }
    let mut reach = BTreeMap::new();
    for start in edges.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![*start];
        while let Some(at) = stack.pop() {
            for next in edges.get(at).into_iter().flatten() {
                if seen.insert(*next) {
                    stack.push(next);
                }
            }
        }
        reach.insert(*start, seen);
    }
    reach
}

struct Cx<'s, 'a> {
    symbols: &'s Symbols<'a>,
    validating: &'s BTreeSet<&'a str>,
    reach: &'s BTreeMap<&'a str, BTreeSet<&'a str>>,
    /// The named type whose fields (and inline objects) are being lowered.
    owner: Cell<Option<&'a str>>,
    /// The type names each module has given out.
    scope: RefCell<Scope>,
}

/// Every type name in a module, so a generated name (builder, body, response, error
/// enum, inline object) never takes one that is already there. Named types and the
/// resource accessors (`…Api`) are there first; generated names are claimed in file
/// order (sorted by path), so the outcome never depends on how files were found.
struct Scope {
    module: Option<ModPath>,
    taken: BTreeMap<ModPath, BTreeSet<String>>,
}

impl Scope {
    fn seeded(files: &[LoadedFile], symbols: &Symbols<'_>) -> Scope {
        let mut taken: BTreeMap<ModPath, BTreeSet<String>> = BTreeMap::new();
        for (name, sym) in &symbols.by_name {
            let ident = naming::type_ident(name, sym.module == ModPath::Common);
            taken.entry(sym.module.clone()).or_default().insert(ident);
        }
        // The crate root's own items, and each version's accessor (`V1Api`).
        let root = taken.entry(ModPath::Common).or_default();
        root.extend(naming::ROOT.iter().map(|s| (*s).to_owned()));
        for file in files {
            if let Some(path @ ModPath::Service { .. }) = ModPath::of_file(&file.path) {
                let ModPath::Service { version, .. } = &path else {
                    continue;
                };
                let api = format!("{}Api", camel(version));
                taken.entry(path.clone()).or_default().insert(api);
            }
        }
        for file in files {
            let (Some(path), Some(ep)) = (ModPath::of_file(&file.path), &file.schema.endpoint)
            else {
                continue;
            };
            if let Some(resource) = ep.id.value.split('.').nth(2) {
                let api = format!("{}Api", camel(resource));
                taken.entry(path).or_default().insert(api);
            }
        }
        Scope {
            module: None,
            taken,
        }
    }

    /// `base` if it is free in the current module, else `base` + `suffix` (when given),
    /// else `base2`, `base3`, ...
    fn claim(&mut self, base: &str, suffix: &str) -> String {
        let module = self.module.clone().expect("claims happen inside a module");
        let taken = self.taken.entry(module).or_default();
        let alternatives = (!suffix.is_empty())
            .then(|| format!("{base}{suffix}"))
            .into_iter()
            .chain((2..).map(|n| format!("{base}{n}")));
        let name = std::iter::once(base.to_owned())
            .chain(alternatives)
            .find(|n| !taken.contains(n))
            .expect("an unbounded sequence has a free name");
        taken.insert(name.clone());
        name
    }
}

impl Cx<'_, '_> {
    /// A constructor taking more than three required arguments, or two of one type side
    /// by side, takes them as a struct with named fields instead, so they cannot be
    /// swapped silently (`start_time` for `end_time`). Returns its name, and adds it to
    /// `out`.
    fn required_struct(
        &self,
        owner: &str,
        args: Vec<FieldIr>,
        out: &mut Vec<Struct>,
    ) -> Option<String> {
        let class = |f: &FieldIr| match &f.ty {
            Ty::String | Ty::Int64String => "string".to_owned(),
            other => format!("{other:?}"),
        };
        let adjacent_alike = args.windows(2).any(|w| class(&w[0]) == class(&w[1]));
        if args.len() <= 3 && !adjacent_alike {
            return None;
        }
        let ident = self
            .scope
            .borrow_mut()
            .claim(&format!("{owner}Required"), "");
        let fields = args
            .into_iter()
            .map(|mut f| {
                // Named like the constructor arguments they replace; held plainly (the
                // constructor boxes what it has to).
                f.ident = f.setter.clone();
                f.boxed = false;
                f.rules = Rules::default();
                f
            })
            .collect();
        out.push(Struct {
            ident: ident.clone(),
            about: About::Required {
                of: owner.to_owned(),
            },
            fields,
            validates: false,
            direction: Direction::Required,
            required: None,
        });
        Some(ident)
    }
}

/// Settles the names of one impl's setters (optional fields: methods beside the impl's
/// own `reserved` ones) and constructor arguments (required fields: among themselves).
/// An optional field named like a reserved method is set with `set_<name>`; a name
/// already given (`set_new` beside a field `set_new`) gets `_2`, `_3`, ... in field
/// order. Each field's `setter` comes in as its wanted name.
fn setter_names<'f>(fields: impl Iterator<Item = &'f mut FieldIr>, reserved: &[&str]) {
    let mut setters: BTreeSet<String> = reserved.iter().map(|s| (*s).to_owned()).collect();
    let mut args = BTreeSet::new();
    for f in fields {
        let bare = naming::bare(&f.setter).to_owned();
        let wanted = if !f.required && reserved.contains(&bare.as_str()) {
            format!("set_{bare}")
        } else {
            f.setter.clone()
        };
        let taken = if f.required { &mut args } else { &mut setters };
        let name = std::iter::once(wanted.clone())
            .chain((2..).map(|n| format!("{}_{n}", naming::bare(&wanted))))
            .find(|n| !taken.contains(naming::bare(n)))
            .expect("an unbounded sequence has a free name");
        taken.insert(naming::bare(&name).to_owned());
        f.setter = name;
    }
}

/// A struct's own method: a setter by this name is renamed `set_…`.
const STRUCT_METHODS: &[&str] = &["new"];

/// The builder's own methods: a setter by one of these names is renamed `set_…`.
const BUILDER_METHODS: &[&str] = &["new", "send", "options", "stream", "validate"];

impl Cx<'_, '_> {
    fn endpoint(&self, ep: &model::Endpoint, source: &str) -> Endpoint {
        let parts: Vec<&str> = ep.id.value.split('.').collect();
        let (resource, method) = (parts[2], parts[3]);
        let ident = self
            .scope
            .borrow_mut()
            .claim(&camel(&format!("{resource}_{method}")), "Request");
        let mut own = Vec::new();
        let mut params = Vec::new();
        let locations = [
            (&ep.path_params, Location::Path),
            (&ep.query, Location::Query),
        ];
        for (fields, location) in locations {
            for field in self.fields(fields, &ident, &mut own) {
                params.push(Param { field, location });
            }
        }
        let body = match ep.body.as_ref().map(|b| &b.value) {
            Some(model::Body {
                fields: Some(fields),
                multipart: true,
                ..
            }) => {
                for field in self.fields(fields, &ident, &mut own) {
                    params.push(Param {
                        field,
                        location: Location::Form,
                    });
                }
                Body::Multipart
            }
            Some(model::Body {
                fields: Some(fields),
                ..
            }) => {
                let body_ident = self.scope.borrow_mut().claim(&format!("{ident}Body"), "");
                let lowered = self.fields(fields, &body_ident, &mut own);
                for field in &lowered {
                    params.push(Param {
                        field: field.clone(),
                        location: Location::Body,
                    });
                }
                own.push(Struct {
                    validates: false,
                    ident: body_ident.clone(),
                    about: About::Body { of: ident.clone() },
                    fields: lowered,
                    direction: Direction::Request,
                    required: None,
                });
                Body::Fields(body_ident)
            }
            Some(model::Body { ty: Some(ty), .. }) => {
                // The whole body is a constructor argument beside the parameters.
                let mut arg = snake(&ty.value);
                if params.iter().any(|p: &Param| p.field.setter == arg) {
                    arg = format!("{}_body", naming::bare(&arg));
                }
                Body::Whole {
                    arg,
                    ty: self.ty(&ty.value, None, "", &mut own),
                }
            }
            _ => Body::None,
        };
        // Builder-facing names: a body field sharing a URL parameter's name is set by
        // `body_<name>`; an optional one named like a builder method by `set_<name>`.
        let url: BTreeSet<String> = params
            .iter()
            .filter(|p| p.location != Location::Body)
            .map(|p| p.field.ident.clone())
            .collect();
        for p in &mut params {
            let f = &mut p.field;
            f.setter = if p.location == Location::Body && url.contains(&f.ident) {
                format!("body_{}", naming::bare(&f.ident))
            } else {
                f.ident.clone()
            };
        }
        setter_names(params.iter_mut().map(|p| &mut p.field), BUILDER_METHODS);
        // Placeholders are filled in the order the path has them.
        let position = |p: &Param| {
            ep.path
                .value
                .split('/')
                .position(|s| s.strip_prefix(':') == Some(p.field.wire.as_str()))
        };
        params.sort_by_key(|p| (p.location != Location::Path, position(p)));
        let response = ep
            .response
            .as_ref()
            .filter(|r| !r.fields.is_empty())
            .map(|r| {
                let resp_ident = self
                    .scope
                    .borrow_mut()
                    .claim(&format!("{ident}Response"), "");
                let fields = self.fields(&r.fields, &resp_ident, &mut own);
                own.push(Struct {
                    validates: false,
                    ident: resp_ident.clone(),
                    about: About::Response { of: ident.clone() },
                    fields,
                    direction: Direction::Response,
                    required: None,
                });
                resp_ident
            });
        let pagination = ep
            .response
            .as_ref()
            .and_then(|r| r.pagination.as_ref())
            .map(|p| {
                let resp = own
                    .iter()
                    .find(|s| Some(&s.ident) == response.as_ref())
                    .expect("response struct");
                let find = |wire: &str| {
                    resp.fields
                        .iter()
                        .find(|f| f.wire == wire)
                        .expect("validated field")
                };
                let page_field = |f: &FieldIr| PageField {
                    ident: f.ident.clone(),
                    required: f.required,
                };
                let items = find(&p.value.items);
                let Ty::Array(item_ty) = &items.ty else {
                    unreachable!("validated as array")
                };
                Pagination {
                    items: page_field(items),
                    item_ty: (**item_ty).clone(),
                    has_more: page_field(find(&p.value.has_more)),
                    token: page_field(find(&p.value.token)),
                }
            });
        let mut required_args: Vec<FieldIr> = params
            .iter()
            .map(|p| p.field.clone())
            .filter(|f| f.required)
            .collect();
        if let Body::Whole { arg, ty } = &body {
            required_args.push(FieldIr {
                boxed: false,
                setter: arg.clone(),
                wire: String::new(),
                ident: arg.clone(),
                ty: ty.clone(),
                required: true,
                secret: false,
                description: "The request body.".to_owned(),
                default: None,
                example: None,
                rules: Rules::default(),
            });
        }
        let required = self.required_struct(&ident, required_args, &mut own);
        let mut errors: Vec<ErrorCode> = ep.errors.iter().map(error_code).collect();
        errors.sort_by_key(|e| e.code);
        let validates = params.iter().any(|p| {
            let f = &p.field;
            f.rules.range.is_some()
                || f.rules.length.is_some()
                || f.rules.required_when.is_some()
                || f.ty.validates()
        }) || matches!(&body, Body::Whole { ty, .. } if ty.validates());
        Endpoint {
            id: ep.id.value.clone(),
            resource: snake(resource),
            method_ident: snake(method),
            error_ident: self.scope.borrow_mut().claim(&format!("{ident}Error"), ""),
            required,
            ident,
            summary: ep.summary.clone(),
            summary_en: ep.summary_en.clone(),
            description: ep.description.trim().to_owned(),
            doc_url: ep.doc_url.clone(),
            source: source.to_owned(),
            method: ep.method,
            host: ep.host,
            path: ep.path.value.clone(),
            tokens: ep.tokens.clone(),
            rate_limit: ep.rate_limit.value.clone(),
            app_types: ep.app_types.iter().map(|a| app_type(*a)).collect(),
            scopes: ep.scopes.clone(),
            field_scopes: ep.field_scopes.clone(),
            idempotent: ep.idempotent,
            envelope: ep.response.as_ref().map(|r| r.envelope).unwrap_or_default(),
            params,
            body,
            own_structs: own,
            response,
            pagination,
            errors,
            validates,
        }
    }

    /// Lowers the fields of a struct called `parent`; inline objects become extra
    /// structs named `{parent}{Field}` pushed to `extra`.
    fn fields(&self, fields: &[Field], parent: &str, extra: &mut Vec<Struct>) -> Vec<FieldIr> {
        let mut lowered: Vec<FieldIr> = fields
            .iter()
            .map(|f| {
                let ident = snake(&f.name.value);
                let inline_base = format!("{parent}{}", camel(naming::bare(&ident)));
                let inline = || self.scope.borrow_mut().claim(&inline_base, "");
                let ty = match f.ty.value.as_str() {
                    kind @ ("array" | "map") => {
                        let items = f.items.as_ref().expect("validated");
                        let expr = TypeExpr::parse(&items.value).expect("validated");
                        let inline_name = if expr == TypeExpr::Name("object") {
                            inline()
                        } else {
                            String::new()
                        };
                        let inner = self.items(&expr, f.fields.as_deref(), &inline_name, extra);
                        match kind {
                            "map" => Ty::Map(Box::new(inner)),
                            _ => Ty::Array(Box::new(inner)),
                        }
                    }
                    other => {
                        let inline_name = if other == "object" {
                            inline()
                        } else {
                            String::new()
                        };
                        self.ty(other, f.fields.as_deref(), &inline_name, extra)
                    }
                };
                let rules = Rules {
                    range: f.range.as_ref().map(|r| (r.value.min, r.value.max)),
                    length: f.length.as_ref().map(|r| (r.value.min, r.value.max)),
                    required_when: f.required_when.as_ref().map(|rw| RequiredWhen {
                        field: snake(&rw.value.field),
                        wire_field: rw.value.field.clone(),
                        equals: rw.value.equals.clone(),
                    }),
                };
                // A field that holds, by value, a type that holds the owner again would
                // make the struct infinitely large: it is boxed.
                let boxed = self.owner.get().is_some_and(|owner| {
                    let target = f.ty.value.as_str();
                    self.reach
                        .get(target)
                        .is_some_and(|r| target == owner || r.contains(owner))
                });
                FieldIr {
                    // Decided with its siblings: see `setter_names`.
                    setter: ident.clone(),
                    boxed,
                    wire: f.name.value.clone(),
                    ident,
                    ty,
                    required: f.required,
                    secret: f.secret,
                    description: f.description.clone(),
                    default: f.default.as_ref().map(|d| d.value.clone()),
                    example: f.example.clone(),
                    rules,
                }
            })
            .collect();
        setter_names(lowered.iter_mut(), STRUCT_METHODS);
        lowered
    }

    /// The element type of an array or map.
    fn items(
        &self,
        expr: &TypeExpr<'_>,
        fields: Option<&[Field]>,
        inline_name: &str,
        extra: &mut Vec<Struct>,
    ) -> Ty {
        match expr {
            TypeExpr::Name(name) => self.ty(name, fields, inline_name, extra),
            TypeExpr::Array(inner) => {
                Ty::Array(Box::new(self.items(inner, fields, inline_name, extra)))
            }
            TypeExpr::Map(inner) => {
                Ty::Map(Box::new(self.items(inner, fields, inline_name, extra)))
            }
        }
    }

    fn ty(
        &self,
        name: &str,
        fields: Option<&[Field]>,
        inline_name: &str,
        extra: &mut Vec<Struct>,
    ) -> Ty {
        match name {
            "string" => Ty::String,
            "bool" => Ty::Bool,
            "i32" => Ty::I32,
            "i64" => Ty::I64,
            "f64" => Ty::F64,
            "int64_string" => Ty::Int64String,
            "json" => Ty::Json,
            "file" => Ty::File,
            "timestamp_ms" => Ty::Timestamp { int: false },
            "timestamp_ms_int" => Ty::Timestamp { int: true },
            "object" => {
                let fields = fields.expect("validated: objects have fields");
                let lowered = self.fields(fields, inline_name, extra);
                let validates = lowered.iter().any(|f| {
                    f.rules.range.is_some()
                        || f.rules.length.is_some()
                        || f.rules.required_when.is_some()
                        || f.ty.validates()
                });
                extra.push(Struct {
                    ident: inline_name.to_owned(),
                    about: About::Inline,
                    fields: lowered,
                    validates,
                    direction: Direction::Both,
                    required: None,
                });
                Ty::Named {
                    module: None,
                    ident: inline_name.to_owned(),
                    kind: NamedKind::Struct,
                    validates,
                }
            }
            named => {
                let sym = self.symbols.get(named).expect("validated: type exists");
                let ident = naming::type_ident(named, sym.module == ModPath::Common);
                let kind = match sym.kind {
                    SymbolKind::Struct(_) => NamedKind::Struct,
                    SymbolKind::Enum(e) => NamedKind::Enum(e.wire),
                };
                Ty::Named {
                    module: Some(sym.module.clone()),
                    ident,
                    kind,
                    validates: self.validating.contains(named),
                }
            }
        }
    }
}

/// What a named type's documentation says: an event's payload and a callback's reply
/// are named types that know what they belong to.
fn about(file: &LoadedFile, t: &model::TypeDef, common: bool) -> About {
    let named = || About::Named {
        name: t.name.value.clone(),
        description: t.description.clone(),
    };
    let Some(event) = &file.schema.event else {
        return named();
    };
    let event_ident = naming::type_ident(&event.name.value, common);
    let reply = event
        .reply
        .as_ref()
        .map(|r| naming::type_ident(&r.name.value, common));
    if t.name.value == event.name.value {
        About::Event(Box::new(EventAbout {
            event_type: event.event_type.value.clone(),
            envelope: event.envelope,
            summary: event.summary.clone(),
            summary_en: event.summary_en.clone(),
            description: event.description.clone(),
            doc_url: event.doc_url.clone(),
            app_types: event.app_types.iter().map(|a| app_type(*a)).collect(),
            scopes: event.scopes.clone(),
            reply,
            deadline_ms: event.deadline_ms.as_ref().map(|d| d.value),
        }))
    } else if event
        .reply
        .as_ref()
        .is_some_and(|r| r.name.value == t.name.value)
    {
        About::Reply {
            of: event_ident,
            description: t.description.clone(),
        }
    } else {
        named()
    }
}

fn app_type(a: model::AppType) -> String {
    match a {
        model::AppType::Custom => "custom (self-built)".to_owned(),
        model::AppType::Isv => "isv (marketplace)".to_owned(),
    }
}

fn error_code(e: &ErrorDef) -> ErrorCode {
    ErrorCode {
        code: e.code.value,
        http: e.http,
        ident: camel(&e.name.value),
        message: e.message.clone(),
        hint: e.hint.clone(),
        rate_limit: e.rate_limit,
    }
}
