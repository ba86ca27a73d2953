//! Structs and enums: the named types of the schema and the per-endpoint body and
//! response structs.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_text;
use super::docs::{doc, doc1, enum_doc, field_doc, struct_doc};
use super::json::{enum_json, struct_from_json, struct_to_json};
use super::names::{
    allow_complex, allow_many, arg_ty, field_ty, ident, init_from_arg, required_params,
    stored_value,
};
use super::rules::validate_body;
use crate::ir::Wire;
use crate::ir::{About, Direction, Enum, FieldIr, Struct};
use crate::naming::bare;

/// An event payload's `Event` impl: the glue the runtime's dispatcher needs.
fn event_impl(s: &Struct) -> Option<TokenStream> {
    let About::Event(e) = &s.about else {
        return None;
    };
    let name = ident(&s.ident);
    let event_type = &e.event_type;
    let reply = match &e.reply {
        Some(r) => {
            let r = ident(r);
            quote!(#r)
        }
        None => quote!(feishu_runtime::events::NoReply),
    };
    let deadline = e.deadline_ms.map(|ms| {
        quote!(const PLATFORM_DEADLINE: Option<::std::time::Duration> = Some(::std::time::Duration::from_millis(#ms));)
    });
    Some(quote! {
        impl feishu_runtime::events::Event for #name {
            const EVENT_TYPE: &'static str = #event_type;
            type Reply = #reply;
            #deadline
        }
    })
}

/// A struct, its constructor and setters, and its `Validate` impl where it has rules.
pub fn emit_struct(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let docs = doc(&struct_doc(s));
    // Only named types are built by callers. A body struct lives inside its builder
    // (callers can neither build one nor get one out), so it only needs what the
    // builder derives: each derive costs compile time.
    let named = s.direction == Direction::Both;
    let mut derives = vec![quote!(Clone)];
    if s.direction != Direction::Request {
        derives.push(quote!(PartialEq));
    }
    if !s.has_secret() {
        derives.push(quote!(Debug));
    }
    if named && !s.has_required() {
        derives.push(quote!(Default));
    }
    let to_json = s.sends().then(|| struct_to_json(s));
    let from_json = s.receives().then(|| struct_from_json(s));
    let fields = s.fields.iter().map(field_decl);
    let constructor = named.then(|| constructor_and_setters(s));
    let debug = s.has_secret().then(|| redacting_debug(s));
    let validate = s.validates.then(|| {
        let access: Vec<(&FieldIr, TokenStream)> = s
            .fields
            .iter()
            .map(|f| {
                let i = ident(&f.ident);
                (f, quote!(self.#i))
            })
            .collect();
        let body = validate_body(&access, None);
        quote! {
            impl feishu_runtime::Validate for #name {
                #[inline] fn validate(&self) -> Result<(), feishu_runtime::Invalid> {
                    #body
                }
            }
        }
    });
    // A body struct is the builder's own: callers can neither build nor receive one.
    let vis = if s.direction == Direction::Request {
        quote!(pub(crate))
    } else {
        quote!(pub)
    };
    // Required-argument structs are built with struct literals.
    let non_exhaustive = (s.direction != Direction::Required).then(|| quote!(#[non_exhaustive]));
    let complex = allow_complex(&s.fields);
    let event = event_impl(s);
    quote! {
        #docs
        #[derive(#(#derives),*)]
        #non_exhaustive
        #complex
        #vis struct #name {
            #(#fields)*
        }
        #constructor
        #debug
        #validate
        #event
        #to_json
        #from_json
    }
}

fn field_decl(f: &FieldIr) -> TokenStream {
    let name = ident(&f.ident);
    let docs = doc(&field_doc(f));
    let t = field_ty(f);
    quote! {
        #docs
        pub #name: #t,
    }
}

fn constructor_and_setters(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let required: Vec<&FieldIr> = s.fields.iter().filter(|f| f.required).collect();
    let (params, _, bind) = required_params(&required, None, s.required.as_deref());
    let inits = s.fields.iter().map(|f| {
        if f.required {
            init_from_arg(f, s.required.is_some())
        } else {
            let i = ident(&f.ident);
            quote!(#i: None)
        }
    });
    let setters = s
        .fields
        .iter()
        .filter(|f| !f.required)
        .map(|f| setter(f, None, false));
    let allow = allow_many(params.len());
    let complex = allow_complex(&s.fields);
    let new_doc = if required.is_empty() {
        doc1("An empty value; set fields with the methods below.")
    } else {
        doc1("A value with every required field; set optional ones with the methods below.")
    };
    quote! {
        // Setters are named after the schema's fields, which may be `add` or `next`.
        #[allow(clippy::should_implement_trait)]
        #complex
        impl #name {
            #new_doc
            #allow
            #[inline] pub fn new(#(#params),*) -> Self {
                #bind
                Self { #(#inits),* }
            }
            #(#setters)*
        }
    }
}

/// A consuming setter for an optional field; `within` is the sub-struct holding it
/// (`body` for a builder's body fields), `on_builder` whether it sets a request slot.
pub fn setter(f: &FieldIr, within: Option<&syn::Ident>, on_builder: bool) -> TokenStream {
    let name = ident(&f.ident);
    let setter = ident(&f.setter);
    // On a struct the public field carries the documentation; a builder's slots are
    // private, so its setters carry it instead.
    let docs = if on_builder {
        doc(&field_doc(f))
    } else {
        doc1(format!(
            "Sets [`{0}`](Self::{0}).",
            crate::naming::bare(&f.ident)
        ))
    };
    let t = arg_ty(&f.ty);
    let v = stored_value(f, quote!(value));
    let target = match within {
        Some(w) => quote!(self.#w.#name),
        None => quote!(self.#name),
    };
    quote! {
        #docs
        #[inline] pub fn #setter(mut self, value: #t) -> Self {
            #target = Some(#v);
            self
        }
    }
}

fn redacting_debug(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let text = &s.ident;
    let fields = s.fields.iter().map(|f| {
        let i = ident(&f.ident);
        let label = bare(&f.ident);
        if f.secret {
            quote!(.field(#label, &"<redacted>"))
        } else {
            quote!(.field(#label, &self.#i))
        }
    });
    quote! {
        impl std::fmt::Debug for #name {
            #[inline] fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(#text) #(#fields)* .finish()
            }
        }
    }
}

/// An enum with an `Unknown` variant that keeps any value the schema does not list.
pub fn emit_enum(e: &Enum) -> TokenStream {
    let name = ident(&e.ident);
    let docs = doc(&enum_doc(e));
    let variants = e.variants.iter().map(|v| {
        let i = ident(&v.ident);
        let label = if v.label.is_empty() {
            doc_text::code(&v.value.to_string())
        } else {
            format!(
                "{} ({})",
                doc_text::inline(&v.label),
                doc_text::code(&plain(&v.value))
            )
        };
        let d = doc1(label);
        quote!(#d #i,)
    });
    let idents: Vec<_> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    let json = enum_json(&name, e.wire);
    match e.wire {
        Wire::Int => {
            let values: Vec<i64> = e
                .variants
                .iter()
                .map(|v| v.value.as_i64().unwrap_or_default())
                .collect();
            quote! {
                #docs
                #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                    /// A value the schema does not list, kept as received.
                    Unknown(feishu_runtime::UnknownValue<i64>),
                }
                impl #name {
                    /// Every value the schema lists.
                    pub const KNOWN: &'static [Self] = &[#(Self::#idents),*];
                    /// The value on the wire.
                    #[inline] pub const fn value(self) -> i64 {
                        match self { #(Self::#idents => #values,)* Self::Unknown(v) => v.value() }
                    }
                    /// The variant for a wire value.
                    #[inline] pub const fn from_value(value: i64) -> Self {
                        match value { #(#values => Self::#idents,)* other => Self::Unknown(feishu_runtime::UnknownValue::__new(other)) }
                    }
                }
                #json
            }
        }
        Wire::String => {
            let values: Vec<String> = e.variants.iter().map(|v| plain(&v.value)).collect();
            quote! {
                #docs
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                #[non_exhaustive]
                pub enum #name {
                    #(#variants)*
                    /// A value the schema does not list, kept as received.
                    Unknown(feishu_runtime::UnknownValue<String>),
                }
                impl #name {
                    /// Every value the schema lists.
                    pub const KNOWN: &'static [Self] = &[#(Self::#idents),*];
                    /// The value on the wire.
                    #[inline] pub fn as_str(&self) -> &str {
                        match self { #(Self::#idents => #values,)* Self::Unknown(v) => v.as_str() }
                    }
                    /// The variant for a wire value.
                    #[inline] pub fn from_wire(value: &str) -> Self {
                        match value { #(#values => Self::#idents,)* other => Self::Unknown(feishu_runtime::UnknownValue::__new(other.to_owned())) }
                    }
                }
                #json
            }
        }
    }
}

pub fn plain(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
