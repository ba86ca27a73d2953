//! The crates the generator writes: the facade (the package named on the command line,
//! at the root of the output), one crate per service under `services/<service>/`, and
//! `common/` for the types any service may name. A crate per service bounds a build's
//! peak memory by the largest service instead of the whole surface, and lets cargo
//! compile services side by side; the facade re-exports each behind its feature, so a
//! user writes `feishu::im::v1::…` whichever crate the item lives in.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::modules::{always_on, services, version_names};
use super::names::ident;
use crate::ir::{Api, Module, Ty};
use crate::naming::camel;
use crate::symbols::ModPath;

/// The directory of a service's crate, relative to the output.
pub fn service_dir(service: &str) -> String {
    format!("services/{service}")
}

/// The directory of the common types' crate, relative to the output.
pub const COMMON_DIR: &str = "common";

/// `feishu-im` for service `im` of package `feishu`.
pub fn service_package(facade: &str, service: &str) -> String {
    format!("{facade}-{}", service.replace('_', "-"))
}

/// `feishu-common` for package `feishu`.
pub fn common_package(facade: &str) -> String {
    format!("{facade}-common")
}

/// The name code spells a package by: `feishu_im`.
pub fn lib_name(package: &str) -> String {
    package.replace('-', "_")
}

/// Whether common/ has types (it always has the error enums).
pub fn common_has_types(api: &Api) -> bool {
    api.modules
        .iter()
        .any(|m| m.path == ModPath::Common && (!m.structs.is_empty() || !m.enums.is_empty()))
}

/// A crate of the output: a service's, or common/'s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Part<'a> {
    Common,
    Service(&'a str),
}

impl<'a> Part<'a> {
    fn of(path: &'a ModPath) -> Self {
        match path {
            ModPath::Common => Part::Common,
            ModPath::Service { service, .. } => Part::Service(service),
        }
    }

    fn package(self, facade: &str) -> String {
        match self {
            Part::Common => common_package(facade),
            Part::Service(s) => service_package(facade, s),
        }
    }

    /// The dependency line of a crate in `services/<x>/` on this one.
    fn path_from_service(self) -> String {
        match self {
            Part::Common => format!("../../{COMMON_DIR}"),
            Part::Service(s) => format!("../{s}"),
        }
    }
}

/// For each crate, the crates whose types its types, parameters and bodies name (a field
/// of `im` typed `contact::v3::MemberIdType`). Validation refuses circles.
pub fn dependencies(api: &Api) -> BTreeMap<Part<'_>, BTreeSet<Part<'_>>> {
    fn walk<'a>(ty: &'a Ty, out: &mut BTreeSet<Part<'a>>) {
        if let Ty::Named {
            module: Some(m), ..
        } = ty.element()
        {
            out.insert(Part::of(m));
        }
    }
    let mut needs: BTreeMap<Part<'_>, BTreeSet<Part<'_>>> = BTreeMap::new();
    for m in &api.modules {
        let here = Part::of(&m.path);
        let entry = needs.entry(here).or_default();
        let own = m.endpoints.iter().flat_map(|e| &e.own_structs);
        for s in m.structs.iter().chain(own) {
            for f in &s.fields {
                walk(&f.ty, entry);
            }
        }
        for e in &m.endpoints {
            for p in &e.params {
                walk(&p.field.ty, entry);
            }
            if let crate::ir::Body::Whole { ty, .. } = &e.body {
                walk(ty, entry);
            }
        }
        entry.remove(&here);
        // Every service names common/'s `GeneralError` or `CommonError`, or could.
        if here != Part::Common {
            entry.insert(Part::Common);
        }
    }
    needs
}

