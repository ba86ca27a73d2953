//! Turning resolved names and IR types into tokens.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{FieldIr, Ty};

/// An identifier from its resolved text (`r#type` becomes a raw identifier).
pub fn ident(text: &str) -> Ident {
    match text.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(text, Span::call_site()),
    }
}

/// A path such as `crate::application::v6::ClientBadgeNum`.
pub fn path(text: &str) -> TokenStream {
    let segments = text.split("::").map(|s| {
        if s == "crate" {
            quote!(crate)
        } else {
            let i = ident(s);
            quote!(#i)
        }
    });
    quote!(#(#segments)::*)
}

/// The Rust type of a value of `ty`.
pub fn ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::Int64String => quote!(String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Named { path: p, .. } => path(p),
        Ty::Array(inner) => {
            let inner = self::ty(inner);
            quote!(Vec<#inner>)
        }
    }
}

/// The type of a struct field or builder slot: optional fields are `Option`s.
pub fn field_ty(f: &FieldIr) -> TokenStream {
    let t = ty(&f.ty);
    if f.required { t } else { quote!(Option<#t>) }
}

/// How a setter or constructor takes a value: strings as `impl Into<String>`.
pub fn arg_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::Int64String => quote!(impl Into<String>),
        other => self::ty(other),
    }
}

/// A struct-literal field initialised from the same-named argument declared with
/// [`arg_ty`] (shorthand when no conversion is needed).
pub fn init_from_arg(ty: &Ty, name: &Ident) -> TokenStream {
    match ty {
        Ty::String | Ty::Int64String => quote!(#name: #name.into()),
        _ => quote!(#name),
    }
}

/// `#[allow(clippy::too_many_arguments)]` where a constructor needs it.
pub fn allow_many(count: usize) -> TokenStream {
    if count > 6 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        TokenStream::new()
    }
}
