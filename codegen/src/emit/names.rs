//! Turning resolved names and IR types into tokens.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{FieldIr, Ty};
use crate::symbols::ModPath;

/// An identifier from its resolved text (`r#type` becomes a raw identifier).
pub fn ident(text: &str) -> Ident {
    match text.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(text, Span::call_site()),
    }
}

/// `crate::service::version::Name`, `crate::Name` (common), or `Name` (same module).
pub fn type_path(module: Option<&ModPath>, name: &str) -> TokenStream {
    let name = ident(name);
    match module {
        None => quote!(#name),
        Some(ModPath::Common) => quote!(crate::#name),
        Some(ModPath::Service { service, version }) => {
            let (s, v) = (ident(service), ident(version));
            quote!(crate::#s::#v::#name)
        }
    }
}

/// The Rust type of a value of `ty`.
pub fn ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::Int64String => quote!(String),
        Ty::Bool => quote!(bool),
        Ty::I32 => quote!(i32),
        Ty::I64 => quote!(i64),
        Ty::F64 => quote!(f64),
        Ty::Named { module, ident, .. } => type_path(module.as_ref(), ident),
        Ty::Array(inner) => {
            let inner = self::ty(inner);
            quote!(Vec<#inner>)
        }
        Ty::Map(inner) => {
            let inner = self::ty(inner);
            quote!(::std::collections::BTreeMap<String, #inner>)
        }
        Ty::Json => quote!(feishu_runtime::serde_json::Value),
        Ty::File => quote!(feishu_runtime::FilePart),
        Ty::Timestamp { .. } => quote!(feishu_runtime::Timestamp),
    }
}

/// The type a field's value is stored as: boxed when it holds its own struct again.
pub fn stored_ty(f: &FieldIr) -> TokenStream {
    let t = ty(&f.ty);
    if f.boxed { quote!(Box<#t>) } else { t }
}

/// The type of a struct field or builder slot: optional fields are `Option`s.
pub fn field_ty(f: &FieldIr) -> TokenStream {
    let t = stored_ty(f);
    if f.required { t } else { quote!(Option<#t>) }
}

/// A value taken as [`arg_ty`] converted to the field's [`stored_ty`].
pub fn stored_value(f: &FieldIr, value: TokenStream) -> TokenStream {
    let value = match f.ty {
        Ty::String | Ty::Int64String => quote!(#value.into()),
        _ => value,
    };
    if f.boxed {
        quote!(Box::new(#value))
    } else {
        value
    }
}

/// How a setter or constructor takes a value: strings as `impl Into<String>`.
pub fn arg_ty(ty: &Ty) -> TokenStream {
    match ty {
        Ty::String | Ty::Int64String => quote!(impl Into<String>),
        other => self::ty(other),
    }
}

/// A struct-literal field initialised from its constructor argument (named like the
/// field's setter, declared with [`arg_ty`], or `plain` when it came out of a
/// `…Required` struct and needs no conversion); shorthand when nothing differs.
pub fn init_from_arg(f: &FieldIr, plain: bool) -> TokenStream {
    let field = ident(&f.ident);
    let arg = ident(&f.setter);
    let converts = !plain && matches!(f.ty, Ty::String | Ty::Int64String);
    if f.setter == f.ident && !f.boxed && !converts {
        return quote!(#field);
    }
    let value = if converts {
        stored_value(f, quote!(#arg))
    } else if f.boxed {
        quote!(Box::new(#arg))
    } else {
        quote!(#arg)
    };
    quote!(#field: #value)
}

/// A constructor's required arguments: positional (`name: impl Into<String>`, ...), or
/// one `required: XRequired` struct. Returns the parameter list, the arguments that
/// pass the same values on (for a method that forwards to the constructor), and a
/// statement that binds each argument's name inside the constructor.
pub fn required_params(
    args: &[&FieldIr],
    extra: Option<(&Ident, TokenStream)>,
    required: Option<&str>,
) -> (Vec<TokenStream>, Vec<TokenStream>, TokenStream) {
    if let Some(r) = required {
        let r = ident(r);
        let names = args
            .iter()
            .map(|f| ident(&f.setter))
            .chain(extra.as_ref().map(|(i, _)| (*i).clone()));
        let bind = quote!(let #r { #(#names),* } = required;);
        return (vec![quote!(required: #r)], vec![quote!(required)], bind);
    }
    let mut params: Vec<TokenStream> = args
        .iter()
        .map(|f| {
            let i = ident(&f.setter);
            let t = arg_ty(&f.ty);
            quote!(#i: #t)
        })
        .collect();
    let mut forward: Vec<TokenStream> = args
        .iter()
        .map(|f| {
            let i = ident(&f.setter);
            quote!(#i)
        })
        .collect();
    if let Some((i, t)) = extra {
        params.push(quote!(#i: #t));
        forward.push(quote!(#i));
    }
    (params, forward, TokenStream::new())
}

/// `#[allow(clippy::type_complexity)]` where a field's type nests collections three deep
/// or more (`map<array<map<...>>>`): the schema says so, and an alias would only hide it.
pub fn allow_complex<'f>(fields: impl IntoIterator<Item = &'f FieldIr>) -> TokenStream {
    fn depth(ty: &Ty) -> usize {
        match ty {
            Ty::Array(inner) | Ty::Map(inner) => 1 + depth(inner),
            _ => 0,
        }
    }
    if fields.into_iter().any(|f| depth(&f.ty) >= 3) {
        quote!(#[allow(clippy::type_complexity)])
    } else {
        TokenStream::new()
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
