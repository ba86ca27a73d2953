//! Stage 4, emit: IR -> token streams, one unit per output file.

mod docs;
mod endpoint;
mod modules;
mod names;
mod rules;
mod types;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Api, Module};
use crate::symbols::ModPath;

/// One Rust file to render, with the schema files it comes from.
pub struct Unit {
    pub path: String,
    pub sources: Vec<String>,
    pub tokens: TokenStream,
}

/// Every output file: Rust units, and the crate manifest as text.
pub struct Emitted {
    pub units: Vec<Unit>,
    pub manifest: String,
}

pub fn emit(api: &Api, crate_name: &str) -> Emitted {
    let mut units = vec![Unit {
        path: "src/lib.rs".into(),
        sources: vec!["schema/**/*.yaml".into()],
        tokens: modules::lib_rs(api),
    }];
    units.push(Unit {
        path: "src/client.rs".into(),
        sources: api
            .token_endpoints
            .iter()
            .map(|t| t.source.clone())
            .collect(),
        tokens: modules::client_rs(api),
    });
    for m in &api.modules {
        if m.path == ModPath::Common && (!m.structs.is_empty() || !m.enums.is_empty()) {
            units.push(Unit {
                path: "src/common.rs".into(),
                sources: m.type_sources.clone(),
                tokens: types_file(m),
            });
        }
    }
    for (service, versions) in modules::services(api) {
        let sources = versions.iter().flat_map(|m| m.sources.clone()).collect();
        units.push(Unit {
            path: format!("src/{service}/mod.rs"),
            sources,
            tokens: modules::service_rs(service, &versions),
        });
        for m in versions {
            let ModPath::Service { version, .. } = &m.path else {
                continue;
            };
            let dir = format!("src/{service}/{version}");
            units.push(Unit {
                path: format!("{dir}/mod.rs"),
                sources: m.sources.clone(),
                tokens: modules::version_rs(m, service, version),
            });
            if !m.structs.is_empty() || !m.enums.is_empty() {
                units.push(Unit {
                    path: format!("{dir}/types.rs"),
                    sources: m.type_sources.clone(),
                    tokens: types_file(m),
                });
            }
            for e in &m.endpoints {
                units.push(Unit {
                    path: format!("{dir}/{}.rs", modules::file_stem(e)),
                    sources: vec![e.source.clone()],
                    tokens: endpoint::emit_endpoint(e, &api.common_errors),
                });
            }
        }
    }
    units.sort_by(|a, b| a.path.cmp(&b.path));
    Emitted {
        units,
        manifest: modules::cargo_toml(api, crate_name),
    }
}

fn types_file(m: &Module) -> TokenStream {
    let structs = m.structs.iter().map(types::emit_struct);
    let enums = m.enums.iter().map(types::emit_enum);
    quote! {
        #(#enums)*
        #(#structs)*
    }
}
