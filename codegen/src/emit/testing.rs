//! `src/testing/`: the fake server's table, one file per service version. Every endpoint is data (a `Route`
//! static, its fields and shapes as statics), never code, so a crate that knows the
//! whole API compiles the fake's knowledge of it in a fraction of its own build.
//! Not behind the service features: the fake knows every endpoint whatever the user
//! enabled, and the table refers to no generated type.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::{Map, Value};

use super::endpoint::spec;
use crate::ir::{
    Api, Body, Endpoint, Enum, FieldIr, Location, Module, NamedKind, Struct, Ty, Wire,
};
use crate::symbols::ModPath;

/// Structs and enums by (module, Rust name): named types, and each endpoint's own
/// (bodies, responses, inline objects), which live in its module's scope.
struct Index<'a> {
    structs: BTreeMap<(&'a ModPath, &'a str), &'a Struct>,
    enums: BTreeMap<(&'a ModPath, &'a str), &'a Enum>,
}

/// What the table's files share: every struct and enum by module and name, and the
/// named shapes a request can hold. Built once per run, read by every file.
pub struct Table<'a> {
    index: Index<'a>,
    used: BTreeSet<Key<'a>>,
}

impl<'a> Table<'a> {
    pub fn new(api: &'a Api) -> Table<'a> {
        let mut index = Index {
            structs: BTreeMap::new(),
            enums: BTreeMap::new(),
        };
        for m in &api.modules {
            let own = m.endpoints.iter().flat_map(|e| &e.own_structs);
            for s in m.structs.iter().chain(own) {
                index.structs.insert((&m.path, s.ident.as_str()), s);
            }
            for e in &m.enums {
                index.enums.insert((&m.path, e.ident.as_str()), e);
            }
        }
        let used = reachable(api, &index);
        Table { index, used }
    }

    /// The modules that get a file: those with endpoints or with shapes in use.
    pub fn files(&self, api: &'a Api) -> Vec<&'a Module> {
        api.modules
            .iter()
            .filter(|m| {
                !m.endpoints.is_empty() || self.used.iter().any(|(module, ..)| *module == &m.path)
            })
            .collect()
    }
}

/// The file stem of a module's table: `application_v6`, `common`.
pub fn file_stem(module: &ModPath) -> String {
    match module {
        ModPath::Common => "common".to_owned(),
        ModPath::Service { service, version } => format!("{service}_{version}"),
    }
}

/// `src/testing/mod.rs`: the files, the table of tables, the common codes and `fake()`.
pub fn mod_rs(api: &Api, table: &Table<'_>) -> TokenStream {
    let files: Vec<_> = table
        .files(api)
        .into_iter()
        .map(|m| {
            (
                format_ident!("{}", file_stem(&m.path)),
                !m.endpoints.is_empty(),
            )
        })
        .collect();
    let mods = files.iter().map(|(f, _)| quote!(mod #f;));
    let tables = files
        .iter()
        .filter(|(_, routes)| *routes)
        .map(|(f, _)| quote!(#f::ROUTES));
    let common = codes(&api.common_errors);
    quote! {
        //! What the fake Feishu knows of every endpoint, as data (one file per service
        //! version): see `feishu_runtime::testing`.

        use feishu_runtime::testing::{Code, Route};

        #(#mods)*

        /// Starts a fake Feishu on 127.0.0.1 that knows every endpoint of this crate; point
        /// a client at it with `fake.configure(Client::builder())`.
        pub async fn fake() -> ::std::io::Result<feishu_runtime::testing::FakeFeishu> {
            feishu_runtime::testing::FakeFeishu::start(ROUTES, COMMON_CODES).await
        }

        /// Every endpoint of the crate, one table per service version, for the fake server.
        pub static ROUTES: &[&[Route]] = &[#(#tables),*];

        /// The codes any endpoint can return.
        pub static COMMON_CODES: &[Code] = #common;
    }
}

/// `src/testing/<module>.rs`: the module's routes, and the statics of its named types
/// that a request can hold (other files refer to them through `super::`).
pub fn module_rs(api: &Api, table: &Table<'_>, m: &Module) -> TokenStream {
    let index = &table.index;
    let here = &m.path;
    let shapes = index
        .structs
        .iter()
        .filter(|((module, name), _)| {
            *module == here && table.used.contains(&(*module, "S", *name))
        })
        .map(|((module, name), s)| {
            let id = static_name("S", module, name);
            let fields = s.fields.iter().map(|f| field(f, module));
            quote!(pub(super) static #id: Shape = Shape::Object(&[#(#fields),*]);)
        });
    let enums = index
        .enums
        .iter()
        .filter(|((module, name), _)| {
            *module == here && table.used.contains(&(*module, "E", *name))
        })
        .map(|((module, name), e)| {
            let id = static_name("E", module, name);
            let values = e.variants.iter().map(|v| &v.value);
            match e.wire {
                Wire::String => {
                    let values = values.map(|v| v.as_str().unwrap_or_default());
                    quote!(pub(super) static #id: Shape = Shape::StrEnum(&[#(#values),*]);)
                }
                Wire::Int => {
                    let values = values.map(|v| v.as_i64().unwrap_or_default());
                    quote!(pub(super) static #id: Shape = Shape::IntEnum(&[#(#values),*]);)
                }
            }
        });
    let routes = (!m.endpoints.is_empty()).then(|| {
        let routes = m.endpoints.iter().map(|e| route(e, here, api, index));
        quote! {
            /// The endpoints of this service version.
            pub(super) static ROUTES: &[Route] = &[#(#routes),*];
        }
    });
    quote! {
        #![allow(non_upper_case_globals)]

        // A file uses what its routes and types need of these.
        #[allow(unused_imports)]
        use feishu_runtime::testing::{Body, Code, Field, Route, Shape};

        #routes
        #(#shapes)*
        #(#enums)*
    }
}

/// The named shapes a request can hold: only those get a static (the others would be
/// dead code). Keys are (module, `S` or `E`, name).
type Key<'a> = (&'a ModPath, &'static str, &'a str);

fn reachable<'a>(api: &'a Api, index: &Index<'a>) -> BTreeSet<Key<'a>> {
    let mut todo: Vec<(&'a Ty, &'a ModPath)> = Vec::new();
    for m in &api.modules {
        for e in &m.endpoints {
            todo.extend(e.params.iter().map(|p| (&p.field.ty, &m.path)));
            if let Body::Whole { ty, .. } = &e.body {
                todo.push((ty, &m.path));
            }
        }
    }
    let mut seen = BTreeSet::new();
    while let Some((ty, here)) = todo.pop() {
        let Ty::Named {
            module,
            ident,
            kind,
            ..
        } = ty.element()
        else {
            continue;
        };
        let module = module.as_ref().unwrap_or(here);
        let prefix = if *kind == NamedKind::Struct { "S" } else { "E" };
        if !seen.insert((module, prefix, ident.as_str())) {
            continue;
        }
        if let Some(s) = index.structs.get(&(module, ident.as_str())) {
            todo.extend(s.fields.iter().map(|f| (&f.ty, module)));
        }
    }
    seen
}

fn route(ep: &Endpoint, module: &ModPath, api: &Api, index: &Index<'_>) -> TokenStream {
    let spec = spec(ep, &api.common_errors);
    let located = |loc: Location| {
        let fields: Vec<TokenStream> = ep
            .params
            .iter()
            .filter(|p| p.location == loc)
            .map(|p| field(&p.field, module))
            .collect();
        fields
    };
    let query = located(Location::Query);
    let body = match &ep.body {
        Body::None => quote!(Body::None),
        Body::Fields(name) => {
            let s = index.structs.get(&(module, name.as_str()));
            let fields = s
                .into_iter()
                .flat_map(|s| &s.fields)
                .map(|f| field(f, module));
            quote!(Body::Json(&[#(#fields),*]))
        }
        Body::Multipart => {
            let fields = located(Location::Form);
            quote!(Body::Multipart(&[#(#fields),*]))
        }
        Body::Whole { ty, .. } => {
            let shape = shape(ty, module);
            quote!(Body::Whole(#shape))
        }
    };
    let example = ep
        .response
        .as_deref()
        .and_then(|r| index.structs.get(&(module, r)))
        .map(|s| {
            let mut value = object_example(s, module, index, &mut BTreeSet::new());
            if let (Some(p), Value::Object(o)) = (&ep.pagination, &mut value) {
                let wire = s.fields.iter().find(|f| f.ident == p.has_more.ident);
                if let Some(f) = wire {
                    o.insert(f.wire.clone(), Value::Bool(false));
                }
            }
            value.to_string()
        })
        .unwrap_or_else(|| "{}".to_owned());
    let errors = codes(&ep.errors);
    quote! {
        Route { spec: #spec, query: &[#(#query),*], body: #body, example: #example, errors: #errors }
    }
}

fn codes(errors: &[crate::ir::ErrorCode]) -> TokenStream {
    let codes = errors.iter().map(|e| {
        let (code, http, message) = (e.code, e.http, &e.message);
        quote!(Code { code: #code, http: #http, message: #message })
    });
    quote!(&[#(#codes),*])
}

fn field(f: &FieldIr, module: &ModPath) -> TokenStream {
    let name = &f.wire;
    let required = f.required;
    let shape = shape(&f.ty, module);
    quote!(Field { name: #name, shape: #shape, required: #required })
}

/// A `&'static Shape` expression for `ty`: a named type is its static; anything else
/// a constant that the compiler promotes to a static.
fn shape(ty: &Ty, here: &ModPath) -> TokenStream {
    match ty {
        Ty::String => quote!(&Shape::String),
        Ty::Bool => quote!(&Shape::Bool),
        Ty::I32 => quote!(&Shape::I32),
        Ty::I64 => quote!(&Shape::I64),
        Ty::F64 => quote!(&Shape::F64),
        Ty::Int64String => quote!(&Shape::Int64String),
        Ty::Timestamp { int } => quote!(&Shape::Timestamp { int: #int }),
        Ty::Json => quote!(&Shape::Json),
        Ty::File => quote!(&Shape::File),
        Ty::Array(inner) => {
            let inner = shape(inner, here);
            quote!(&Shape::Array(#inner))
        }
        Ty::Map(inner) => {
            let inner = shape(inner, here);
            quote!(&Shape::Map(#inner))
        }
        Ty::Named {
            module,
            ident,
            kind,
            ..
        } => {
            let module = module.as_ref().unwrap_or(here);
            let prefix = match kind {
                NamedKind::Struct => "S",
                NamedKind::Enum(_) => "E",
            };
            let id = static_name(prefix, module, ident);
            let file = format_ident!("{}", file_stem(module));
            quote!(&super::#file::#id)
        }
    }
}

/// `S_application_v6_ApplicationFeedback`: unique, since a Rust name is unique in its
/// module and module names are distinct.
fn static_name(prefix: &str, module: &ModPath, ident: &str) -> proc_macro2::Ident {
    match module {
        ModPath::Common => format_ident!("{prefix}_{ident}"),
        ModPath::Service { service, version } => {
            format_ident!("{prefix}_{service}_{version}_{ident}")
        }
    }
}

/// An example value of a struct from its fields' examples; nested types are followed
/// once on each path (a recursive type stops at itself).
fn object_example<'a>(
    s: &'a Struct,
    module: &'a ModPath,
    index: &Index<'a>,
    visiting: &mut BTreeSet<(&'a ModPath, &'a str)>,
) -> Value {
    let mut o = Map::new();
    if !visiting.insert((module, s.ident.as_str())) {
        return Value::Object(o);
    }
    for f in &s.fields {
        if let Some(v) = field_example(f, module, index, visiting) {
            o.insert(f.wire.clone(), v);
        }
    }
    visiting.remove(&(module, s.ident.as_str()));
    Value::Object(o)
}

fn field_example<'a>(
    f: &'a FieldIr,
    module: &'a ModPath,
    index: &Index<'a>,
    visiting: &mut BTreeSet<(&'a ModPath, &'a str)>,
) -> Option<Value> {
    if let Some(e) = &f.example {
        return Some(wire_example(&f.ty, e));
    }
    ty_example(&f.ty, module, index, visiting)
}

/// The example as the wire carries it: the schema writes examples of string-borne
/// integers either way.
fn wire_example(ty: &Ty, e: &Value) -> Value {
    match (ty, e) {
        (Ty::Int64String | Ty::Timestamp { int: false }, Value::Number(n)) => {
            Value::String(n.to_string())
        }
        (Ty::Array(inner), e) if !e.is_array() => Value::Array(vec![wire_example(inner, e)]),
        _ => e.clone(),
    }
}

fn ty_example<'a>(
    ty: &'a Ty,
    here: &'a ModPath,
    index: &Index<'a>,
    visiting: &mut BTreeSet<(&'a ModPath, &'a str)>,
) -> Option<Value> {
    match ty {
        Ty::Named {
            module,
            ident,
            kind: NamedKind::Struct,
            ..
        } => {
            let module = module.as_ref().unwrap_or(here);
            let s = index.structs.get(&(module, ident.as_str()))?;
            let value = object_example(s, module, index, visiting);
            value
                .as_object()
                .is_some_and(|o| !o.is_empty())
                .then_some(value)
        }
        Ty::Array(inner) => ty_example(inner, here, index, visiting).map(|v| Value::Array(vec![v])),
        _ => None,
    }
}
