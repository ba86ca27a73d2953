//! JSON conversions of structs and enums: `ToJson` for what is sent, `FromJson` for what
//! is received, and serde's traits on top of them. Each is one non-generic function per
//! type, so the crate compiles in time and memory that grow slowly with its size (see
//! the runtime's `json` module).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::names::{ident, ty};
use crate::ir::{FieldIr, Struct, Ty};
use crate::model::Wire;
use crate::naming::bare;

/// `ToJson` and `Serialize`: every present field under its wire name.
pub fn struct_to_json(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let fields = s.fields.iter().map(|f| {
        let i = ident(&f.ident);
        let wire = &f.wire;
        if f.required {
            quote!(o.field(#wire, &self.#i);)
        } else {
            quote!(if let Some(v) = &self.#i { o.field(#wire, v); })
        }
    });
    let binding = if s.fields.is_empty() {
        quote!(let o)
    } else {
        quote!(let mut o)
    };
    let serialize = serialize_via_json(&name);
    quote! {
        impl feishu_runtime::json::ToJson for #name {
            #[inline] fn to_json(&self) -> feishu_runtime::serde_json::Value {
                #binding = feishu_runtime::json::Object::new();
                #(#fields)*
                o.finish()
            }
        }
        #serialize
    }
}

/// `FromJson` and `Deserialize`: each field by wire name into a slot; unknown fields
/// are ignored.
pub fn struct_from_json(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    // Locals get a prefix so that no field name can shadow the parameter.
    let slot = |f: &FieldIr| format_ident!("slot_{}", bare(&f.ident));
    let decls = s.fields.iter().map(|f| {
        let i = slot(f);
        let t = ty(&f.ty);
        quote!(let mut #i: Option<#t> = None;)
    });
    let slots = s.fields.iter().map(|f| {
        let i = slot(f);
        let wire = &f.wire;
        // Integers carried as strings take either shape; everything else reads strictly.
        match &f.ty {
            Ty::Int64String => quote!((#wire, &mut feishu_runtime::json::Int64String(&mut #i))),
            Ty::Array(inner) if **inner == Ty::Int64String => {
                quote!((#wire, &mut feishu_runtime::json::Int64Strings(&mut #i)))
            }
            _ => quote!((#wire, &mut #i)),
        }
    });
    let inits = s.fields.iter().map(|f| {
        let i = ident(&f.ident);
        let local = slot(f);
        let wire = &f.wire;
        if f.required {
            quote!(#i: feishu_runtime::json::required(#local, #wire)?,)
        } else {
            quote!(#i: #local,)
        }
    });
    let deserialize = deserialize_via_json(&name);
    quote! {
        impl feishu_runtime::json::FromJson for #name {
            #[inline] fn from_json(value: feishu_runtime::serde_json::Value) -> Result<Self, feishu_runtime::json::JsonError> {
                #(#decls)*
                feishu_runtime::json::read_fields(value, &mut [#(#slots),*])?;
                Ok(Self { #(#inits)* })
            }
        }
        #deserialize
    }
}

/// `ToJson` and `FromJson` of an enum: its wire value, `Unknown` included.
pub fn enum_json(name: &syn::Ident, wire: Wire) -> TokenStream {
    let (to, from) = match wire {
        Wire::Int => (
            quote!(feishu_runtime::serde_json::Value::from(self.value())),
            quote!(<i64 as feishu_runtime::json::FromJson>::from_json(value).map(Self::from_value)),
        ),
        Wire::String => (
            quote!(feishu_runtime::serde_json::Value::from(self.as_str())),
            quote!(
                <String as feishu_runtime::json::FromJson>::from_json(value)
                    .map(|v| Self::from_wire(&v))
            ),
        ),
    };
    let serialize = serialize_via_json(name);
    let deserialize = deserialize_via_json(name);
    quote! {
        impl feishu_runtime::json::ToJson for #name {
            #[inline] fn to_json(&self) -> feishu_runtime::serde_json::Value { #to }
        }
        impl feishu_runtime::json::FromJson for #name {
            #[inline] fn from_json(value: feishu_runtime::serde_json::Value) -> Result<Self, feishu_runtime::json::JsonError> { #from }
        }
        #serialize
        #deserialize
    }
}

// Behind the `serde` feature: even one-call impls cost type checking per type, and the
// client itself never needs them. Being generic, they are compiled only for the
// serializers a caller uses.
fn serialize_via_json(name: &syn::Ident) -> TokenStream {
    quote! {
        #[cfg(feature = "serde")]
        impl feishu_runtime::serde::Serialize for #name {
            fn serialize<S: feishu_runtime::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                feishu_runtime::json::serialize(self, s)
            }
        }
    }
}

fn deserialize_via_json(name: &syn::Ident) -> TokenStream {
    quote! {
        #[cfg(feature = "serde")]
        impl<'de> feishu_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: feishu_runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                feishu_runtime::json::deserialize(d)
            }
        }
    }
}
