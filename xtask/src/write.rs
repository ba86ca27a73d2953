//! Writing the generated crate into `--out`, all or nothing:
//!
//! 1. plan: compare every file with what is on disk and check every target, changing
//!    nothing. Refused: an `--out` that is neither empty nor a generated crate, an
//!    existing file without the generated marker, a file where a directory belongs (or
//!    the reverse), and any symbolic link on the way to a target.
//! 2. stage: write each changed file to a temporary file next to its target.
//! 3. commit: once every file is staged, rename each over its target and remove the
//!    generated files no longer produced.
//!
//! A failure before the commit removes the temporary files and the directories the run
//! created, so `--out` is left as it was. Only a rename or removal failing during the
//! commit itself (in a directory already checked) can leave part of a run applied.
//! Every error names the path and what was being done to it.

mod plan;
mod walk;

use std::collections::BTreeMap;
use std::fmt;
use std::fs::OpenOptions;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};

use plan::plan;
pub use walk::MARKER;

/// A refused target or a failed file operation: `cannot <op> <path>: <why>`.
#[derive(Debug)]
pub struct Error {
    pub op: &'static str,
    pub path: PathBuf,
    pub why: String,
}

impl Error {
    fn new(op: &'static str, path: &Path, why: impl Into<String>) -> Error {
        Error {
            op,
            path: path.to_owned(),
            why: why.into(),
        }
    }

    /// For `map_err`: an I/O error while doing `op` to `path`.
    fn io<'p>(op: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> Error + 'p {
        move |e| Error::new(op, path, e.to_string())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.op,
            self.path.display(),
            self.why
        )
    }
}

impl std::error::Error for Error {}

/// Paths (relative to `out`) whose content differs from `files`, or that are generated
/// files no longer produced. An error if regen would refuse to write `out`.
pub fn stale(out: &Path, files: &BTreeMap<String, String>) -> Result<Vec<String>, Error> {
    let plan = plan(out, files)?;
    let mut stale: Vec<String> = plan
        .writes
        .iter()
        .map(|(rel, _, new)| format!("{rel} ({})", if *new { "missing" } else { "differs" }))
        .collect();
    stale.extend(
        plan.removes
            .iter()
            .map(|rel| format!("{rel} (no longer generated)")),
    );
    Ok(stale)
}

/// Writes every file that changed and removes leftovers, all or nothing; returns what
/// changed, one line a file (`+` new, `~` rewritten, `-` removed), in path order.
pub fn write_all(out: &Path, files: &BTreeMap<String, String>) -> Result<Vec<String>, Error> {
    let plan = plan(out, files)?;
    let mut changes: Vec<String> = plan
        .writes
        .iter()
        .map(|(rel, _, new)| format!("{} {rel}", if *new { '+' } else { '~' }))
        .chain(plan.removes.iter().map(|rel| format!("- {rel}")))
        .collect();
    changes.sort_by(|a, b| a[2..].cmp(&b[2..]));
    let mut staged = Staged::default();
    for dir in &plan.dirs {
        std::fs::create_dir(dir).map_err(Error::io("create directory", dir))?;
        staged.dirs.push(dir.clone());
    }
    for (rel, text, _) in &plan.writes {
        let target = out.join(rel);
        let tmp = temp_path(&target);
        // `create_new` fails on any existing entry, a link included, rather than follow it.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(Error::io("create", &tmp))?;
        staged.files.push((tmp.clone(), target));
        file.write_all(text.as_bytes())
            .map_err(Error::io("write", &tmp))?;
    }
    // Everything is staged: from here on each step replaces or removes one checked file.
    // In path order, so Cargo.toml, which marks a generated crate, lands first.
    staged.files.reverse();
    while let Some((tmp, target)) = staged.files.pop() {
        std::fs::rename(&tmp, &target).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io("rename into place", &target)(e)
        })?;
    }
    staged.dirs.clear();
    for rel in &plan.removes {
        let path = out.join(rel);
        std::fs::remove_file(&path).map_err(Error::io("remove", &path))?;
    }
    Ok(changes)
}

/// `dir/.name.regen-<pid>.tmp`: hidden, and next to its target so the rename stays on
/// one file system. One left by a killed run carries the marker (once its first line
/// was written), so the next run removes it as a leftover.
fn temp_path(target: &Path) -> PathBuf {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    target.with_file_name(format!(".{name}.regen-{}.tmp", std::process::id()))
}

/// What a run has created so far; dropping it undoes what was not committed.
#[derive(Default)]
struct Staged {
    /// Directories created, parents first.
    dirs: Vec<PathBuf>,
    /// Temporary files and their targets.
    files: Vec<(PathBuf, PathBuf)>,
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (tmp, _) in &self.files {
            let _ = std::fs::remove_file(tmp);
        }
        for dir in self.dirs.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}
