//! `cargo xtask random-compile`: random valid schemas (see [`crate::random_schema`]),
//! each generated into a crate of its own and linted with warnings as errors, rustdoc
//! included. Prints one line per seed; a failing seed keeps its crate for inspection.

use std::path::Path;
use std::process::Command;

/// Runs the seeds in `--seeds A..B` (default 1..6) with `--endpoints N` each (default 40).
pub fn run(args: &[String]) -> Result<String, String> {
    let (mut first, mut last, mut endpoints) = (1u64, 6u64, 40usize);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--seeds" => {
                let range = it.next().ok_or("--seeds A..B")?;
                let (a, b) = range.split_once("..").ok_or("--seeds A..B")?;
                first = a.parse().map_err(|_| "--seeds A..B")?;
                last = b.parse().map_err(|_| "--seeds A..B")?;
            }
            "--endpoints" => {
                endpoints = it
                    .next()
                    .and_then(|n| n.parse().ok())
                    .ok_or("--endpoints N")?
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    let root = crate::workspace_root();
    let target = root.join("target/random-compile-target");
    let mut report = String::new();
    let mut failed = Vec::new();
    for seed in first..last {
        let dir = root.join(format!("target/random-compile/seed-{seed}"));
        let _ = std::fs::remove_dir_all(&dir);
        let sources = crate::random_schema::schema(seed, endpoints);
        let kept = sources.len();
        crate::bench::write_standalone(&dir, "feishu-random", &sources)?;
        match lint(&dir, &target) {
            Ok(()) => {
                report.push_str(&format!("seed {seed}: {kept} files, clean\n"));
                let _ = std::fs::remove_dir_all(&dir);
            }
            Err(e) => {
                report.push_str(&format!(
                    "seed {seed}: {kept} files, FAILED (crate kept in {})\n{e}\n",
                    dir.display()
                ));
                failed.push(seed);
            }
        }
    }
    if failed.is_empty() {
        Ok(report)
    } else {
        Err(format!("{report}failing seeds: {failed:?}"))
    }
}

/// `cargo clippy` and `cargo doc` on the crate and its service crates (the scratch
/// workspace holds nothing else), warnings as errors, and their doctests (every
/// endpoint's usage example) compiled.
fn lint(dir: &Path, target: &Path) -> Result<(), String> {
    let runs: [(&[&str], &str); 3] = [
        (
            &["clippy", "--quiet", "--workspace", "--", "-D", "warnings"],
            "",
        ),
        (
            &["doc", "--quiet", "--no-deps", "--workspace"],
            "-D warnings",
        ),
        (&["test", "--quiet", "--doc", "--workspace"], ""),
    ];
    for (args, rustdocflags) in runs {
        let output = Command::new(env!("CARGO"))
            .args(args)
            .env("CARGO_TARGET_DIR", target)
            .env("RUSTDOCFLAGS", rustdocflags)
            .current_dir(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !output.status.success() {
            return Err(String::from_utf8_lossy(&output.stderr).into_owned());
        }
    }
    Ok(())
}
