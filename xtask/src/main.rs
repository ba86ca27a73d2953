//! `cargo xtask regen [--check] [--schema DIR] [--out DIR]`: regenerates the `feishu`
//! crate from schema/, or with `--check` verifies that it is up to date.
//! `cargo xtask bench-regen`: prints regeneration throughput on synthetic schemas.

mod bench;
mod write;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask regen [--check] [--schema DIR] [--out DIR]\n       cargo xtask bench-regen [--sizes 500,2000,4000] [--runs N]\n       cargo xtask bench-compile [--endpoints N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&args[1..]),
        Some("bench-regen") => bench::regen(&args[1..]),
        Some("bench-compile") => bench::compile(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (the parent of this crate's directory).
pub fn workspace_root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    here.parent().map(PathBuf::from).unwrap_or(here)
}

fn regen(args: &[String]) -> Result<(), String> {
    let root = workspace_root();
    let mut schema = root.join("schema");
    let mut out = root.join("generated");
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--schema" => schema = it.next().map(PathBuf::from).ok_or(USAGE)?,
            "--out" => out = it.next().map(PathBuf::from).ok_or(USAGE)?,
            _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
        }
    }
    let sources = feishu_codegen::load::read_dir(&schema).map_err(|d| d.to_string())?;
    let files = feishu_codegen::generate(&sources).map_err(|e| e.to_string())?;
    if check {
        let stale = write::stale(&out, &files).map_err(|e| e.to_string())?;
        if stale.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "{} is out of date with {}:\n{}\nrun `cargo xtask regen` and commit the result",
            out.display(),
            schema.display(),
            stale
                .iter()
                .map(|s| format!("  {s}"))
                .collect::<Vec<_>>()
                .join("\n")
        ));
    }
    let changed = write::write_all(&out, &files).map_err(|e| e.to_string())?;
    eprintln!(
        "regen: {} files, {changed} changed, in {}",
        files.len(),
        out.display()
    );
    Ok(())
}
