//! Benchmarks that print figures. Timings on a shared machine are noisy, so each figure
//! is a median of several runs, and comparisons are ratios measured in the same run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::synth;

/// `bench-regen [--sizes 500,2000,4000] [--runs N] [--shape small|real]`: the whole
/// pipeline (parse, validate, lower, emit, render) on synthetic schemas, in memory;
/// `--schema DIR` measures a schema on disk instead (the imported published surface).
pub fn regen(args: &[String]) -> Result<String, String> {
    let mut sizes = vec![500, 2000, 4000];
    let mut runs = 5;
    let mut shape = synth::Shape::Small;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--schema" => {
                let dir = it.next().ok_or("--schema DIR")?;
                let runs = match it.next().map(String::as_str) {
                    Some("--runs") => number(it.next(), "--runs N")?,
                    None => runs,
                    Some(other) => return Err(format!("unknown argument {other}")),
                };
                return regen_dir(Path::new(dir), runs);
            }
            "--sizes" => {
                sizes = it
                    .next()
                    .ok_or("--sizes N,N")?
                    .split(',')
                    .map(|s| s.parse().map_err(|_| "bad size"))
                    .collect::<Result<_, _>>()?
            }
            "--runs" => runs = number(it.next(), "--runs N")?,
            "--shape" => {
                shape = match it.next().map(String::as_str) {
                    Some("small") => synth::Shape::Small,
                    Some("real") => synth::Shape::Real,
                    _ => return Err("--shape small|real".into()),
                }
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "note: a debug build; for the real figures run `cargo xtask-release bench-regen`"
        );
    }
    let mut out = format!(
        "regen throughput, {shape:?} endpoints, median of {runs} runs (profile: {})\n",
        profile()
    );
    out.push_str("endpoints  median      endpoints/s  output\n");
    let mut medians = Vec::new();
    for &n in &sizes {
        let files = synth::schema_shaped(n, shape);
        let mut times = Vec::new();
        let (mut bytes, mut lines) = (0, 0);
        for _ in 0..runs {
            let start = Instant::now();
            let generated = feishu_codegen::generate(&files).map_err(|e| e.to_string())?;
            times.push(start.elapsed());
            bytes = generated.values().map(String::len).sum::<usize>();
            lines = generated.values().map(|s| s.lines().count()).sum::<usize>();
        }
        let m = median(&mut times);
        medians.push((n, m));
        out.push_str(&format!(
            "{n:>9}  {:>9.1} ms  {:>11.0}  {:.1} MiB in {} files ({:.1} KB, {} lines an endpoint)\n",
            m.as_secs_f64() * 1e3,
            n as f64 / m.as_secs_f64(),
            bytes as f64 / 1048576.0,
            files.len(),
            bytes as f64 / 1000.0 / n as f64,
            lines / n
        ));
    }
    for pair in medians.windows(2) {
        let ((a, ta), (b, tb)) = (pair[0], pair[1]);
        out.push_str(&format!(
            "time({b}) / time({a}) = {:.2} (size ratio {:.1})\n",
            tb.as_secs_f64() / ta.as_secs_f64(),
            b as f64 / a as f64
        ));
    }
    Ok(out)
}

/// The pipeline on the schema under `dir`, read once, run `runs` times in memory.
fn regen_dir(dir: &Path, runs: usize) -> Result<String, String> {
    let files = feishu_codegen::load::read_dir(dir).map_err(|d| d.to_string())?;
    let mut times = Vec::new();
    let (mut endpoints, mut bytes, mut lines, mut count) = (0, 0, 0, 0);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        let generated = feishu_codegen::generate(&files).map_err(|e| e.to_string())?;
        times.push(start.elapsed());
        bytes = generated.values().map(String::len).sum::<usize>();
        lines = generated.values().map(|s| s.lines().count()).sum::<usize>();
        count = generated.len();
        endpoints = files
            .iter()
            .filter(|f| {
                let text = String::from_utf8_lossy(&f.bytes);
                text.starts_with("endpoint:") || text.contains("\nendpoint:")
            })
            .count();
    }
    let m = median(&mut times);
    Ok(format!(
        "regen throughput, {} ({} schema files, {endpoints} endpoints), median of {runs} runs (profile: {})\n\
         {:.1} ms, {:.0} endpoints/s, {:.1} MiB in {count} files ({:.1} KB, {} lines an endpoint)\n",
        dir.display(),
        files.len(),
        profile(),
        m.as_secs_f64() * 1e3,
        endpoints as f64 / m.as_secs_f64(),
        bytes as f64 / 1048576.0,
        bytes as f64 / 1000.0 / endpoints.max(1) as f64,
        lines / endpoints.max(1),
    ))
}

