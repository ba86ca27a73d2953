//! Stage 1, load: read `schema/**/*.yaml` into [`crate::model`] structs. Every file is
//! parsed even when an earlier one failed, so one run reports every problem. Input is
//! bounded (file size, nesting depth, node count) so a hostile or broken file costs
//! little and never panics.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Pos};
use crate::model::SchemaFile;

/// Largest schema file accepted. The biggest real file is a few KiB; anything near this
/// is a mistake (a pasted dump, a generated blob) and is rejected before parsing.
pub const MAX_FILE_BYTES: usize = 256 * 1024;
/// Deepest YAML nesting accepted. Real files nest objects about 8 levels deep.
pub const MAX_DEPTH: usize = 24;
/// Most YAML nodes accepted in one file.
pub const MAX_NODES: usize = 50_000;

/// A schema file as read from disk: its path relative to the schema root (with `/`
/// separators, which is also how diagnostics name it) and its bytes.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// A schema file that parsed.
#[derive(Debug)]
pub struct LoadedFile {
    pub path: String,
    pub schema: SchemaFile,
}

/// Reads every `*.yaml` file under `root`. The order does not matter to later stages:
/// they sort by path themselves.
pub fn read_dir(root: &Path) -> Result<Vec<SourceFile>, Diagnostic> {
    let mut files = Vec::new();
    collect(root, root, &mut files)?;
    Ok(files)
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) -> Result<(), Diagnostic> {
    let io_error = |path: &Path, e: std::io::Error| {
        Diagnostic::new(&path.display().to_string(), Pos::default(), e.to_string())
            .with_hint("check that the schema directory exists and is readable")
    };
    let entries = std::fs::read_dir(dir).map_err(|e| io_error(dir, e))?;
    for entry in entries {
        let path = entry.map_err(|e| io_error(dir, e))?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(SourceFile {
                path: rel.join("/"),
                bytes,
            });
        }
    }
    Ok(())
}

/// Parses every file; returns those that parsed and a diagnostic for each that did not.
pub fn parse_all(files: &[SourceFile]) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    let mut loaded = Vec::new();
    let mut problems = Vec::new();
    for (file, parsed) in files.iter().zip(crate::parallel::par_map(files, parse)) {
        match parsed {
            Ok(schema) => loaded.push(LoadedFile {
                path: file.path.clone(),
                schema,
            }),
            Err(d) => problems.push(d),
        }
    }
    loaded.sort_by(|a, b| a.path.cmp(&b.path));
    (loaded, problems)
}

/// Parses one file.
pub fn parse(file: &SourceFile) -> Result<SchemaFile, Diagnostic> {
    let at = |pos: Pos, msg: String| Diagnostic::new(&file.path, pos, msg);
    if file.bytes.len() > MAX_FILE_BYTES {
        return Err(at(
            Pos::START,
            format!(
                "file is {} bytes, over the {MAX_FILE_BYTES}-byte limit for a schema file",
                file.bytes.len()
            ),
        )
        .with_hint("split it: one endpoint per file, shared types in their own file"));
    }
    let text = std::str::from_utf8(&file.bytes).map_err(|e| {
        let pos = pos_of_byte(&file.bytes, e.valid_up_to());
        at(pos, "file is not valid UTF-8 text".into())
            .with_hint("schema files are UTF-8 YAML; is this a binary file in schema/?")
    })?;
    if text.trim().is_empty() {
        return Err(at(Pos::START, "file is empty".into()).with_hint(
            "declare an `endpoint`, or `types`, `enums` or `errors`, or delete the file",
        ));
    }
    let schema: SchemaFile =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| yaml_error(file, &e))?;
    if schema.endpoint.is_none()
        && schema.types.is_empty()
        && schema.enums.is_empty()
        && schema.errors.is_empty()
    {
        return Err(at(Pos::START, "file declares nothing".into()).with_hint(
            "declare an `endpoint`, or `types`, `enums` or `errors`, or delete the file",
        ));
    }
    Ok(schema)
}

fn options() -> serde_saphyr::Options {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    budget.max_nodes = MAX_NODES;
    budget.max_total_scalar_bytes = MAX_FILE_BYTES;
    budget.max_aliases = 0;
    budget.max_anchors = 0;
    budget.max_documents = 1;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options.with_snippet = false;
    options
}

/// Turns a parser or type error into a diagnostic at the position the parser reports.
fn yaml_error(file: &SourceFile, e: &serde_saphyr::Error) -> Diagnostic {
    let pos = e.location().map(Pos::from).filter(|p| p.line > 0);
    let text = e.without_snippet().to_string();
    // The parser appends " at line L, column C" itself; the position is already in front.
    let message = explain_budget(strip_position_suffix(&text));
    let hint = hint_for(&message);
    let d = Diagnostic::new(&file.path, pos.unwrap_or(Pos::START), message);
    match hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

fn strip_position_suffix(text: &str) -> String {
    let first = text.lines().next().unwrap_or_default().trim();
    match first.rfind(" at line ") {
        Some(i) => first[..i].to_owned(),
        None => first.to_owned(),
    }
}

/// Budget breaches come as `budget breached: Depth { depth: 25 }`; say it in words.
fn explain_budget(message: String) -> String {
    let Some(detail) = message.strip_prefix("budget breached: ") else {
        return message;
    };
    let number: String = detail.chars().filter(|c| c.is_ascii_digit()).collect();
    if detail.starts_with("Depth") {
        format!("YAML nested {number} levels deep, over the input budget of {MAX_DEPTH}")
    } else if detail.starts_with("Nodes") {
        format!("more than {MAX_NODES} YAML nodes, over the input budget")
    } else {
        format!("input budget exceeded ({detail})")
    }
}

/// Fixes for the messages people meet most often.
fn hint_for(message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    if m.contains("unknown field") {
        let field = message.split('`').nth(1).unwrap_or_default();
        let expected = message.split("expected one of ").nth(1).unwrap_or_default();
        let keys = expected.split(", ").map(str::trim);
        return Some(match crate::naming::closest(field, keys) {
            Some(key) => format!("did you mean `{key}`? schema/README.md lists every key"),
            None => "remove the key or correct its spelling; schema/README.md lists every key"
                .to_owned(),
        });
    }
    let hint = if m.contains("missing field") {
        "add the key; schema/README.md says what each section requires"
    } else if m.contains("tab") {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else if m.contains("budget") || m.contains("depth") || m.contains("limit") {
        "schema files are small and shallow; flatten the structure or split the file"
    } else if m.contains("unknown variant") {
        "use one of the values the message lists"
    } else if m.contains("invalid") {
        "give the value the type schema/README.md documents for this key (true/false, a number, a string, a list)"
    } else {
        "check the YAML syntax at this position: brackets, quotes, `:` after keys, `- ` before list items"
    };
    Some(hint.to_owned())
}

/// Line and column (1-based, in characters) of a byte offset.
fn pos_of_byte(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u64
        + 1;
    Pos { line, column }
}
