//! Step 1 of a write: check every target and work out what changes, changing nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Component, Path, PathBuf};

use super::Error;
use super::walk::{CRATE_MARKER_FILE, MARKER, generated_files, is_generated};

const LINK: &str = "it is a symbolic link, and regen never writes through links";

/// Everything a run changes under `out`, checked but not yet done.
pub(super) struct Plan<'a> {
    /// Directories to create, parents first.
    pub dirs: Vec<PathBuf>,
    /// Files to write: path relative to `out`, content, and whether it is new.
    pub writes: Vec<(&'a str, &'a str, bool)>,
    /// Generated files no longer produced, relative to `out`.
    pub removes: Vec<String>,
}

pub(super) fn plan<'a>(out: &Path, files: &'a BTreeMap<String, String>) -> Result<Plan<'a>, Error> {
    check_out_dir(out)?;
    let mut plan = Plan {
        dirs: missing_ancestors(out),
        writes: Vec::new(),
        removes: Vec::new(),
    };
    let mut checked = BTreeSet::new();
    for (rel, text) in files {
        let path = out.join(rel);
        let mut names = Path::new(rel).components().peekable();
        let mut dir = out.to_owned();
        while let Some(name) = names.next() {
            // A generator bug must not be able to reach outside `out`.
            if !matches!(name, Component::Normal(_)) {
                return Err(Error::new(
                    "write",
                    &path,
                    "the path leaves the output directory",
                ));
            }
            if names.peek().is_none() {
                break;
            }
            dir.push(name);
            if checked.insert(dir.clone()) && check_dir(&dir)? {
                plan.dirs.push(dir.clone());
            }
        }
        if let Some(new) = check_file(&path, text)? {
            plan.writes.push((rel, text, new));
        }
    }
    plan.removes = generated_files(out)?;
    plan.removes.retain(|rel| !files.contains_key(rel));
    Ok(plan)
}

/// `out` must not exist yet, be empty, or hold a generated crate: never write into a
/// directory of hand-written files such as the workspace root. `out` itself may be a
/// link: it is the path the caller chose.
fn check_out_dir(out: &Path) -> Result<(), Error> {
    let op = "write into";
    match std::fs::metadata(out) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(op, out)(e)),
        Ok(meta) if !meta.is_dir() => return Err(Error::new(op, out, "it is not a directory")),
        Ok(_) => {}
    }
    let empty = std::fs::read_dir(out)
        .map_err(Error::io("read directory", out))?
        .next()
        .is_none();
    if empty || is_generated(&out.join(CRATE_MARKER_FILE))? {
        return Ok(());
    }
    Err(Error::new(
        op,
        out,
        format!(
            "it is neither empty nor a generated crate (no {CRATE_MARKER_FILE} with \
             \"{MARKER}\" on its first line); choose an empty or new output directory"
        ),
    ))
}

/// `out` and its parents that do not exist yet, parents first.
fn missing_ancestors(out: &Path) -> Vec<PathBuf> {
    let mut missing: Vec<PathBuf> = out
        .ancestors()
        .take_while(|dir| !dir.as_os_str().is_empty() && std::fs::symlink_metadata(dir).is_err())
        .map(Path::to_owned)
        .collect();
    missing.reverse();
    missing
}

/// Whether directory `dir` (under `out`) must be created; an error if something else
/// is in its place.
fn check_dir(dir: &Path) -> Result<bool, Error> {
    let op = "create directory";
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(Error::io(op, dir)(e)),
        Ok(meta) if meta.is_dir() => Ok(false),
        Ok(meta) if meta.is_symlink() => Err(Error::new("write into", dir, LINK)),
        Ok(_) => Err(Error::new(op, dir, "a file is in the way")),
    }
}

/// Whether `path` must be written (`Some(is_new)`) or already holds `text` (`None`); an
/// error if it is anything but a missing or generated regular file.
fn check_file(path: &Path, text: &str) -> Result<Option<bool>, Error> {
    let op = "write";
    let meta = match std::fs::symlink_metadata(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Some(true)),
        Err(e) => return Err(Error::io(op, path)(e)),
        Ok(meta) => meta,
    };
    if meta.is_symlink() {
        return Err(Error::new(op, path, LINK));
    }
    if meta.is_dir() {
        return Err(Error::new(op, path, "a directory is in the way"));
    }
    if !meta.is_file() {
        return Err(Error::new(op, path, "it is not a regular file"));
    }
    // Read only a file of the right size: the comparison never reads more than `text`.
    if meta.len() == text.len() as u64
        && std::fs::read(path).map_err(Error::io("read", path))? == text.as_bytes()
    {
        return Ok(None);
    }
    if !is_generated(path)? {
        return Err(Error::new(
            "overwrite",
            path,
            format!("it was not generated (no \"{MARKER}\" on its first line)"),
        ));
    }
    Ok(Some(false))
}
