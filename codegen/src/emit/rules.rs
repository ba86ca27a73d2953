//! The schema's validation rules as code, checked before a request is sent.

use proc_macro2::TokenStream;
use quote::quote;
use serde_json::Value;

use super::types::plain;
use crate::ir::Wire;
use crate::ir::{FieldIr, NamedKind, Ty};

/// The body of a `validate` function: the rules of `fields`, each read through its
/// access expression (`self.x`, `self.body.x`), then those of `whole`, the value that is
/// the entire body. `required_when` looks its sibling up among the same fields. Each
/// rule is one call on the runtime's `Checks`, which keeps the first broken one.
pub fn validate_body(
    fields: &[(&FieldIr, TokenStream)],
    whole: Option<TokenStream>,
) -> TokenStream {
    let rules: TokenStream = fields
        .iter()
        .map(|(f, access)| field_checks(f, access, fields))
        .collect();
    let whole = whole.map(|value| quote!(c.whole(&#value);));
    quote! {
        let mut c = feishu_runtime::__private::Checks::new();
        #rules
        #whole
        c.finish()
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
        out.extend(quote!(c.range(#wire, &#access, #min, #max);));
    }
    if let Some((min, max)) = f.rules.length {
        let (min, max) = (bound(min), bound(max));
        out.extend(quote!(c.length(#wire, &#access, #min, #max);));
    }
    // Optional values and lists validate through the runtime's impls for them.
    if f.ty.validates() {
        out.extend(quote!(c.nested(#wire, &#access);));
    }
    if let Some(rw) = &f.rules.required_when
        && let Some((other, other_access)) = siblings.iter().find(|(s, _)| s.ident == rw.field)
    {
        let cond = equals(other, other_access, &rw.equals);
        let other_wire = &rw.wire_field;
        let shown = plain(&rw.equals);
        out.extend(quote! {
            c.required_when(#wire, #cond && #access.is_none(), #other_wire, #shown);
        });
    }
    out
}

fn bound(b: Option<i64>) -> TokenStream {
    match b {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// `true` when the field read by `access` has the wire value `value`: a comparison on
/// the field itself when it is required, a `matches!` on its `Some` when it is not.
fn equals(f: &FieldIr, access: &TokenStream, value: &Value) -> TokenStream {
    // `v` is bound by reference in the `matches!` arm; a required field is read in place.
    let (subject, place) = if f.required {
        (access.clone(), access.clone())
    } else {
        (quote!(v), quote!(*v))
    };
    let test = match (&f.ty, value) {
        (
            Ty::Named {
                kind: NamedKind::Enum(Wire::Int),
                ..
            },
            v,
        ) => {
            let n = v.as_i64().unwrap_or_default();
            quote!(#subject.value() == #n)
        }
        (
            Ty::Named {
                kind: NamedKind::Enum(Wire::String),
                ..
            },
            v,
        ) => {
            let s = plain(v);
            quote!(#subject.as_str() == #s)
        }
        // The value itself, or its negation: `== true` is a lint of its own.
        (Ty::Bool, v) if v.as_bool().unwrap_or_default() => quote!(#place),
        (Ty::Bool, _) => quote!(!#place),
        (Ty::I32, v) => {
            let n = v.as_i64().unwrap_or_default() as i32;
            quote!(#place == #n)
        }
        (Ty::I64, v) => {
            let n = v.as_i64().unwrap_or_default();
            quote!(#place == #n)
        }
        (_, v) => {
            let s = plain(v);
            quote!(#subject == #s)
        }
    };
    if f.required {
        test
    } else {
        quote!(matches!(#access.as_ref(), Some(v) if #test))
    }
}
