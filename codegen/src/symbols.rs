//! The global table of named types and enums, and which module each file belongs to.
//! Names are global across the schema so a reference never depends on which file is
//! read first; the module only decides where the Rust item is emitted.

use std::collections::BTreeMap;

use crate::diagnostic::Pos;
use crate::load::LoadedFile;
use crate::model::{EnumDef, TypeDef};

/// The Rust module a schema file's items go to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModPath {
    /// `schema/common/`: shared items, emitted at the crate root.
    Common,
    /// `schema/<service>/<version>/`: emitted in `feishu::<service>::<version>`.
    Service { service: String, version: String },
}

impl ModPath {
    /// The module a file at `path` (relative to the schema root) belongs to.
    pub fn of_file(path: &str) -> Option<ModPath> {
        let parts: Vec<&str> = path.split('/').collect();
        let ident = |s: &str| {
            s.starts_with(|c: char| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        };
        match parts.as_slice() {
            ["common", _] => Some(ModPath::Common),
            [service, version, _]
                if *service != "common"
                    && ident(service)
                    && version.len() > 1
                    && version.starts_with('v')
                    && version[1..].chars().all(|c| c.is_ascii_digit()) =>
            {
                Some(ModPath::Service {
                    service: (*service).to_owned(),
                    version: (*version).to_owned(),
                })
            }
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub enum SymbolKind<'a> {
    Struct(&'a TypeDef),
    Enum(&'a EnumDef),
}

#[derive(Debug, Clone)]
pub struct Symbol<'a> {
    pub module: ModPath,
    pub kind: SymbolKind<'a>,
    pub file: &'a str,
    pub pos: Pos,
}

/// Every named type and enum, by schema name. The first definition (in path order)
/// wins; validation reports the others.
#[derive(Debug, Default)]
pub struct Symbols<'a> {
    pub by_name: BTreeMap<&'a str, Symbol<'a>>,
}

impl<'a> Symbols<'a> {
    pub fn build(files: &'a [LoadedFile]) -> Self {
        let mut by_name = BTreeMap::new();
        for file in files {
            let Some(module) = ModPath::of_file(&file.path) else {
                continue;
            };
            let structs = file
                .schema
                .types
                .iter()
                .map(|t| (&t.name, SymbolKind::Struct(t)));
            let enums = file
                .schema
                .enums
                .iter()
                .map(|e| (&e.name, SymbolKind::Enum(e)));
            for (name, kind) in structs.chain(enums) {
                by_name.entry(name.value.as_str()).or_insert(Symbol {
                    module: module.clone(),
                    kind,
                    file: &file.path,
                    pos: Pos::of(name),
                });
            }
        }
        Symbols { by_name }
    }

    pub fn get(&self, name: &str) -> Option<&Symbol<'a>> {
        self.by_name.get(name)
    }
}

/// The built-in field types of the schema language.
pub const PRIMITIVES: &[&str] = &[
    "string",
    "bool",
    "i32",
    "i64",
    "f64",
    "int64_string",
    "timestamp_ms",
    "timestamp_ms_int",
    "object",
    "array",
    "map",
    "json",
    "file",
];
