//! The JSON dump `xtask/import/dump.sh` writes: what the two vendor packages say, with
//! names, types and flags only. Unknown keys are ignored so the dump may carry more.

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct Dump {
    pub format: u32,
    pub sources: Vec<Source>,
    /// lark-mcp tools by tool name (`application.v6.applicationFeedback.list`).
    pub mcp: BTreeMap<String, McpEndpoint>,
    pub oapi: Oapi,
}

#[derive(Debug, Deserialize)]
pub struct Source {
    pub name: String,
    pub version: String,
    pub license: String,
}

#[derive(Debug, Deserialize)]
pub struct McpEndpoint {
    pub method: String,
    pub path: String,
    #[serde(default)]
    pub tokens: Option<Vec<String>>,
    pub path_params: Option<Zod>,
    pub query: Option<Zod>,
    pub body: Option<Zod>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub doc_url: Option<String>,
}

/// One node of a request schema (a zod tree, recorded by dump_mcp.js).
#[derive(Debug, Deserialize)]
pub struct Zod {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub fields: Vec<ZodField>,
    pub items: Option<Box<Zod>>,
    /// Values of `z.enum([...])` or `z.literal(..)`.
    #[serde(rename = "enum")]
    pub values: Option<Vec<serde_json::Value>>,
    /// The `Options:` list of the field: values with names and labels.
    pub options: Option<Vec<ZodOption>>,
}

#[derive(Debug, Deserialize)]
pub struct ZodField {
    pub name: String,
    pub schema: Zod,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ZodOption {
    pub value: serde_json::Value,
    pub name: Option<String>,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Deserialize)]
pub struct Oapi {
    /// By endpoint id (`application.v6.application_feedback.list`).
    pub endpoints: BTreeMap<String, OapiEndpoint>,
    /// Model classes by `service.version.ClassName`.
    pub types: BTreeMap<String, OapiClass>,
}

#[derive(Debug, Deserialize)]
pub struct OapiEndpoint {
    pub method: String,
    pub path: String,
    pub tokens: Vec<String>,
    pub query: Vec<OapiField>,
    pub path_params: Vec<OapiField>,
    pub body: Option<PyType>,
    pub multipart: bool,
    pub download: bool,
    pub response: Option<PyType>,
}

#[derive(Debug, Deserialize)]
pub struct OapiClass {
    pub fields: Vec<OapiField>,
}

#[derive(Debug, Deserialize)]
pub struct OapiField {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: PyType,
}

/// A Python type annotation of the SDK's models.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PyType {
    Str,
    Int,
    Float,
    Bool,
    Any,
    File,
    List { items: Box<PyType> },
    Dict { values: Box<PyType> },
    Ref { name: String },
}

/// Reads a dump: `path` is the JSON file or a directory holding `dump.json`.
pub fn read(path: &std::path::Path) -> Result<Dump, String> {
    let file = if path.is_dir() {
        path.join("dump.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
    let dump: Dump = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    if dump.format != 1 {
        return Err(format!(
            "{}: dump format {} is not understood (expected 1); rerun xtask/import/dump.sh",
            file.display(),
            dump.format
        ));
    }
    Ok(dump)
}
