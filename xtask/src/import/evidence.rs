//! What lark-mcp's request schemas say about the fields of lark-oapi's model classes:
//! the two are walked side by side, so a field of a class shared by many endpoints
//! collects every endpoint's word on it (sent as a number or a string, required or not,
//! its enum values).

use std::collections::BTreeMap;

use super::dump::{OapiClass, PyType, Zod, ZodOption};

#[derive(Debug, Default, Clone)]
pub struct Evidence {
    /// Seen as `z.number()` / `z.string()` (after arrays are taken off).
    pub number: bool,
    pub string: bool,
    /// Endpoints that list the field, and those of them that require it.
    pub seen: u32,
    pub required: u32,
    /// Enum values (`z.enum`, `z.literal`) and the `Options:` list, by wire value.
    pub values: Vec<serde_json::Value>,
    pub options: Vec<ZodOption>,
}

impl Evidence {
    pub fn is_enum(&self) -> bool {
        !self.values.is_empty() || !self.options.is_empty()
    }

    /// Notes one schema for the field's leaf (arrays taken off).
    pub fn note(&mut self, zod: &Zod) {
        let mut z = zod;
        while let (Some(items), "array") = (&z.items, z.kind.as_str()) {
            z = items;
        }
        match z.kind.as_str() {
            "number" => self.number = true,
            "string" => self.string = true,
            _ => {}
        }
        for v in z.values.iter().flatten() {
            if !self.values.contains(v) {
                self.values.push(v.clone());
            }
        }
        for o in z.options.iter().flatten() {
            if !self.options.iter().any(|x| x.value == o.value) {
                self.options.push(o.clone());
            }
        }
    }
}

/// Evidence by (class, field).
pub type ByField = BTreeMap<(String, String), Evidence>;

/// Walks the lark-oapi type `py` beside the lark-mcp schema `zod` of the same value.
pub fn observe(py: &PyType, zod: &Zod, classes: &BTreeMap<String, OapiClass>, out: &mut ByField) {
    match py {
        PyType::Ref { name } if zod.kind == "object" => {
            let Some(class) = classes.get(name) else {
                return;
            };
            for field in &class.fields {
                let Some(z) = zod.fields.iter().find(|z| z.name == field.name) else {
                    continue;
                };
                let e = out.entry((name.clone(), field.name.clone())).or_default();
                e.seen += 1;
                if !z.schema.optional {
                    e.required += 1;
                }
                e.note(&z.schema);
                observe(&field.ty, &z.schema, classes, out);
            }
        }
        PyType::List { items } if zod.kind == "array" => {
            if let Some(z) = &zod.items {
                observe(items, z, classes, out);
            }
        }
        _ => {}
    }
}

/// Evidence for one parameter (query or path) from its lark-mcp schema.
pub fn of_param(zod: Option<&Zod>, name: &str) -> Option<Evidence> {
    let z = zod?.fields.iter().find(|z| z.name == name)?;
    let mut e = Evidence {
        seen: 1,
        required: u32::from(!z.schema.optional),
        ..Evidence::default()
    };
    e.note(&z.schema);
    Some(e)
}
