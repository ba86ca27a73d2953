//! The project's tasks, as a library so tests run exactly what `cargo xtask` runs.

pub mod bench;
pub mod bench_build;
pub mod import;
pub mod random_compile;
pub mod random_schema;
pub mod synth;
pub mod write;

use std::path::{Path, PathBuf};

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

/// What `regen` does with the generated files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Write what changed, remove what is no longer generated.
    Write,
    /// Change nothing; fail listing the stale files.
    Check,
}

/// Generates the crate `crate_name` from `schema` into `out`. On any schema problem
/// nothing is written: the whole output is built in memory first. Writing is all or
/// nothing too, and refuses unsafe targets; [`mod@write`] says how.
pub fn regen(schema: &Path, out: &Path, crate_name: &str, mode: Mode) -> Result<String, String> {
    let sources = feishu_codegen::load::read_dir(schema).map_err(|d| d.to_string())?;
    regen_sources(
        &sources,
        &schema.display().to_string(),
        out,
        crate_name,
        mode,
    )
}

/// [`regen`] from schema files already in memory; `label` names them in messages.
pub fn regen_sources(
    sources: &[feishu_codegen::SourceFile],
    label: &str,
    out: &Path,
    crate_name: &str,
    mode: Mode,
) -> Result<String, String> {
    let files = feishu_codegen::generate_crate(sources, crate_name).map_err(|e| e.to_string())?;
    match mode {
        Mode::Check => {
            let stale = write::stale(out, &files).map_err(|e| e.to_string())?;
            if stale.is_empty() {
                return Ok(format!(
                    "regen --check: {} files up to date in {}",
                    files.len(),
                    out.display()
                ));
            }
            Err(format!(
                "{} is out of date with {}:\n{}\nrun `cargo xtask regen` and commit the result",
                out.display(),
                label,
                stale
                    .iter()
                    .map(|s| format!("  {s}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            ))
        }
        Mode::Write => {
            let changes = write::write_all(out, &files).map_err(|e| e.to_string())?;
            let mut report = format!(
                "regen: {} files, {} changed, in {}",
                files.len(),
                changes.len(),
                out.display()
            );
            // What changed, so a run says what it did; a whole-surface rewrite is
            // summarised rather than listed.
            const LISTED: usize = 40;
            for line in changes.iter().take(LISTED) {
                report.push_str(&format!("\n  {line}"));
            }
            if changes.len() > LISTED {
                report.push_str(&format!("\n  ... and {} more", changes.len() - LISTED));
            }
            Ok(report)
        }
    }
}
