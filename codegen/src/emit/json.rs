//! JSON conversions of structs and enums: `ToJson` for what is sent, `FromJson` for what
//! is received, and serde's traits on top of them. Each is one non-generic function per
//! type, so the crate compiles in time and memory that grow slowly with its size (see
//! the runtime's `json` module).

use proc_macro2::TokenStream;
use quote::quote;

use super::names::ident;
use crate::ir::{FieldIr, Struct, Ty};
use crate::model::Wire;

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
            fn to_json(&self) -> feishu_runtime::serde_json::Value {
                #binding = feishu_runtime::json::Object::new();
                #(#fields)*
                o.finish()
            }
        }
        #serialize
    }
}

/// `FromJson` and `Deserialize`: each field by wire name; unknown fields are ignored.
pub fn struct_from_json(s: &Struct) -> TokenStream {
    let name = ident(&s.ident);
    let fields = s.fields.iter().map(read_field);
    let binding = if s.fields.is_empty() {
        quote!(let _)
    } else {
        quote!(let mut f)
    };
    let deserialize = deserialize_via_json(&name);
    quote! {
        impl feishu_runtime::json::FromJson for #name {
            fn from_json(value: feishu_runtime::serde_json::Value) -> Result<Self, feishu_runtime::json::JsonError> {
                #binding = feishu_runtime::json::Fields::new(value)?;
                Ok(Self { #(#fields)* })
            }
        }
        #deserialize
    }
}

fn read_field(f: &FieldIr) -> TokenStream {
    let i = ident(&f.ident);
    let wire = &f.wire;
    // Integers carried as strings take either shape; everything else reads strictly.
    let reader = match &f.ty {
        Ty::Int64String => Some(quote!(feishu_runtime::json::int64_string)),
        Ty::Array(inner) if **inner == Ty::Int64String => {
            Some(quote!(feishu_runtime::json::int64_strings))
        }
        _ => None,
    };
    match (f.required, reader) {
        (true, None) => quote!(#i: f.required(#wire)?,),
        (false, None) => quote!(#i: f.optional(#wire)?,),
        (true, Some(r)) => quote!(#i: f.required_with(#wire, #r)?,),
        (false, Some(r)) => quote!(#i: f.optional_with(#wire, #r)?,),
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
            fn to_json(&self) -> feishu_runtime::serde_json::Value { #to }
        }
        impl feishu_runtime::json::FromJson for #name {
            fn from_json(value: feishu_runtime::serde_json::Value) -> Result<Self, feishu_runtime::json::JsonError> { #from }
        }
        #serialize
        #deserialize
    }
}

// serde's traits are generic, so these bodies are compiled only for the serializers a
// caller actually uses, and they are one call each.
fn serialize_via_json(name: &syn::Ident) -> TokenStream {
    quote! {
        impl feishu_runtime::serde::Serialize for #name {
            fn serialize<S: feishu_runtime::serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                feishu_runtime::json::serialize(self, s)
            }
        }
    }
}

fn deserialize_via_json(name: &syn::Ident) -> TokenStream {
    quote! {
        impl<'de> feishu_runtime::serde::Deserialize<'de> for #name {
            fn deserialize<D: feishu_runtime::serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                feishu_runtime::json::deserialize(d)
            }
        }
    }
}
