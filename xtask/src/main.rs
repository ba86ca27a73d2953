//! `cargo xtask regen [--check] [--schema DIR] [--out DIR] [--crate-name NAME]`:
//! regenerates the `feishu` crate from schema/, or with `--check` verifies it is current.
//! `cargo xtask import --from DUMP` brings the vendor's definitions into schema files.
//! `cargo xtask bench-regen`, `bench-compile` and `bench-build` print benchmark figures
//! (`bench-build`: our crate's build against the larksuite-oapi-sdk-rs crate's).

use std::path::PathBuf;
use std::process::ExitCode;

use xtask::{Mode, bench, workspace_root};

// syn and prettyplease allocate many small nodes; mimalloc makes regeneration markedly
// faster than the system allocator, most of all with several threads.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const USAGE: &str =
    "usage: cargo xtask regen [--check] [--schema DIR | --random-seed N] [--out DIR] [--crate-name NAME]
       cargo xtask regen-fixtures   (generated/ and the golden, hostile and random fixtures)
       cargo xtask import --from DUMP [--out DIR] [--overrides FILE] [--check]
       cargo xtask bench-regen [--sizes 500,2000,4000] [--runs N] [--shape small|real]
       cargo xtask bench-compile [--endpoints N]
       cargo xtask-release bench-build [--schema DIR] [--runs N] [--anchor-version V] [--service NAME] [--modes build,check,doc]
       cargo xtask random-compile [--seeds A..B] [--endpoints N]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("regen") => regen(&args[1..]),
        Some("regen-fixtures") => regen_fixtures(),
        Some("import") => xtask::import::run(&args[1..]),
        Some("bench-regen") => bench::regen(&args[1..]),
        Some("bench-compile") => bench::compile(&args[1..]),
        Some("bench-build") => xtask::bench_build::run(&args[1..]),
        Some("random-compile") => xtask::random_compile::run(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(message) => {
            eprintln!("{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Every generated crate of the workspace: after a change of the generator, one
/// command brings them all up to date (the tests byte-check each of them).
fn regen_fixtures() -> Result<String, String> {
    let root = workspace_root();
    let mut report = Vec::new();
    for (schema, out, name) in [
        ("schema", "generated", "feishu"),
        (
            "tests/golden/schema",
            "tests/golden/expected",
            "feishu-golden",
        ),
        (
            "tests/hostile/schema",
            "tests/hostile/expected",
            "feishu-hostile",
        ),
    ] {
        report.push(xtask::regen(
            &root.join(schema),
            &root.join(out),
            name,
            Mode::Write,
        )?);
    }
    let sources = xtask::random_schema::schema(1, xtask::random_schema::FIXTURE_ENDPOINTS);
    report.push(xtask::regen_sources(
        &sources,
        "random seed 1",
        &root.join("tests/random/expected"),
        "feishu-random",
        Mode::Write,
    )?);
    Ok(report.join("\n"))
}

fn regen(args: &[String]) -> Result<String, String> {
    let root = workspace_root();
    let mut schema = root.join("schema");
    let mut out = root.join("generated");
    let mut crate_name = "feishu".to_owned();
    let mut mode = Mode::Write;
    let mut random_seed = None;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--check" => mode = Mode::Check,
            "--random-seed" => {
                random_seed = Some(it.next().and_then(|s| s.parse().ok()).ok_or(USAGE)?)
            }
            "--schema" => schema = it.next().map(PathBuf::from).ok_or(USAGE)?,
            "--out" => out = it.next().map(PathBuf::from).ok_or(USAGE)?,
            "--crate-name" => crate_name = it.next().cloned().ok_or(USAGE)?,
            _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
        }
    }
    match random_seed {
        // The random-names fixture: a schema drawn from the seed, not read from disk.
        Some(seed) => {
            let sources =
                xtask::random_schema::schema(seed, xtask::random_schema::FIXTURE_ENDPOINTS);
            xtask::regen_sources(
                &sources,
                &format!("random seed {seed}"),
                &out,
                &crate_name,
                mode,
            )
        }
        None => xtask::regen(&schema, &out, &crate_name, mode),
    }
}
