//! Stage 4, emit: IR -> token streams, one unit per output file.
//!
//! Every generated function is `#[inline]`. Not for speed: an inline function is not
//! compiled in the crate that defines it but in each crate that calls it, so the
//! `feishu` crate does almost no code generation of its own and a user compiles only
//! the endpoints and types they use.

pub mod catalog;
pub mod crates;
pub mod doc_text;
mod docs;
mod endpoint;
mod errors;
mod example;
mod guide;
mod json;
mod modules;
mod names;
mod rules;
mod testing;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Endpoint, Module};
use crate::symbols::ModPath;

/// What one output file holds; turned into tokens by [`Unit::tokens`] on whichever
/// thread renders it (token streams cannot cross threads).
enum Part<'a> {
    Lib,
    Client,
    Types(&'a Module),
    CommonLib(bool),
    CommonErrors,
    ServiceLib(&'a str, Vec<&'a Module>),
    Service(&'a str, Vec<&'a Module>),
    Version(&'a Module, &'a str, &'a str),
    Endpoint(&'a Module, &'a Endpoint),
    Testing(std::sync::Arc<testing::Table<'a>>),
    TestingModule(std::sync::Arc<testing::Table<'a>>, &'a Module),
}

/// One Rust file to render, with the schema files it comes from.
pub struct Unit<'a> {
    pub path: String,
    pub sources: Vec<String>,
    part: Part<'a>,
    /// The facade's package name as code spells it (`feishu`), for doc examples.
    krate: String,
}

impl Unit<'_> {
    /// The file's items.
    pub fn tokens(&self, api: &Api) -> TokenStream {
        match &self.part {
            Part::Lib => modules::lib_rs(api, &self.krate),
            Part::Client => modules::client_rs(api),
            Part::Types(m) => types_file(m),
            Part::CommonLib(has_types) => crates::common_lib_rs(&self.krate, *has_types),
            Part::CommonErrors => errors::common_file(&api.common_errors),
            Part::ServiceLib(name, versions) => {
                crates::service_lib_rs(api, &self.krate, name, versions)
            }
            Part::Service(name, versions) => modules::service_rs(name, versions),
            Part::Version(m, service, version) => modules::version_rs(m, service, version),
            Part::Endpoint(m, e) => {
                let example = example::usage(e, &m.path, api, &self.krate);
                endpoint::emit_endpoint(e, &api.common_errors, example)
            }
            Part::Testing(table) => testing::mod_rs(api, table),
            Part::TestingModule(table, m) => testing::module_rs(api, table, m),
        }
    }
}

/// Every output file, in path order, and the files that are not Rust (the crates'
/// manifests, the catalogue) as text, by path.
pub fn plan<'a>(api: &'a Api, crate_name: &str) -> (Vec<Unit<'a>>, Vec<(String, String)>) {
    let krate = crate_name.replace('-', "_");
    let has_types = |m: &Module| !m.structs.is_empty() || !m.enums.is_empty();
    let mut units = vec![
        Unit {
            path: "src/lib.rs".into(),
            sources: vec!["schema/**/*.yaml".into()],
            part: Part::Lib,
            krate: krate.clone(),
        },
        Unit {
            path: "src/client.rs".into(),
            sources: api
                .token_endpoints
                .iter()
                .map(|t| t.source.clone())
                .collect(),
            part: Part::Client,
            krate: krate.clone(),
        },
    ];
    // common/ always is a crate: it has the error enums every service names.
    let common = api.modules.iter().find(|m| m.path == ModPath::Common);
    let dir = crates::COMMON_DIR;
    let common_sources = common.map(|m| m.sources.clone()).unwrap_or_default();
    if let Some(m) = common.filter(|m| has_types(m)) {
        units.push(Unit {
            path: format!("{dir}/src/types.rs"),
            sources: m.type_sources.clone(),
            part: Part::Types(m),
            krate: krate.clone(),
        });
    }
    units.push(Unit {
        path: format!("{dir}/src/errors.rs"),
        sources: common_sources.clone(),
        part: Part::CommonErrors,
        krate: krate.clone(),
    });
    units.push(Unit {
        path: format!("{dir}/src/lib.rs"),
        sources: common_sources,
        part: Part::CommonLib(common.is_some_and(&has_types)),
        krate: krate.clone(),
    });
    for (service, versions) in modules::services(api) {
        let sources = versions.iter().flat_map(|m| m.sources.clone()).collect();
        for m in &versions {
            let ModPath::Service { version, .. } = &m.path else {
                continue;
            };
            let dir = format!("{}/src/{version}", crates::service_dir(service));
            units.push(Unit {
                path: format!("{dir}/mod.rs"),
                sources: m.sources.clone(),
                part: Part::Version(m, service, version),
                krate: krate.clone(),
            });
            if has_types(m) {
                units.push(Unit {
                    path: format!("{dir}/types.rs"),
                    sources: m.type_sources.clone(),
                    part: Part::Types(m),
                    krate: krate.clone(),
                });
            }
            for e in &m.endpoints {
                units.push(Unit {
                    path: format!("{dir}/{}.rs", modules::file_stem(e)),
                    sources: vec![e.source.clone()],
                    part: Part::Endpoint(m, e),
                    krate: krate.clone(),
                });
            }
        }
        let dir = crates::service_dir(service);
        units.push(Unit {
            path: format!("{dir}/src/lib.rs"),
            sources: vec![format!("schema/{service}/**/*.yaml")],
            part: Part::ServiceLib(service, versions.clone()),
            krate: krate.clone(),
        });
        units.push(Unit {
            path: format!("{dir}/src/accessor.rs"),
            sources,
            part: Part::Service(service, versions),
            krate: krate.clone(),
        });
    }
    // The fake's table: data only, one file per service version, so it renders on
    // every core like the rest.
    let table = std::sync::Arc::new(testing::Table::new(api));
    for m in table.files(api) {
        units.push(Unit {
            path: format!("src/testing/{}.rs", testing::file_stem(&m.path)),
            sources: m.sources.clone(),
            part: Part::TestingModule(std::sync::Arc::clone(&table), m),
            krate: krate.clone(),
        });
    }
    units.push(Unit {
        path: "src/testing/mod.rs".into(),
        sources: vec!["schema/**/*.yaml".into()],
        part: Part::Testing(table),
        krate: krate.clone(),
    });
    units.sort_by(|a, b| a.path.cmp(&b.path));
    let mut texts = crates::manifests(api, crate_name);
    texts.push((
        "ENDPOINTS.md".into(),
        catalog::endpoints_md(api, crate_name),
    ));
    (units, texts)
}

fn types_file(m: &Module) -> TokenStream {
    let structs = m.structs.iter().map(types::emit_struct);
    let enums = m.enums.iter().map(types::emit_enum);
    let serde = json::serde_impls(&m.structs, &m.enums);
    quote! {
        #(#enums)*
        #(#structs)*
        #serde
    }
}
