//! The crate's skeleton: `lib.rs` with the `Client`, a module per service and version
//! with its accessors, the token endpoints wired into the runtime, and Cargo.toml.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::doc_text;
use super::docs::doc1;
use super::names::{ident, type_path};
use crate::ir::TokenRole;
use crate::ir::{Api, Endpoint, Module, TokenEndpoint};
use crate::naming::camel;
use crate::symbols::ModPath;

/// Services (in name order) and their version modules.
pub fn services(api: &Api) -> BTreeMap<&str, Vec<&Module>> {
    let mut out: BTreeMap<&str, Vec<&Module>> = BTreeMap::new();
    for m in &api.modules {
        if let ModPath::Service { service, .. } = &m.path {
            out.entry(service.as_str()).or_default().push(m);
        }
    }
    out
}

/// The service whose module the client itself needs (token endpoints): never behind a
/// feature.
pub fn always_on(api: &Api) -> Option<&str> {
    api.token_endpoints.first().and_then(|t| match &t.module {
        ModPath::Service { service, .. } => Some(service.as_str()),
        ModPath::Common => None,
    })
}

/// `src/lib.rs`: declarations only, in a shape rustfmt leaves as it is; every module
/// is `#[rustfmt::skip]` so `cargo fmt` never rewrites generated code.
pub fn lib_rs(api: &Api, krate: &str) -> TokenStream {
    let services = services(api);
    // The guide's lines are the generator's own (code examples included): not scrubbed.
    let guide = super::guide::guide(api, krate).into_iter().map(|line| {
        let text = if line.is_empty() {
            line
        } else {
            format!(" {line}")
        };
        quote!(#![doc = #text])
    });
    let always = always_on(api);
    let common = format_ident!(
        "{}",
        super::crates::lib_name(&super::crates::common_package(krate))
    );
    // Each service is a crate of its own; the facade names it as a module. Re-exports
    // are `rustfmt::skip` so `cargo fmt` does not sort them into another order. Not
    // `doc(inline)`: rustdoc would then document the whole surface a second time in the
    // facade's pages (on the published surface, twice the time and 2.2 GB instead of 1.2).
    let mods = services.keys().map(|s| {
        let i = ident(s);
        let lib = format_ident!(
            "{}",
            super::crates::lib_name(&super::crates::service_package(krate, s))
        );
        let gate = feature_gate(s, always);
        quote! {
            #[rustfmt::skip]
            #gate
            pub use #lib as #i;
        }
    });
    quote! {
        #(#guide)*
        #![deny(missing_docs)]

        pub use feishu_runtime as runtime;
        pub use feishu_runtime::events;
        pub use feishu_runtime::{ApiError, Call, Domain, Error, ErrorCode, Invalid, ResponseMeta, UnknownValue};
        pub use feishu_runtime::{RequestOptions, RetryPolicy, Secret};

        #[rustfmt::skip]
        mod client;
        pub use client::Client;

        #[rustfmt::skip] pub use #common::*;
        #(#mods)*

        /// What the fake Feishu server (`feishu_runtime::testing`) knows of every
        /// endpoint, as data.
        #[cfg(feature = "testing")]
        #[rustfmt::skip]
        pub mod testing;
    }
}

/// `src/client.rs`: the `Client` with an accessor per service, and the token endpoints.
pub fn client_rs(api: &Api) -> TokenStream {
    let services = services(api);
    let always = always_on(api);
    let accessors = services.keys().map(|s| {
        let i = ident(s);
        let api_ty = format_ident!("{}Api", camel(s));
        let d = doc1(format!("The `{s}` service."));
        let gate = feature_gate(s, always);
        quote! {
            #gate #d
            #[inline] pub fn #i(&self) -> crate::#i::#api_ty<'_> { crate::#i::#api_ty::new(&self.0) }
        }
    });
    let token_impl = token_endpoints(api);
    quote! {
        /// A Feishu client. Cheap to clone; clones share connections and cached tokens.
        #[derive(Debug, Clone)]
        pub struct Client(feishu_runtime::Client);

        impl Client {
            /// A builder; app credentials fetch tokens through the `auth` endpoints.
            #[inline] pub fn builder() -> feishu_runtime::ClientBuilder<Client> {
                feishu_runtime::ClientBuilder::new().token_endpoints(std::sync::Arc::new(TokenEndpoints))
            }

            /// The runtime client underneath.
            #[inline] pub fn runtime(&self) -> &feishu_runtime::Client {
                &self.0
            }

            /// Stores the `app_ticket` from an `app_ticket` event (marketplace apps).
            #[inline] pub fn set_app_ticket(&self, ticket: impl Into<feishu_runtime::Secret>) {
                self.0.set_app_ticket(ticket)
            }

            #(#accessors)*
        }

        impl From<feishu_runtime::Client> for Client {
            #[inline] fn from(client: feishu_runtime::Client) -> Self {
                Client(client)
            }
        }

        #token_impl
    }
}

