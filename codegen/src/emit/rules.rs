//! The schema's validation rules as code, checked before a request is sent.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::types::plain;
use crate::ir::{FieldIr, NamedKind, Ty};
use crate::lower::ty_validates;
use crate::model::Wire;

/// Checks for `fields`, each read through its access expression (`self.x`,
/// `self.body.x`). `required_when` looks its sibling up among the same fields.
pub fn checks(fields: &[(&FieldIr, TokenStream)]) -> TokenStream {
    fields
        .iter()
        .map(|(f, access)| field_checks(f, access, fields))
        .collect()
}

fn opt(f: &FieldIr, access: &TokenStream, body: TokenStream, by_ref: bool) -> TokenStream {
    if f.required {
        let take = if by_ref {
            quote!(&#access)
        } else {
            quote!(#access)
        };
        quote!({ let v = #take; #body })
    } else if by_ref {
        quote!(if let Some(v) = &#access { #body })
    } else {
        quote!(if let Some(v) = #access { #body })
    }
}

fn field_checks(
    f: &FieldIr,
    access: &TokenStream,
    siblings: &[(&FieldIr, TokenStream)],
) -> TokenStream {
    let wire = &f.wire;
    let mut out = TokenStream::new();
    if let Some((min, max)) = f.rules.range {
        let (min, max) = (bound(min), bound(max));
        // i32 widens losslessly; i64 is already the checked type.
        let widen = if f.ty == Ty::I64 {
            quote!(v)
        } else {
            quote!(i64::from(v))
        };
        out.extend(opt(
            f,
            access,
            quote!(feishu_runtime::check_range(#wire, #widen, #min, #max)?;),
            false,
        ));
    }
    if let Some((min, max)) = f.rules.length {
        let (min, max) = (bound(min), bound(max));
        out.extend(opt(
            f,
            access,
            quote!(feishu_runtime::check_length(#wire, v, #min, #max)?;),
            true,
        ));
    }
    match &f.ty {
        Ty::Array(inner) if ty_validates(inner) => {
            out.extend(opt(
                f,
                access,
                quote!(feishu_runtime::check_each(#wire, v)?;),
                true,
            ));
        }
        t if ty_validates(t) => {
            out.extend(opt(
                f,
                access,
                quote!(feishu_runtime::Validate::validate(v).map_err(|e| e.within(#wire))?;),
                true,
            ));
        }
        _ => {}
    }
    if let Some(rw) = &f.rules.required_when
        && let Some((other, other_access)) = siblings.iter().find(|(s, _)| s.ident == rw.field)
    {
        {
            let cond = equals(other, other_access, &rw.equals);
            let other_wire = &rw.wire_field;
            let shown = plain(&rw.equals);
            out.extend(quote! {
                if #cond && #access.is_none() {
                    return Err(feishu_runtime::Invalid::required_when(#wire, #other_wire, #shown));
                }
            });
        }
    }
    out
}

fn bound(b: Option<i64>) -> TokenStream {
    match b {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// `true` when the field read by `access` has the wire value `value`.
fn equals(f: &FieldIr, access: &TokenStream, value: &Value) -> TokenStream {
    let test = match (&f.ty, value) {
        (
            Ty::Named {
                kind: NamedKind::Enum(Wire::Int),
                ..
            },
            v,
        ) => {
            let n = v.as_i64().unwrap_or_default();
            quote!(v.value() == #n)
        }
        (
            Ty::Named {
                kind: NamedKind::Enum(Wire::String),
                ..
            },
            v,
        ) => {
            let s = plain(v);
            quote!(v.as_str() == #s)
        }
        (Ty::Bool, v) => {
            let b = v.as_bool().unwrap_or_default();
            quote!(*v == #b)
        }
        (Ty::I32, v) => {
            let n = v.as_i64().unwrap_or_default() as i32;
            quote!(*v == #n)
        }
        (Ty::I64, v) => {
            let n = v.as_i64().unwrap_or_default();
            quote!(*v == #n)
        }
        (_, v) => {
            let s = plain(v);
            quote!(v == #s)
        }
    };
    if f.required {
        quote!({ let v = &#access; #test })
    } else {
        quote!(matches!(&#access, Some(v) if #test))
    }
}
