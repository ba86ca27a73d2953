//! Stage 1, load: read `schema/**/*.yaml` into [`crate::model`] structs. Every file is
//! parsed even when an earlier one failed, so one run reports every problem. Input is
//! bounded (file size, nesting depth, node count) so a hostile or broken file costs
//! little and never panics.

use std::fs::FileType;
use std::io::Read;
use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, Pos};
use crate::model::{SchemaFile, TypeDef};

/// Largest schema file accepted: 1 MiB, checked before parsing. Most files are a few
/// KiB, but an endpoint file holds its whole request and response, inline objects
/// included, and the docx block endpoints are legitimately over the former 256 KiB: a
/// block is a union of dozens of block kinds, each with its own nested text, element
/// and style objects, described in Chinese (three bytes a character), in the request
/// and again in the response. 1 MiB is four times the old limit, room for those and
/// for what the vendor adds to them; a 1 MiB file of nested inline objects parses in
/// about 40 ms (release build) with a peak of about 10 MiB for the whole process, so
/// the limit still stops a pasted dump or a runaway generated file cheaply.
pub const MAX_FILE_BYTES: usize = 1024 * 1024;
/// Deepest YAML nesting accepted. Every object level of a schema costs two YAML levels
/// (a `fields:` sequence and a field's mapping); the deepest real path, a docx block's
/// text element style link inside a request body (`body` > `children` > `text` >
/// `elements` > `text_run` > `text_element_style` > `link` > `url`, with a rule on it),
/// is 18 levels. 24 leaves room, and keeps the recursion of every stage shallow.
pub const MAX_DEPTH: usize = 24;
/// Most YAML nodes (mappings, sequences, scalars) accepted in one file: 200,000, the
/// same ratio to [`MAX_FILE_BYTES`] as before (one node per 5.2 bytes). The densest real
/// files, compact flow mappings without descriptions, run 8.5 bytes a node, so any file
/// that looks like a schema meets the byte limit first; this one only stops files of
/// tiny scalars (`[0,0,0,...]`, 2 bytes a node), which cost memory per node.
pub const MAX_NODES: usize = 200_000;

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

/// Reads every schema file under `root`: names ending in `.yaml` or `.yml`, in any
/// letter case. The order does not matter to later stages: they sort by path themselves.
///
/// - Hidden entries (names starting with `.`) are skipped: version-control data and
///   editor lock and swap files such as the dangling `.#a.yaml` link Emacs leaves.
///   Editor backups (`a.yaml~`, `#a.yaml#`) do not end in `.yaml` and are not read.
/// - Every other entry must be a directory or a regular file. Symbolic links are never
///   followed and, like FIFOs, sockets and devices, are an error naming the entry: a
///   link could pull in files from anywhere or read without end (`/dev/zero`), a FIFO
///   would block the run, and skipping them quietly would drop part of the API.
/// - A file is read only up to [`MAX_FILE_BYTES`] + 1 bytes, so one that is larger
///   than its metadata said (or grows while read) still costs a bounded amount.
/// - A tree without any schema file is an error: it would generate an empty crate.
pub fn read_dir(root: &Path) -> Result<Vec<SourceFile>, Diagnostics> {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    collect(root, root, &mut files, &mut problems);
    if problems.is_empty() && files.is_empty() {
        problems.push(
            Diagnostic::new(
                &root.display().to_string(),
                Pos::default(),
                format!("no *.yaml or *.yml files under {}", root.display()),
            )
            .with_hint(
                "point --schema at the schema directory; regen will not generate an empty crate",
            ),
        );
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(Diagnostics::sorted(problems))
    }
}

fn collect(root: &Path, dir: &Path, files: &mut Vec<SourceFile>, problems: &mut Vec<Diagnostic>) {
    let io_error = |path: &Path, e: std::io::Error| {
        Diagnostic::new(&path.display().to_string(), Pos::default(), e.to_string())
            .with_hint("check that the schema directory exists and is readable")
    };
    let entries = match std::fs::read_dir(dir).and_then(|it| it.collect::<Result<Vec<_>, _>>()) {
        Ok(entries) => entries,
        Err(e) => {
            problems.push(io_error(dir, e));
            return;
        }
    };
    let mut entries: Vec<_> = entries
        .into_iter()
        .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .collect();
    // Sorted so diagnostics and reads do not depend on the directory's order.
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let rel = relative(root, &path);
        // `DirEntry::file_type` does not follow symbolic links.
        let kind = match entry.file_type() {
            Ok(kind) => kind,
            Err(e) => {
                problems.push(io_error(&path, e));
                continue;
            }
        };
        if kind.is_dir() {
            collect(root, &path, files, problems);
        } else if !kind.is_file() {
            problems.push(not_regular(&rel, kind));
        } else if is_schema_name(&path) {
            // Refused by size before reading, so a huge file is never loaded at all.
            match entry.metadata().map(|m| m.len()) {
                Ok(size) if size > MAX_FILE_BYTES as u64 => {
                    problems.push(too_big(&rel, Some(size)))
                }
                Ok(_) => match read_bounded(&path) {
                    // It grew since its metadata was read.
                    Ok(bytes) if bytes.len() > MAX_FILE_BYTES => problems.push(too_big(&rel, None)),
                    Ok(bytes) => files.push(SourceFile { path: rel, bytes }),
                    Err(e) => problems.push(io_error(&path, e)),
                },
                Err(e) => problems.push(io_error(&path, e)),
            }
        }
    }
}

/// `*.yaml` or `*.yml`, in any letter case: `a.YAML` is a schema file, not a stray one.
fn is_schema_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"))
}

