//! `xtask/import/overrides.yaml`: corrections to what the importer decides where the
//! sources are silent or wrong, per endpoint and per field. Read with the same YAML
//! library the generator uses; unknown keys are errors, like in schema files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Values for keys neither source gives, used unless an endpoint says otherwise.
    #[serde(default)]
    pub defaults: Defaults,
    /// By endpoint id.
    #[serde(default)]
    pub endpoints: BTreeMap<String, EndpointOverride>,
    /// Field types, keyed `service.version.Class.field` for model fields and
    /// `endpoint.id:query.name` or `endpoint.id:path.name` for parameters; the value is a
    /// schema type (`i32`, `i64`, `int64_string`, `string`, `timestamp_ms`, ...).
    #[serde(default)]
    pub field_types: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    pub rate_limit: String,
    pub app_types: Vec<String>,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            rate_limit: "special".to_owned(),
            app_types: vec!["custom".to_owned(), "isv".to_owned()],
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EndpointOverride {
    /// Leave the endpoint out; the value says why (it is printed in the report).
    pub skip: Option<String>,
    pub idempotent: Option<bool>,
    pub tokens: Option<Vec<String>>,
    pub rate_limit: Option<String>,
    pub app_types: Option<Vec<String>>,
    pub scopes: Option<Vec<String>>,
    pub doc_url: Option<String>,
    pub summary: Option<String>,
}

/// Reads the overrides file; a missing file means no overrides.
pub fn read(path: &Path) -> Result<Overrides, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_saphyr::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Overrides::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}