/// `src/lib.rs` of a service crate: declarations only, in a shape rustfmt leaves as it
/// is (the modules are `#[rustfmt::skip]`).
pub fn service_lib_rs(api: &Api, facade: &str, service: &str, versions: &[&Module]) -> TokenStream {
    let doc = [
        format!(
            " The `{service}` service of the Feishu (Lark) client `{}`, generated from",
            lib_name(facade)
        ),
        format!(" `schema/{service}/`: its endpoints, types and events, by version."),
        String::new(),
        format!(
            " Reach it through the client, `client.{service}()` (feature `{service}` of `{}`),",
            lib_name(facade)
        ),
        format!(
            " or wrap a runtime client with [`{}Api::new`].",
            camel(service)
        ),
    ]
    .map(|line| quote!(#![doc = #line]));
    let deps = dependencies(api);
    let own = Part::Service(service);
    // Generated code names a type `crate::<service>::<version>::Name` (`crate::Name` for
    // common/) whichever crate it lands in; these imports make such paths resolve here.
    // `rustfmt::skip` keeps `cargo fmt` from sorting them (its order is not ours).
    let me = ident(service);
    let aliases = deps.get(&own).into_iter().flatten().map(|d| {
        let lib = format_ident!("{}", lib_name(&d.package(facade)));
        match d {
            Part::Common => quote!(#[rustfmt::skip] #[allow(unused_imports)] use #lib::*;),
            Part::Service(s) => {
                let s = ident(s);
                quote!(#[rustfmt::skip] #[allow(unused_imports)] use #lib as #s;)
            }
        }
    });
    let mods = version_names(versions).into_iter().map(|v| {
        let i = ident(v);
        let d = format!(" `{service}` {v}.");
        quote! {
            #[doc = #d]
            #[rustfmt::skip]
            pub mod #i;
        }
    });
    let api_ty = format_ident!("{}Api", camel(service));
    quote! {
        #(#doc)*
        #![deny(missing_docs)]

        #[rustfmt::skip] #[allow(unused_imports)] use crate as #me;
        #(#aliases)*

        #(#mods)*

        #[rustfmt::skip]
        mod accessor;
        pub use accessor::#api_ty;
    }
}

/// `src/lib.rs` of the common crate.
pub fn common_lib_rs(facade: &str, has_types: bool) -> TokenStream {
    let doc = format!(
        " The types and error codes every service of the Feishu (Lark) client `{}` may name, generated from `schema/common/`.",
        lib_name(facade)
    );
    let types = has_types.then(|| {
        quote! {
            #[rustfmt::skip]
            mod types;
            pub use types::*;
        }
    });
    quote! {
        #![doc = #doc]
        #![deny(missing_docs)]

        #[rustfmt::skip]
        mod errors;
        pub use errors::*;
        #types
    }
}

const HEADER: &str = "# @generated by `cargo xtask regen` from schema/; do not edit.";

fn package(name: &str, description: &str) -> String {
    format!(
        "{HEADER}\n\
[package]\n\
name = \"{name}\"\n\
version = \"0.1.0\"\n\
description = \"{description}\"\n\
edition.workspace = true\n\
rust-version.workspace = true\n\
license.workspace = true\n\
publish.workspace = true\n"
    )
}

const SERDE_COMMENT: &str = "# serde's Serialize and Deserialize on the generated types, through the same\n\
# JSON conversions the client uses; off by default because the client does not need them.\n";

/// Every manifest of the output, by path: the facade's, each service's and common's.
pub fn manifests(api: &Api, facade: &str) -> Vec<(String, String)> {
    let mut out = vec![("Cargo.toml".to_owned(), facade_toml(api, facade))];
    let deps = dependencies(api);
    let own = deps.get(&Part::Common).cloned().unwrap_or_default();
    out.push((
        format!("{COMMON_DIR}/Cargo.toml"),
        part_toml(
            facade,
            Part::Common,
            &own,
            "The types and error codes the services of the generated Feishu (Lark) client share",
            None,
        ),
    ));
    let always = always_on(api);
    for service in services(api).keys() {
        let own = deps
            .get(&Part::Service(service))
            .cloned()
            .unwrap_or_default();
        let feature = (Some(*service) != always).then_some(*service);
        out.push((
            format!("{}/Cargo.toml", service_dir(service)),
            part_toml(
                facade,
                Part::Service(service),
                &own,
                &format!("The `{service}` service of the generated Feishu (Lark) client"),
                feature,
            ),
        ));
    }
    out
}

/// A service's or common's manifest. A service's doc examples call it through the
/// facade's client, with `feature` on (none for the service the facade always has).
fn part_toml(
    facade: &str,
    part: Part<'_>,
    deps: &BTreeSet<Part<'_>>,
    description: &str,
    feature: Option<&str>,
) -> String {
    let mut text = package(&part.package(facade), description);
    text.push_str("\n[lib]\n# No unit tests: the doc examples are the tests.\ntest = false\n");
    text.push_str("\n[dependencies]\nfeishu-runtime.workspace = true\n");
    let mut serde = Vec::new();
    for d in deps {
        let name = d.package(facade);
        let path = match part {
            Part::Common => match d {
                Part::Common => unreachable!("a crate does not depend on itself"),
                Part::Service(s) => format!("../{}", service_dir(s)),
            },
            Part::Service(_) => d.path_from_service(),
        };
        text.push_str(&format!("{name} = {{ path = \"{path}\" }}\n"));
        serde.push(format!("\"{name}/serde\""));
    }
    if let Part::Service(_) = part {
        let features = feature.map(|f| format!("\"{f}\"")).unwrap_or_default();
        text.push_str(&format!(
            "\n[dev-dependencies]\n\
# The doc examples call the service as users do, through the facade's client.\n\
{facade} = {{ path = \"../..\", default-features = false, features = [{features}] }}\n"
        ));
    }
    text.push_str(&format!(
        "\n[features]\n{SERDE_COMMENT}serde = [{}]\n",
        serde.join(", ")
    ));
    text
}

/// The facade's manifest: a feature per service (turning on its crate and the services
/// whose types it names), `full` for all, the runtime's optional parts, and `serde`.
fn facade_toml(api: &Api, facade: &str) -> String {
    let services = services(api);
    let always = always_on(api);
    let deps = dependencies(api);
    let mut text = package(
        facade,
        "Typed client for the Feishu (Lark) Open Platform, generated from schema/",
    );
    text.push_str("\n[dependencies]\nfeishu-runtime.workspace = true\n");
    let mut serde = Vec::new();
    let common = common_package(facade);
    text.push_str(&format!("{common} = {{ path = \"{COMMON_DIR}\" }}\n"));
    serde.push(format!("\"{common}/serde\""));
    for s in services.keys() {
        let name = service_package(facade, s);
        let dir = service_dir(s);
        if Some(*s) == always {
            text.push_str(&format!("{name} = {{ path = \"{dir}\" }}\n"));
            serde.push(format!("\"{name}/serde\""));
        } else {
            text.push_str(&format!(
                "{name} = {{ path = \"{dir}\", optional = true }}\n"
            ));
            serde.push(format!("\"{name}?/serde\""));
        }
    }
    let gated: Vec<&str> = services
        .keys()
        .copied()
        .filter(|s| Some(*s) != always)
        .collect();
    text.push_str("\n[features]\ndefault = [\"full\"]\n");
    let all: Vec<String> = gated.iter().map(|s| format!("\"{s}\"")).collect();
    text.push_str(&format!("full = [{}]\n", all.join(", ")));
    for s in &gated {
        // The services whose types this one's hold are turned on too, so a user can name
        // those types through the facade.
        let mut on = vec![format!("\"dep:{}\"", service_package(facade, s))];
        on.extend(
            deps.get(&Part::Service(s))
                .into_iter()
                .flatten()
                .filter_map(|d| match d {
                    Part::Service(d) if Some(*d) != always => Some(format!("\"{d}\"")),
                    _ => None,
                }),
        );
        text.push_str(&format!("{s} = [{}]\n", on.join(", ")));
    }
    text.push_str(
        "# Receiving events over HTTP (`feishu::events::http`), and its ready axum route.\n\
events-http = [\"feishu-runtime/events-http\"]\n\
axum = [\"feishu-runtime/axum\"]\n\
# Receiving events over the long connection (`feishu::events::ws`).\n\
events-ws = [\"feishu-runtime/events-ws\"]\n",
    );
    text.push_str(
        "# The fake Feishu server and the table of every endpoint it serves, for tests and\n\
# examples that run without an account.\n\
testing = [\"feishu-runtime/testing\"]\n",
    );
    text.push_str(&format!("{SERDE_COMMENT}serde = [{}]\n", serde.join(", ")));
    text
}
