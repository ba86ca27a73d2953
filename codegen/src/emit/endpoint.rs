//! One endpoint: its request builder (required parameters in the constructor, optional
//! ones as setters, `send()`), its body and response structs, its error-code enum, and
//! for list endpoints a `stream()` of items.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::docs::{code_doc, doc, doc1, endpoint_doc};
use super::names::{allow_many, field_ty, ident, init_from_arg, required_params, ty};
use super::rules::validate_body;
use super::types::{emit_struct, setter};
use crate::ir::{Body, Endpoint, ErrorCode, FieldIr, Location, Ty};
use crate::ir::{Envelope, Host, Method, TokenKind};

pub fn emit_endpoint(
    ep: &Endpoint,
    common: &[ErrorCode],
    example: Option<Vec<String>>,
) -> TokenStream {
    let structs = ep.own_structs.iter().map(emit_struct);
    let builder = builder(ep, common, example);
    let errors = super::errors::endpoint_errors(ep, common);
    let serde = super::json::serde_impls(&ep.own_structs, &[]);
    quote! {
        #builder
        #(#structs)*
        #errors
        #serde
    }
}

/// The builder's slots: path and query parameters, then the body.
fn slots(ep: &Endpoint) -> Vec<(&FieldIr, TokenStream)> {
    let body = format_ident!("__body");
    ep.params
        .iter()
        .map(|p| {
            let i = ident(&p.field.ident);
            let access = match p.location {
                Location::Body => quote!(self.#body.#i),
                _ => quote!(self.#i),
            };
            (&p.field, access)
        })
        .collect()
}

fn builder(ep: &Endpoint, common: &[ErrorCode], example: Option<Vec<String>>) -> TokenStream {
    let name = ident(&ep.ident);
    let mut docs = doc(&endpoint_doc(ep, common));
    if let Some(lines) = example {
        docs.extend(doc(&[String::new()]));
        docs.extend(code_doc(&lines));
    }
    let err = ident(&ep.error_ident);
    let url_params: Vec<&FieldIr> = ep
        .params
        .iter()
        .filter(|p| p.location != Location::Body)
        .map(|p| &p.field)
        .collect();

    let slot_decls = url_params.iter().map(|f| {
        let i = ident(&f.ident);
        let t = field_ty(f);
        quote!(#i: #t,)
    });
    let body_decl = match &ep.body {
        Body::None | Body::Multipart => quote!(),
        Body::Fields(s) => {
            let s = ident(s);
            quote!(__body: #s,)
        }
        Body::Whole { arg, ty: t } => {
            let a = ident(arg);
            let t = ty(t);
            quote!(#a: #t,)
        }
    };

    // Constructor: every required parameter, in path, query, body order.
    let required: Vec<&FieldIr> = ep
        .params
        .iter()
        .map(|p| &p.field)
        .filter(|f| f.required)
        .collect();
    let whole = match &ep.body {
        Body::Whole { arg, ty: t } => Some((ident(arg), ty(t))),
        _ => None,
    };
    let (ctor_params, _, bind) = required_params(
        &required,
        whole.as_ref().map(|(a, t)| (a, t.clone())),
        ep.required.as_deref(),
    );
    let init_slot = |f: &FieldIr| {
        if f.required {
            let init = init_from_arg(f, ep.required.is_some());
            quote!(#init,)
        } else {
            let i = ident(&f.ident);
            quote!(#i: None,)
        }
    };
    let url_inits = url_params.iter().map(|f| init_slot(f));
    let body_init = match &ep.body {
        Body::None | Body::Multipart => quote!(),
        Body::Fields(s) => {
            let s = ident(s);
            let inits = ep
                .params
                .iter()
                .filter(|p| p.location == Location::Body)
                .map(|p| init_slot(&p.field));
            quote!(__body: #s { #(#inits)* },)
        }
        Body::Whole { arg, .. } => {
            let a = ident(arg);
            quote!(#a,)
        }
    };

    let body_ident = format_ident!("__body");
    let setters = ep.params.iter().filter(|p| !p.field.required).map(|p| {
        let within = (p.location == Location::Body).then_some(&body_ident);
        setter(&p.field, within, true)
    });

    let validate = ep.validates.then(|| {
        let whole = match &ep.body {
            Body::Whole { arg, ty: t } if t.validates() => {
                let a = ident(arg);
                Some(quote!(self.#a))
            }
            _ => None,
        };
        let body = validate_body(&slots(ep), whole);
        quote! {
            /// Checks the schema's validation rules; [`send`](Self::send) does this first.
            #[inline] pub fn validate(&self) -> Result<(), feishu_runtime::Invalid> {
                #body
            }
        }
    });
    // `send` builds the request even when a rule fails (the runtime then sends nothing):
    // that costs nothing that matters and keeps the body one straight line of calls.
    let (check, checked) = if ep.validates {
        (quote!(let checked = self.validate();), quote!(checked))
    } else {
        (quote!(), quote!(Ok(())))
    };
    let send_doc = doc(&if ep.validates {
        vec![
            "Sends the request when the returned future is awaited. The rules of".into(),
            "[`validate`](Self::validate) are checked first; nothing is sent if one fails.".into(),
        ]
    } else {
        vec!["Sends the request when the returned future is awaited.".to_owned()]
    });

    let fills_request = !url_params.is_empty() || !matches!(ep.body, Body::None);
    let request_binding = if fills_request {
        quote!(let mut request)
    } else {
        quote!(let request)
    };
    let fill = ep
        .params
        .iter()
        .filter(|p| matches!(p.location, Location::Path | Location::Query))
        .map(|p| {
            let f = &p.field;
            let i = ident(&f.ident);
            let wire = &f.wire;
            match p.location {
                Location::Path => match f.ty {
                    Ty::String | Ty::Int64String => quote!(request.path_param(&self.#i);),
                    _ => quote!(request.path_param(&self.#i.to_string());),
                },
                // An array is the parameter repeated: `?id=a&id=b`.
                _ if matches!(f.ty, Ty::Array(_)) => quote!(request.query_all(#wire, &self.#i);),
                _ if f.required => quote!(request.query(#wire, &self.#i);),
                _ => quote!(request.query_opt(#wire, &self.#i);),
            }
        });
    let form_fields = ep
        .params
        .iter()
        .filter(|p| p.location == Location::Form)
        .map(|p| {
            let f = &p.field;
            let i = ident(&f.ident);
            let wire = &f.wire;
            match (&f.ty, f.required) {
                (Ty::File, true) => quote!(form.file(#wire, &self.#i);),
                (Ty::File, false) => quote!(form.file_opt(#wire, &self.#i);),
                (_, true) => quote!(form.text(#wire, &self.#i);),
                (_, false) => quote!(form.text_opt(#wire, &self.#i);),
            }
        });
    let set_body = match &ep.body {
        Body::None => quote!(),
        Body::Multipart => quote! {
            let mut form = feishu_runtime::__private::Form::new();
            #(#form_fields)*
            request.multipart(form);
        },
        Body::Fields(_) => quote!(request.json(&self.__body);),
        Body::Whole { arg, .. } => {
            let a = ident(arg);
            quote!(request.json(&self.#a);)
        }
    };
    let ret = match &ep.response {
        Some(r) => {
            let r = ident(r);
            quote!(#r)
        }
        None => quote!(()),
    };
    // A download resolves to the file, streamed; anything else to the typed response.
    let (call_ty, call) = if ep.envelope == Envelope::Binary {
        (
            quote!(feishu_runtime::DownloadCall<'a, #err>),
            quote!(feishu_runtime::DownloadCall::new),
        )
    } else {
        (
            quote!(feishu_runtime::Call<'a, #ret, #err>),
            quote!(feishu_runtime::Call::new),
        )
    };
    let spec = spec(ep, common);
    let stream = ep.pagination.as_ref().map(|pg| {
        let item = ty(&pg.item_ty);
        let resp = ident(ep.response.as_deref().unwrap_or_default());
        let items = ident(&pg.items.ident);
        let has_more = ident(&pg.has_more.ident);
        let token = ident(&pg.token.ident);
        let items_expr = if pg.items.required { quote!(page.#items) } else { quote!(page.#items.unwrap_or_default()) };
        let more_expr = if pg.has_more.required { quote!(page.#has_more) } else { quote!(page.#has_more.unwrap_or(false)) };
        let token_expr = if pg.token.required { quote!(Some(page.#token)) } else { quote!(page.#token) };
        quote! {
            /// Every item of every page, following `page_token` until `has_more` is false.
            // The item type nests as deep as the schema's list does.
            #[allow(clippy::type_complexity)]
            #[inline] pub fn stream(self) -> feishu_runtime::Items<'a, #item, feishu_runtime::Error<#err>> {
                feishu_runtime::__private::paginate(
                    self.__client,
                    &Self::SPEC,
                    self,
                    |request: Self, token: Option<String>| match token {
                        Some(token) => request.page_token(token).send(),
                        None => request.send(),
                    },
                    |page: #resp| feishu_runtime::__private::Page { items: #items_expr, has_more: #more_expr, next: #token_expr },
                )
            }
        }
    });
    let allow = allow_many(ctor_params.len() + 1);
    let complex = super::names::allow_complex(ep.params.iter().map(|p| &p.field));
    let ctor_doc = doc1(format!(
        "A request with every required parameter; see [`{}`].",
        ep.ident
    ));
    quote! {
        #docs
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until `.send()` is awaited"]
        #complex
        pub struct #name<'a> {
            // Internal slots start with `__`: no parameter's name can.
            __client: &'a feishu_runtime::Client,
            #(#slot_decls)*
            #body_decl
            __options: feishu_runtime::RequestOptions,
        }

        // Setters are named after the schema's parameters, which may be `add` or `next`.
        #[allow(clippy::should_implement_trait)]
        #complex
        impl<'a> #name<'a> {
            /// What the runtime needs to know about this endpoint.
            pub const SPEC: feishu_runtime::EndpointSpec = #spec;

            #ctor_doc
            #allow
            #[inline] pub fn new(__client: &'a feishu_runtime::Client, #(#ctor_params),*) -> Self {
                #bind
                Self { __client, #(#url_inits)* #body_init __options: feishu_runtime::RequestOptions::new() }
            }

            #(#setters)*

            /// Per-call options: user token, tenant key, extra headers, request id.
            #[inline] pub fn options(mut self, options: feishu_runtime::RequestOptions) -> Self {
                self.__options = options;
                self
            }

            #validate

            #send_doc
            #[inline] pub fn send(self) -> #call_ty {
                #check
                #request_binding = feishu_runtime::__private::Request::new(&Self::SPEC, self.__options);
                #(#fill)*
                #set_body
                #call(self.__client, request, #checked)
            }

            #stream
        }
    }
}

pub(super) fn spec(ep: &Endpoint, common: &[ErrorCode]) -> TokenStream {
    let rate_limit_codes = ep
        .errors
        .iter()
        .chain(common)
        .filter(|e| e.rate_limit)
        .map(|e| e.code);
    let id = &ep.id;
    let method = format_ident!(
        "{}",
        match ep.method {
            Method::GET => "Get",
            Method::POST => "Post",
            Method::PUT => "Put",
            Method::PATCH => "Patch",
            Method::DELETE => "Delete",
        }
    );
    let host = format_ident!(
        "{}",
        match ep.host {
            Host::Open => "Open",
            Host::Www => "Www",
        }
    );
    let path = &ep.path;
    let tokens = ep.tokens.iter().map(|t| {
        format_ident!(
            "{}",
            match t {
                TokenKind::Tenant => "Tenant",
                TokenKind::App => "App",
                TokenKind::User => "User",
            }
        )
    });
    let idempotent = ep.idempotent;
    let envelope = format_ident!(
        "{}",
        match ep.envelope {
            Envelope::Data => "Data",
            Envelope::Flat => "Flat",
            Envelope::Binary => "Binary",
        }
    );
    quote! {
        feishu_runtime::EndpointSpec {
            id: #id,
            method: feishu_runtime::Method::#method,
            host: feishu_runtime::HostFamily::#host,
            path: #path,
            tokens: &[#(feishu_runtime::TokenKind::#tokens),*],
            idempotent: #idempotent,
            envelope: feishu_runtime::Envelope::#envelope,
            rate_limit_codes: &[#(#rate_limit_codes),*],
        }
    }
}
