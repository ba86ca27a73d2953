//! The schema directory: what its curated files define (they win over the import), and
//! writing the imported files: only files that carry the marker line are ever changed or
//! removed, so a curated file is never overwritten.

use std::collections::BTreeMap;
use std::path::Path;

use feishu_codegen::model::Wire;

use super::merge::Curated;
use super::names::CuratedNames;
use super::render::MARKER;

fn is_imported(bytes: &[u8]) -> bool {
    bytes.starts_with(MARKER.as_bytes())
}

/// Reads the curated files under `out` (every schema file without the marker).
pub fn curated(out: &Path) -> Result<(Curated, CuratedNames), String> {
    let mut ids = Curated::default();
    let mut names = CuratedNames::default();
    if !out.exists() {
        return Ok((ids, names));
    }
    let sources = match feishu_codegen::load::read_dir(out) {
        Ok(s) => s,
        // An empty directory: nothing curated.
        Err(_) if walk(out).map(|f| f.is_empty()).unwrap_or(false) => return Ok((ids, names)),
        Err(d) => return Err(d.to_string()),
    };
    for file in sources.iter().filter(|f| !is_imported(&f.bytes)) {
        let schema = feishu_codegen::load::parse(file).map_err(|d| d.to_string())?;
        let parts: Vec<&str> = file.path.split(['/', '\\']).collect();
        let scope = match parts.as_slice() {
            [service, version, _] => format!("{service}.{version}"),
            [dir, ..] => (*dir).to_owned(),
            [] => String::new(),
        };
        if let Some(ep) = &schema.endpoint {
            ids.endpoint_ids.insert(ep.id.value.clone());
        }
        for t in &schema.types {
            names.types.insert(t.name.value.clone(), scope.clone());
        }
        if let Some(ev) = &schema.event {
            names.types.insert(ev.name.value.clone(), scope.clone());
            if let Some(r) = &ev.reply {
                names.types.insert(r.name.value.clone(), scope.clone());
            }
        }
        for e in &schema.enums {
            let values = e.values.iter().map(|v| v.value.value.clone()).collect();
            names
                .enums
                .insert(e.name.value.clone(), (e.wire == Wire::Int, values));
        }
    }
    Ok((ids, names))
}

/// Every `*.yaml` file under `dir`, relative, `/`-separated, sorted.
fn walk(dir: &Path) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("{}: {e}", d.display()))?;
            let path = entry.path();
            let kind = entry
                .file_type()
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if kind.is_dir() {
                stack.push(path);
            } else if kind.is_file() && path.extension().is_some_and(|x| x == "yaml") {
                let rel = path.strip_prefix(dir).unwrap_or(&path);
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push(parts.join("/"));
            }
        }
    }
    out.sort();
    Ok(out)
}

/// What a write did (or, checking, would do).
#[derive(Debug, Default)]
pub struct Changes {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    pub unchanged: usize,
    /// Paths a curated file already holds: left alone.
    pub kept_curated: Vec<String>,
}

/// Writes `files` (relative path -> text) under `out` and removes imported files no
/// longer produced; with `check`, changes nothing and only reports.
pub fn write(out: &Path, files: &BTreeMap<String, String>, check: bool) -> Result<Changes, String> {
    let mut changes = Changes::default();
    let existing = if out.exists() { walk(out)? } else { Vec::new() };
    for rel in &existing {
        if files.contains_key(rel) {
            continue;
        }
        let path = out.join(rel);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        if is_imported(&bytes) {
            if !check {
                std::fs::remove_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            }
            changes.removed.push(rel.clone());
        }
    }
    for (rel, text) in files {
        let path = out.join(rel);
        match std::fs::read(&path) {
            Ok(old) if !is_imported(&old) => {
                changes.kept_curated.push(rel.clone());
                continue;
            }
            Ok(old) if old == text.as_bytes() => {
                changes.unchanged += 1;
                continue;
            }
            Ok(_) => changes.changed.push(rel.clone()),
            Err(_) => changes.added.push(rel.clone()),
        }
        if check {
            continue;
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        let tmp = path.with_extension("yaml.tmp");
        std::fs::write(&tmp, text).map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(changes)
}
