//! The generator behind `cargo xtask regen`: schema/ in, the `feishu` crate's files out.
//! The pipeline reads top to bottom: load -> validate -> lower -> emit -> render. Nothing
//! here writes to disk; the xtask does that, only after every stage succeeded.

pub mod diagnostic;
pub mod emit;
pub mod ir;
pub mod load;
pub mod lower;
pub mod model;
pub mod naming;
mod parallel;
pub mod render;
pub mod symbols;
pub mod type_expr;
pub mod validate;

use std::collections::BTreeMap;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use load::SourceFile;

/// Why generation failed.
#[derive(Debug)]
pub enum Failure {
    /// The schema has problems; each names file, line and column.
    Schema(Diagnostics),
    /// The generator produced invalid Rust (a bug in the generator, not the schema).
    Internal(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Schema(d) => d.fmt(f),
            Failure::Internal(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Failure {}

/// Checks the schema without generating anything: every problem, sorted.
pub fn check(files: &[SourceFile]) -> Vec<Diagnostic> {
    let (loaded, mut problems) = load::parse_all(files);
    problems.extend(validate::validate(&loaded));
    Diagnostics::sorted(problems).0
}

/// The whole pipeline: the generated crate's files, by path relative to its root.
/// The result depends only on the files' paths and contents, not on their order.
pub fn generate(files: &[SourceFile]) -> Result<BTreeMap<String, String>, Failure> {
    generate_crate(files, "feishu")
}

/// [`generate`] with another package name (fixtures are compiled next to the real crate).
pub fn generate_crate(
    files: &[SourceFile],
    crate_name: &str,
) -> Result<BTreeMap<String, String>, Failure> {
    let (loaded, mut problems) = load::parse_all(files);
    problems.extend(validate::validate(&loaded));
    if !problems.is_empty() {
        return Err(Failure::Schema(Diagnostics::sorted(problems)));
    }
    let api = lower::lower(&loaded);
    render::render(&api, crate_name).map_err(Failure::Internal)
}