fn feature_gate(service: &str, always: Option<&str>) -> TokenStream {
    if Some(service) == always {
        quote!()
    } else {
        quote!(#[cfg(feature = #service)])
    }
}

/// The runtime's token manager calls these, so tokens come from the generated auth
/// endpoints.
fn token_endpoints(api: &Api) -> TokenStream {
    let find = |role: TokenRole| api.token_endpoints.iter().find(|t| t.role == role);
    let token = |role: TokenRole| {
        let contract = role.contract();
        let args = contract.args;
        let m = format_ident!("{}", contract.method);
        let params = args.iter().map(|a| {
            let i = ident(a);
            quote!(#i: &'a str)
        });
        let body = match find(role) {
            Some(t) => token_call(t),
            None => {
                let role = crate::naming::snake(&format!("{role:?}"));
                quote!(Err(feishu_runtime::Error::Config(feishu_runtime::ConfigError::NoTokenEndpoint { role: #role })))
            }
        };
        let ret = if contract.token_field.is_none() {
            quote!(())
        } else {
            quote!(feishu_runtime::IssuedToken)
        };
        let unused = find(role).is_none().then(|| {
            let names = args.iter().map(|a| ident(a));
            quote!(let _ = (client, #(#names),*);)
        });
        quote! {
            fn #m<'a>(&'a self, client: &'a feishu_runtime::Client, #(#params),*) -> feishu_runtime::BoxFuture<'a, Result<#ret, feishu_runtime::Error>> {
                #unused
                Box::pin(async move { #body })
            }
        }
    };
    let methods = TokenRole::ALL.map(token);
    quote! {
        /// The auth endpoints of this crate, as the runtime's token manager calls them.
        #[derive(Debug)]
        struct TokenEndpoints;

        impl feishu_runtime::TokenEndpoints for TokenEndpoints {
            #(#methods)*
        }
    }
}

fn token_call(t: &TokenEndpoint) -> TokenStream {
    let builder = type_path(Some(&t.module), &t.ident);
    let names = t.args.iter().map(|a| ident(a));
    let args = match &t.required {
        Some(r) => {
            let r = type_path(Some(&t.module), r);
            quote!(#r { #(#names: #names.into()),* })
        }
        None => quote!(#(#names),*),
    };
    let send =
        quote!(#builder::new(client, #args).send().await.map_err(feishu_runtime::Error::erase));
    match &t.token_field {
        Some(field) => {
            let f = ident(field);
            quote! {
                let response = #send?;
                feishu_runtime::IssuedToken::from_response(&#builder::SPEC, #field, response.#f, response.expire)
            }
        }
        None => quote!(#send.map(drop)),
    }
}

/// `src/accessor.rs` of a service crate: the service's accessor, which reaches its
/// versions.
pub fn service_rs(service: &str, versions: &[&Module]) -> TokenStream {
    let api_ty = format_ident!("{}Api", camel(service));
    let accessors = version_names(versions).into_iter().map(|v| {
        let i = ident(v);
        let t = format_ident!("{}Api", camel(v));
        let d = doc1(format!("The `{service}` {v} endpoints."));
        quote!(#d #[inline] pub fn #i(self) -> crate::#i::#t<'a> { crate::#i::#t { client: self.client } })
    });
    let d = doc1(format!("The versions of the `{service}` service."));
    quote! {
        #d
        #[derive(Debug, Clone, Copy)]
        pub struct #api_ty<'a> {
            client: &'a feishu_runtime::Client,
        }

        impl<'a> #api_ty<'a> {
            /// Wraps a runtime client.
            #[inline] pub fn new(client: &'a feishu_runtime::Client) -> Self {
                Self { client }
            }
            #(#accessors)*
        }
    }
}

/// The version names of a service's modules, in order.
pub fn version_names<'m>(versions: &[&'m Module]) -> Vec<&'m str> {
    versions
        .iter()
        .filter_map(|m| match &m.path {
            ModPath::Service { version, .. } => Some(version.as_str()),
            ModPath::Common => None,
        })
        .collect()
}

/// `src/<service>/<version>/mod.rs`: the endpoint and type modules, and a resource
/// accessor per resource.
pub fn version_rs(m: &Module, service: &str, version: &str) -> TokenStream {
    let has_types = !m.structs.is_empty() || !m.enums.is_empty();
    let types_mod = has_types.then(|| {
        quote!(
            mod types;
            pub use types::*;
        )
    });
    let endpoint_mods = m.endpoints.iter().map(|e| {
        let i = format_ident!("{}", file_stem(e));
        quote!(mod #i; pub use #i::*;)
    });
    let mut resources: BTreeMap<&str, Vec<&Endpoint>> = BTreeMap::new();
    for e in &m.endpoints {
        resources.entry(e.resource.as_str()).or_default().push(e);
    }
    let version_ty = format_ident!("{}Api", camel(version));
    // A version with types but no endpoints has no accessor to read the client.
    let unused = resources.is_empty().then(|| quote!(#[allow(dead_code)]));
    let accessors = resources.keys().map(|r| {
        let i = ident(r);
        let t = format_ident!("{}Api", camel(r));
        let d = doc1(format!("The `{r}` endpoints."));
        quote!(#d #[inline] pub fn #i(self) -> #t<'a> { #t { client: self.client } })
    });
    let resource_types = resources.iter().map(|(r, eps)| {
        let t = format_ident!("{}Api", camel(r));
        let d = doc1(format!("The `{r}` endpoints of `{service}` {version}."));
        let methods = eps.iter().map(|e| endpoint_method(e));
        quote! {
            #d
            #[derive(Debug, Clone, Copy)]
            pub struct #t<'a> {
                client: &'a feishu_runtime::Client,
            }
            // Accessors are named after the schema's resources and methods, which may be
            // `new` or `default`: names clippy expects to be constructors or traits.
            #[allow(clippy::new_ret_no_self, clippy::should_implement_trait)]
            impl<'a> #t<'a> {
                #(#methods)*
            }
        }
    });
    let d = doc1(format!("The `{service}` {version} endpoints, by resource."));
    quote! {
        #types_mod
        #(#endpoint_mods)*

        #d
        #[derive(Debug, Clone, Copy)]
        pub struct #version_ty<'a> {
            // Built by the service accessor; no constructor, so a resource may be
            // named `new`.
            #unused
            pub(crate) client: &'a feishu_runtime::Client,
        }

        #[allow(clippy::new_ret_no_self, clippy::should_implement_trait)]
        impl<'a> #version_ty<'a> {
            #(#accessors)*
        }

        #(#resource_types)*
    }
}

/// `resource.method(required...)`: starts a request builder.
fn endpoint_method(e: &Endpoint) -> TokenStream {
    let m = ident(&e.method_ident);
    let builder = ident(&e.ident);
    let required: Vec<&crate::ir::FieldIr> = e
        .params
        .iter()
        .map(|p| &p.field)
        .filter(|f| f.required)
        .collect();
    let whole = match &e.body {
        crate::ir::Body::Whole { arg, ty } => Some((ident(arg), super::names::ty(ty))),
        _ => None,
    };
    let (params, args, _) = super::names::required_params(
        &required,
        whole.as_ref().map(|(a, t)| (a, t.clone())),
        e.required.as_deref(),
    );
    let summary = match &e.summary_en {
        Some(en) => format!(
            "{} ({})",
            doc_text::inline(en),
            doc_text::inline(&e.summary)
        ),
        None => doc_text::inline(&e.summary),
    };
    let d = doc1(format!("{summary}: see [`{}`].", e.ident));
    let allow = super::names::allow_many(params.len());
    let complex = super::names::allow_complex(required.iter().copied());
    quote! {
        #d
        #allow
        #complex
        #[inline] pub fn #m(self, #(#params),*) -> #builder<'a> {
            #builder::new(self.client, #(#args),*)
        }
    }
}

/// The file (and module) name of an endpoint: `application_feedback_patch`.
pub fn file_stem(e: &Endpoint) -> String {
    format!(
        "{}_{}",
        crate::naming::bare(&e.resource),
        crate::naming::bare(&e.method_ident)
    )
}
