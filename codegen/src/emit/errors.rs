//! Error-code enums. The common codes (schema/common) live once in the common crate:
//! `CommonError`, which lets a caller handle them whatever the endpoint, and
//! `GeneralError`, the error enum of every endpoint that documents no codes of its own
//! (most of the published surface). Such an endpoint's `…Error` is an alias of it, so
//! the surface does not repeat the same eight-variant enum and its two `match`es a
//! thousand times; an endpoint with codes of its own gets its own enum, common codes
//! included, and a match on `…Error::RateLimited` reads the same either way.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_text;
use super::docs::{doc, doc1};
use super::names::ident;
use crate::ir::{Endpoint, ErrorCode};

/// The enum every endpoint without codes of its own answers with.
pub const GENERAL: &str = "GeneralError";

/// Whether `ep`'s error type is an alias of [`GENERAL`].
pub fn is_general(ep: &Endpoint) -> bool {
    ep.errors.is_empty()
}

/// `common/src/errors.rs`: `CommonError` and `GeneralError`.
pub fn common_file(common: &[ErrorCode]) -> TokenStream {
    let common_enum = common_error_enum(common);
    let general = code_enum(
        GENERAL,
        common,
        doc(&[
            "The error codes of an endpoint that documents none of its own: those any endpoint can return.".into(),
            String::new(),
            "Such an endpoint's `…Error` type is an alias of this one. Match on it through [`feishu_runtime::Error::Api`]; a code not listed arrives as `Unknown(_)`, which a match cannot name by number, so documenting a code later never changes what a match means.".into(),
        ]),
    );
    quote! {
        #common_enum
        #general
    }
}

/// An endpoint's error type: an alias of [`GENERAL`], or its own enum.
pub fn endpoint_errors(ep: &Endpoint, common: &[ErrorCode]) -> TokenStream {
    let name = ident(&ep.error_ident);
    if is_general(ep) {
        let general = ident(GENERAL);
        let d = doc(&[format!(
            "Error codes of [`{}`]: it documents none of its own, so those any endpoint can return.",
            ep.ident
        )]);
        return quote! {
            #d
            pub type #name = crate::#general;
        };
    }
    let all: Vec<&ErrorCode> = ep.errors.iter().chain(common).collect();
    let docs = doc(&[
        format!("Error codes of [`{}`]: the documented ones, then those any endpoint can return.", ep.ident),
        String::new(),
        "Match on it through [`feishu_runtime::Error::Api`]; a code not listed arrives as `Unknown(_)`, which a match cannot name by number, so documenting a code later never changes what a match means.".into(),
    ]);
    code_enum(&ep.error_ident, all, docs)
}

/// An enum of codes with an `Unknown` variant, implementing `feishu_runtime::ErrorCode`.
fn code_enum<'a>(
    name: &str,
    codes: impl IntoIterator<Item = &'a ErrorCode>,
    docs: TokenStream,
) -> TokenStream {
    let all: Vec<&ErrorCode> = codes.into_iter().collect();
    let name = ident(name);
    let variants = all.iter().map(|e| {
        let i = ident(&e.ident);
        let d = doc(&[
            format!(
                "`{}` (HTTP {}): {}",
                e.code,
                e.http,
                doc_text::inline(&e.message)
            ),
            String::new(),
            doc_text::inline(&e.hint),
        ]);
        quote!(#d #i,)
    });
    let idents: Vec<_> = all.iter().map(|e| ident(&e.ident)).collect();
    let codes: Vec<i64> = all.iter().map(|e| e.code).collect();
    // A `match` with nothing but a catch-all arm is a lint of its own.
    let from_code = if all.is_empty() {
        quote!(Self::Unknown(feishu_runtime::UnknownValue::__new(code)))
    } else {
        quote!(match code { #(#codes => Self::#idents,)* other => Self::Unknown(feishu_runtime::UnknownValue::__new(other)) })
    };
    quote! {
        #docs
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A code this endpoint does not document.
            Unknown(feishu_runtime::UnknownValue<i64>),
        }
        impl #name {
            /// The numeric code.
            #[inline] pub const fn code(self) -> i64 {
                match self { #(Self::#idents => #codes,)* Self::Unknown(code) => code.value() }
            }
        }
        impl feishu_runtime::ErrorCode for #name {
            #[inline] fn from_code(code: i64) -> Self {
                #from_code
            }
            #[inline] fn code(&self) -> i64 { (*self).code() }
        }
    }
}

/// `CommonError`: the codes any endpoint can return (schema/common), so a caller handles
/// them once, whatever the endpoint's own error enum.
fn common_error_enum(errors: &[ErrorCode]) -> TokenStream {
    let variants = errors.iter().map(|e| {
        let i = ident(&e.ident);
        let d = doc1(format!(
            "`{}` (HTTP {}): {}",
            e.code,
            e.http,
            doc_text::inline(&e.message)
        ));
        quote!(#d #i,)
    });
    let idents: Vec<_> = errors.iter().map(|e| ident(&e.ident)).collect();
    let codes: Vec<i64> = errors.iter().map(|e| e.code).collect();
    // A `match` with nothing but a wildcard arm is a lint of its own.
    let from_code = if errors.is_empty() {
        quote!(let _ = code; None)
    } else {
        quote!(match code { #(#codes => Some(Self::#idents),)* _ => None })
    };
    quote! {
        /// The error codes any endpoint can return. Every endpoint's error enum has them
        /// too; this one lets a caller handle them once: `CommonError::of(&error)`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum CommonError {
            #(#variants)*
        }

        impl CommonError {
            /// Every common code.
            pub const KNOWN: &'static [Self] = &[#(Self::#idents),*];

            /// The numeric code.
            #[inline] pub const fn code(self) -> i64 {
                match self { #(Self::#idents => #codes,)* }
            }

            /// The common code `code` stands for, if it is one.
            #[inline] pub const fn from_code(code: i64) -> Option<Self> {
                #from_code
            }

            /// The common code of an API error from any endpoint (or of the token fetch
            /// it needed), if it is one.
            #[inline] pub fn of<C>(error: &feishu_runtime::Error<C>) -> Option<Self> {
                error.raw_code().and_then(Self::from_code)
            }
        }
    }
}