/// At most `MAX_FILE_BYTES + 1` bytes: enough to tell that a file is over the limit,
/// whatever its metadata said.
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `a/b.yaml`: the path relative to the schema root with `/` separators.
fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let rel: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    rel.join("/")
}

fn not_regular(rel: &str, kind: FileType) -> Diagnostic {
    let (what, hint) = if kind.is_symlink() {
        (
            "a symbolic link",
            "links in the schema are not followed; replace it with a copy of what it points to",
        )
    } else {
        (
            "a FIFO, socket or device",
            "move it out of the schema directory",
        )
    };
    Diagnostic::new(
        rel,
        Pos::default(),
        format!("{what}, not a regular file or directory"),
    )
    .with_hint(hint)
}

/// A file over [`MAX_FILE_BYTES`]; `size` when it is known.
fn too_big(file: &str, size: Option<u64>) -> Diagnostic {
    let size = size.map(|n| format!(" {n} bytes,")).unwrap_or_default();
    Diagnostic::new(
        file,
        Pos::START,
        format!("file is{size} over the {MAX_FILE_BYTES}-byte limit for a schema file"),
    )
    .with_hint("split it: one endpoint per file, shared types in their own file")
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
        return Err(too_big(&file.path, Some(file.bytes.len() as u64)));
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
    let mut schema: SchemaFile =
        serde_saphyr::from_str_with_options(text, options()).map_err(|e| yaml_error(file, &e))?;
    event_types(&mut schema);
    if schema.endpoint.is_none()
        && schema.types.is_empty()
        && schema.enums.is_empty()
        && schema.errors.is_empty()
    {
        return Err(at(Pos::START, "file declares nothing".into()).with_hint(
            "declare an `endpoint` or an `event`, or `types`, `enums` or `errors`, or delete the file",
        ));
    }
    Ok(schema)
}

/// An event's payload and a callback's reply are named types of the file (first, in
/// that order), so every later stage checks, names and emits them as it does any type.
fn event_types(schema: &mut SchemaFile) {
    let Some(event) = &mut schema.event else {
        return;
    };
    let mut types = vec![TypeDef {
        name: event.name.clone(),
        description: String::new(),
        fields: std::mem::take(&mut event.fields),
    }];
    if let Some(reply) = &mut event.reply {
        types.push(TypeDef {
            name: reply.name.clone(),
            description: reply.description.clone(),
            fields: std::mem::take(&mut reply.fields),
        });
    }
    types.append(&mut schema.types);
    schema.types = types;
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
    let message = explain_duplicate(explain_budget(strip_position_suffix(&text)));
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

/// The parser's duplicate-key message ends in advice for programs that embed it ("set
/// DuplicateKeyPolicy in Options if acceptable"); keep only what concerns the schema.
fn explain_duplicate(message: String) -> String {
    let Some(rest) = message.strip_prefix("duplicate mapping key") else {
        return message;
    };
    let key = rest
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or_default();
    match key.trim_start_matches(':').trim() {
        "" => "duplicate key".to_owned(),
        key => format!("duplicate key `{key}`"),
    }
}

/// Fixes for the messages people meet most often. Matched on whole words, so "tab" is
/// not found in "acceptable".
fn hint_for(message: &str) -> Option<String> {
    let m = message.to_ascii_lowercase();
    let says = |phrase: &str| mentions(&m, phrase);
    if says("unknown field") {
        let field = message.split('`').nth(1).unwrap_or_default();
        let expected = message.split("expected one of ").nth(1).unwrap_or_default();
        let keys = expected.split(", ").map(str::trim);
        return Some(match crate::naming::closest(field, keys) {
            Some(key) => format!("did you mean `{key}`? schema/README.md lists every key"),
            None => "remove the key or correct its spelling; schema/README.md lists every key"
                .to_owned(),
        });
    }
    let hint = if says("missing field") {
        "add the key; schema/README.md says what each section requires"
    } else if says("duplicate key") {
        "a key may appear only once in a mapping; remove one of them or merge their values"
    } else if says("tab") || says("tabs") {
        "indent with spaces: YAML does not allow tabs for indentation"
    } else if says("budget") || says("depth") || says("limit") {
        "schema files are small and shallow; flatten the structure or split the file"
    } else if says("unknown variant") {
        "use one of the values the message lists"
    } else if says("invalid") {
        "give the value the type schema/README.md documents for this key (true/false, a number, a string, a list)"
    } else {
        "check the YAML syntax at this position: brackets, quotes, `:` after keys, `- ` before list items"
    };
    Some(hint.to_owned())
}

/// Whether `text` contains `phrase` with no letter or digit right before or after it.
fn mentions(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + phrase.len()..].chars().next();
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_match_whole_words() {
        assert!(mentions("tabs disallowed in this context", "tabs"));
        assert!(mentions("a (tab) here", "tab"));
        assert!(!mentions("set it if acceptable", "tab"));
        assert!(!mentions("a table", "tab"));
        let hint = hint_for("duplicate key `id`").unwrap_or_default();
        assert!(hint.contains("only once"), "{hint}");
        let hint = hint_for("something unacceptable, tabulated").unwrap_or_default();
        assert!(!hint.contains("spaces"), "{hint}");
    }

    #[test]
    fn reads_are_bounded_whatever_the_metadata_says() {
        // /dev/zero reports a size of 0 and never ends.
        let bytes = read_bounded(Path::new("/dev/zero")).unwrap();
        assert_eq!(bytes.len(), MAX_FILE_BYTES + 1);
    }
}
