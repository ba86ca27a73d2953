//! JSON conversions of structs and enums: `ToJson` for what is sent, `FromJson` for what
//! is received, and serde's traits on top of them. Each is one non-generic function per
//! type, so the crate compiles in time and memory that grow slowly with its size (see
//! the runtime's `json` module).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::{ident, stored_ty};
use crate::ir::Wire;
use crate::ir::{Enum, FieldIr, Struct, Ty};
use crate::naming::bare;

/// `ToJson` and `Serialize`: every present field under its wire name, one call each.
pub fn struct_to_json(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let fields = s.fields.iter().map(|f| {
        let i = ident(&f.ident);
        let wire = &f.wire;
        match (f.required, &f.ty) {
            // A timestamp sent as a number rather than the usual string of digits.
            (true, Ty::Timestamp { int: true }) => {
                quote!(o.field(#wire, &feishu_runtime::__private::AsNumber(&self.#i));)
            }
            (false, Ty::Timestamp { int: true }) => {
                quote!(o.opt(#wire, &self.#i.as_ref().map(feishu_runtime::__private::AsNumber));)
            }
            (true, _) => quote!(o.field(#wire, &self.#i);),
            (false, _) => quote!(o.opt(#wire, &self.#i);),
        }
    });
    let binding = if s.fields.is_empty() {
        quote!(let o)
    } else {
        quote!(let mut o)
    };
    quote! {
        impl feishu_runtime::__private::json::ToJson for #name {
            #[inline] fn to_json(&self) -> feishu_runtime::serde_json::Value {
                #binding = feishu_runtime::__private::json::Object::new();
                #(#fields)*
                o.finish()
            }
        }
    }
}

/// `FromJson` and `Deserialize`: each field by wire name, one call each; unknown fields
/// are ignored. Required fields are read into locals first (the struct needs their
/// values to exist), optional ones straight into the struct.
pub fn struct_from_json(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    // Locals get a prefix so that no field name can shadow the parameter.
    let local = |f: &FieldIr| format_ident!("slot_{}", bare(&f.ident));
    let read = |f: &FieldIr, place: TokenStream| {
        let wire = &f.wire;
        // Integers carried as strings take either shape; everything else reads strictly.
        match &f.ty {
            Ty::Int64String => {
                quote!(r.read(#wire, &mut feishu_runtime::__private::json::ReadWith(&mut #place, feishu_runtime::__private::json::int64_string));)
            }
            Ty::Array(inner) if **inner == Ty::Int64String => {
                quote!(r.read(#wire, &mut feishu_runtime::__private::json::ReadWith(&mut #place, feishu_runtime::__private::json::int64_strings));)
            }
            _ => quote!(r.read(#wire, &mut #place);),
        }
    };
    let required: Vec<&FieldIr> = s.fields.iter().filter(|f| f.required).collect();
    let decls = required.iter().map(|f| {
        let l = local(f);
        let t = stored_ty(f);
        let read = read(f, quote!(#l));
        quote!(let mut #l: Option<#t> = None; #read)
    });
    let inits = s.fields.iter().map(|f| {
        let i = ident(&f.ident);
        let wire = &f.wire;
        if f.required {
            let l = local(f);
            quote!(#i: r.required(#l, #wire)?,)
        } else {
            quote!(#i: None,)
        }
    });
    let optional = s.fields.iter().filter(|f| !f.required).map(|f| {
        let i = ident(&f.ident);
        read(f, quote!(out.#i))
    });
    let binding = if required.len() == s.fields.len() {
        quote!(let out)
    } else {
        quote!(let mut out)
    };
    let reader = if s.fields.is_empty() {
        quote!(let r)
    } else {
        quote!(let mut r)
    };
    quote! {
        impl feishu_runtime::__private::json::FromJson for #name {
            #[inline] fn from_json(value: feishu_runtime::serde_json::Value) -> Result<Self, feishu_runtime::__private::json::JsonError> {
                #reader = feishu_runtime::__private::json::Reader::new(value);
                #(#decls)*
                #binding = Self { #(#inits)* };
                #(#optional)*
                r.finish(out)
            }
        }
    }
}

/// `From`, `Display`, `ToJson` and `FromJson` of an enum, all through its wire value
/// (`Unknown` included): the same four impls for every enum, so a runtime macro writes
/// them and the generated files stay small.
pub fn enum_json(name: &syn::Ident, wire: Wire) -> TokenStream {
    match wire {
        Wire::Int => quote!(feishu_runtime::int_enum_conversions!(#name);),
        Wire::String => quote!(feishu_runtime::string_enum_conversions!(#name);),
    }
}

/// serde's traits for the types of one file, behind the `serde` feature: even one-call
/// impls cost type checking per type, and the client itself never needs them. They go
/// through the JSON conversions, so there is one wire format; one runtime macro call
/// per file and trait writes them all.
pub fn serde_impls<'a>(
    structs: impl IntoIterator<Item = &'a Struct>,
    enums: &[Enum],
) -> TokenStream {
    let mut serialize = Vec::new();
    let mut deserialize = Vec::new();
    for s in structs {
        let name = ident(&s.ident);
        if s.sends() {
            serialize.push(name.clone());
        }
        if s.receives() {
            deserialize.push(name);
        }
    }
    for e in enums {
        serialize.push(ident(&e.ident));
        deserialize.push(ident(&e.ident));
    }
    let serialize = (!serialize.is_empty()).then(|| {
        quote! {
            #[cfg(feature = "serde")]
            feishu_runtime::serialize_via_json!(#(#serialize),*);
        }
    });
    let deserialize = (!deserialize.is_empty()).then(|| {
        quote! {
            #[cfg(feature = "serde")]
            feishu_runtime::deserialize_via_json!(#(#deserialize),*);
        }
    });
    quote!(#serialize #deserialize)
}