/// `bench-compile [--endpoints N] [--runs N] [--write-only]`: wall time and peak memory of
/// `cargo build` of a generated crate with N synthetic endpoints, dependencies built.
pub fn compile(args: &[String]) -> Result<String, String> {
    let mut n = 500;
    let mut runs = 3;
    let mut write_only = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--write-only" => write_only = true,
            "--endpoints" => n = number(it.next(), "--endpoints N")?,
            "--runs" => runs = number(it.next(), "--runs N")?,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if !Path::new("/usr/bin/time").exists() {
        return Err("needs GNU time for peak memory: apt-get install time".into());
    }
    let root = crate::workspace_root();
    let dir = root.join("target/bench-compile");
    let target = root.join("target/bench-compile-target");
    if write_only {
        write_crate(&dir, n)?;
        return Ok(format!("wrote the {n}-endpoint crate to {}", dir.display()));
    }
    let mut out = String::from(
        "compile cost of the generated crate (dev profile, dependencies already built)\n",
    );
    out.push_str(
        "build          endpoints  median wall  per endpoint  peak RSS     per endpoint\n",
    );
    const MODES: [(&str, bool); 2] = [("from scratch", true), ("incremental", false)];
    // rows[mode] = (endpoints, median wall, median peak KiB), empty crate first. Each
    // crate is generated and its dependencies built once, then measured both ways.
    let mut rows: [Vec<(usize, Duration, u64)>; 2] = Default::default();
    for count in [0, n] {
        write_crate(&dir, count)?;
        // Warm-up: builds the dependencies and the crate once.
        build(&dir, &target)?;
        for (mode, (_, clean)) in MODES.iter().enumerate() {
            let mut walls = Vec::new();
            let mut peaks = Vec::new();
            for _ in 0..runs {
                if *clean {
                    clean_crate(&dir, &target)?;
                } else {
                    touch(&dir.join("feishu-synth/src/lib.rs"))?;
                }
                let (wall, peak_kib) = build(&dir, &target)?;
                walls.push(wall);
                peaks.push(peak_kib);
            }
            rows[mode].push((count, median(&mut walls), median(&mut peaks)));
        }
    }
    for ((label, _), rows) in MODES.iter().zip(&rows) {
        let (_, base_wall, base_peak) = rows[0];
        for (count, wall, peak) in rows {
            let per = |total: f64, base: f64| {
                if *count == 0 {
                    "-".to_owned()
                } else {
                    format!("{:.1}", (total - base) / *count as f64)
                }
            };
            out.push_str(&format!(
                "{label:<13}  {count:>9}  {:>9.2} s  {:>9} ms  {:>7.0} MiB  {:>8} KiB\n",
                wall.as_secs_f64(),
                per(wall.as_secs_f64() * 1e3, base_wall.as_secs_f64() * 1e3),
                *peak as f64 / 1024.0,
                per(*peak as f64, base_peak as f64),
            ));
        }
    }
    out.push_str("per endpoint = (N-endpoint crate - 0-endpoint crate) / N; peak RSS is cargo and rustc (GNU time)\n");
    Ok(out)
}

fn write_crate(dir: &Path, n: usize) -> Result<(), String> {
    write_standalone(dir, "feishu-synth", &synth::schema(n))
}

/// Generates `sources` as the crate `name` in a workspace of its own under `dir`, using
/// this workspace's runtime and lock file.
pub(crate) fn write_standalone(
    dir: &Path,
    name: &str,
    sources: &[feishu_codegen::SourceFile],
) -> Result<(), String> {
    let root = crate::workspace_root();
    let files = feishu_codegen::generate_crate(sources, name).map_err(|e| e.to_string())?;
    let crate_dir = dir.join(name);
    let _ = std::fs::remove_dir_all(&crate_dir);
    for (rel, text) in &files {
        let path = crate_dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).map_err(|e| e.to_string())?;
        std::fs::write(&path, text).map_err(|e| e.to_string())?;
    }
    let manifest = format!(
        "[workspace]\nmembers = [{name:?}]\nresolver = \"3\"\n\n[workspace.package]\nedition = \"2024\"\nrust-version = \"1.89\"\nlicense = \"MIT OR Apache-2.0\"\npublish = false\n\n[workspace.dependencies]\nfeishu-runtime = {{ path = {:?} }}\n",
        root.join("runtime").display().to_string()
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    let lock = root.join("Cargo.lock");
    if lock.exists() {
        std::fs::copy(lock, dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Builds the synthetic crate; returns wall time and peak RSS in KiB.
fn build(dir: &Path, target: &Path) -> Result<(Duration, u64), String> {
    let start = Instant::now();
    let output = Command::new("/usr/bin/time")
        .arg("-v")
        .arg(env!("CARGO"))
        .args(["build", "--quiet", "-p", "feishu-synth"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    let wall = start.elapsed();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!("cargo build failed:\n{stderr}"));
    }
    let peak = stderr
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Maximum resident set size (kbytes): ")
        })
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no peak memory in /usr/bin/time output")?;
    Ok((wall, peak))
}

/// Removes the crate's own build output, keeping the dependencies built.
fn clean_crate(dir: &Path, target: &Path) -> Result<(), String> {
    let status = Command::new(env!("CARGO"))
        .args(["clean", "--quiet", "-p", "feishu-synth"])
        .env("CARGO_TARGET_DIR", target)
        .current_dir(dir)
        .status()
        .map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err("cargo clean failed".into())
    }
}

fn touch(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    std::fs::write(path, text).map_err(|e| e.to_string())
}

/// The value of a numeric option; `usage` says what was expected.
pub(crate) fn number(value: Option<&String>, usage: &str) -> Result<usize, String> {
    value
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("expected {usage}"))
}

fn median<T: Ord + Copy>(values: &mut [T]) -> T {
    values.sort();
    values[values.len() / 2]
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}
