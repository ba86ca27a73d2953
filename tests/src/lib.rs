//! Helpers shared by the cross-crate tests.

use std::path::PathBuf;

/// A path under the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    xtask::workspace_root().join(rel)
}

/// Renders diagnostics the way `cargo xtask regen` prints them, one per line.
pub fn render(diagnostics: &[feishu_codegen::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}
