//! The two things built side by side: our crate generated from a schema into a scratch
//! workspace, and the anchor crate from crates.io as the dependency of a scratch
//! package. Each has its own target directory, so neither's build output is the
//! other's cache.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use super::timed_run::{self, Measured};

/// The package name of the generated facade crate.
const OURS: &str = "feishu";
/// The anchor's package on crates.io.
pub(crate) const ANCHOR: &str = "larksuite-oapi-sdk-rs";

/// A scratch workspace and what its timed runs may compile.
#[derive(Clone)]
pub(crate) struct Side {
    dir: PathBuf,
    target: PathBuf,
    /// The packages a timed run rebuilds: cleaned before each run, and the only ones
    /// it may compile (anything else would mean a dependency was rebuilt inside the
    /// measured time).
    pub own: BTreeSet<String>,
    /// The package passed to `-p`.
    pub main: String,
}

/// Our generated crate and what the schema and its manifest say about it.
pub(crate) struct Ours {
    pub side: Side,
    /// The generated packages alone: [`Ours::side`]'s own without the runtime.
    pub generated: BTreeSet<String>,
    /// Endpoints by service, from the lowered schema.
    pub endpoints: BTreeMap<String, usize>,
    /// The facade's features and what each turns on.
    pub features: BTreeMap<String, Vec<String>>,
}

/// The anchor and where cargo put its source.
pub(crate) struct Anchor {
    pub side: Side,
    pub source: PathBuf,
    /// Its features and what each turns on (`default` when it has one).
    pub features: BTreeMap<String, Vec<String>>,
}

impl Side {
    fn cargo(&self, args: &[String]) -> Command {
        let mut command = Command::new(env!("CARGO"));
        command
            .args(args)
            .args(["--color", "never"])
            .env("CARGO_TARGET_DIR", &self.target)
            .current_dir(&self.dir);
        command
    }

    /// Removes the side's documentation. rustdoc merges every crate documented into a
    /// directory into one search index and keeps what earlier runs put there (in a
    /// reused directory it grew run after run, to twice a fresh one's size), and every
    /// timed run reads and rewrites that index.
    pub fn clear_docs(&self) -> Result<(), String> {
        match std::fs::remove_dir_all(self.target.join("doc")) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
            _ => Ok(()),
        }
    }

    /// Runs `args` once, untimed: builds the dependencies (and the crate).
    pub fn warm_up(&self, args: &[String]) -> Result<(), String> {
        let output = self.cargo(args).output().map_err(|e| e.to_string())?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "cargo {} in {} failed:\n{}",
                args.join(" "),
                self.dir.display(),
                String::from_utf8_lossy(&output.stderr)
            ))
        }
    }

    /// Removes the build output of [`Side::own`], then measures `args`.
    pub fn timed(&self, args: &[String]) -> Result<Measured, String> {
        let mut clean = vec!["clean".to_owned(), "--quiet".to_owned()];
        for package in &self.own {
            clean.extend(["-p".to_owned(), package.clone()]);
        }
        self.warm_up(&clean)?;
        let measured = timed_run::run(self.cargo(args))?;
        let built = measured.packages();
        let foreign: Vec<_> = built.iter().filter(|p| !self.own.contains(**p)).collect();
        if !foreign.is_empty() {
            return Err(format!(
                "cargo {} rebuilt dependencies inside the timed run: {foreign:?}",
                args.join(" ")
            ));
        }
        if !built.contains(&self.main) {
            return Err(format!(
                "cargo {} did not rebuild {} after `cargo clean -p`",
                args.join(" "),
                self.main
            ));
        }
        Ok(measured)
    }
}

/// Generates `schema` into `base/ours` (its target directory `base/ours-target`).
pub(crate) fn ours(base: &Path, schema: &Path) -> Result<Ours, String> {
    let sources = feishu_codegen::load::read_dir(schema).map_err(|d| d.to_string())?;
    let dir = base.join("ours");
    crate::bench::write_standalone(&dir, OURS, &sources)?;
    let mut side = Side {
        dir,
        target: base.join("ours-target"),
        own: BTreeSet::new(),
        main: OURS.to_owned(),
    };
    let metadata = metadata(&side, &["--no-deps"])?;
    let mut features = BTreeMap::new();
    let mut generated = BTreeSet::new();
    for package in packages(&metadata) {
        side.own.insert(name(package)?);
        generated.insert(name(package)?);
        if name(package)? == OURS {
            features = feature_map(package);
        }
        // Path dependencies outside the scratch workspace are ours too: the
        // hand-written runtime is part of what a user of the crate compiles.
        for dependency in package["dependencies"].as_array().into_iter().flatten() {
            if dependency.get("path").is_some() {
                side.own.insert(name(dependency)?);
            }
        }
    }
    Ok(Ours {
        side,
        generated,
        endpoints: endpoints_by_service(&sources)?,
        features,
    })
}

/// A package under `base/anchor` depending on the anchor at `version`, default
/// features (its target directory `base/anchor-target`).
pub(crate) fn anchor(base: &Path, version: &str) -> Result<Anchor, String> {
    let dir = base.join("anchor");
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    // Its own `[workspace]`: it lives under this workspace's target/ but is no member.
    let manifest = format!(
        "[package]\nname = \"bench-anchor\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{ANCHOR} = \"={version}\"\n\n[workspace]\n"
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    std::fs::write(dir.join("src/lib.rs"), "").map_err(|e| e.to_string())?;
    let side = Side {
        dir,
        target: base.join("anchor-target"),
        own: BTreeSet::from([ANCHOR.to_owned()]),
        main: ANCHOR.to_owned(),
    };
    let metadata = metadata(&side, &[])?;
    let package = packages(&metadata)
        .find(|p| p["name"] == ANCHOR)
        .ok_or_else(|| format!("{ANCHOR} is not in the scratch package's dependencies"))?;
    let manifest = package["manifest_path"]
        .as_str()
        .ok_or("cargo metadata without a manifest_path")?;
    Ok(Anchor {
        source: Path::new(manifest)
            .parent()
            .ok_or("a manifest path without a parent")?
            .to_owned(),
        features: feature_map(package),
        side,
    })
}

/// Endpoints per service of the schema, counted on the lowered schema (the same
/// model the generator emits from).
fn endpoints_by_service(
    sources: &[feishu_codegen::SourceFile],
) -> Result<BTreeMap<String, usize>, String> {
    let (loaded, problems) = feishu_codegen::load::parse_all(sources);
    if let Some(problem) = problems.first() {
        return Err(problem.to_string());
    }
    let api = feishu_codegen::lower::lower(&loaded);
    let mut counts = BTreeMap::new();
    for module in &api.modules {
        if let feishu_codegen::symbols::ModPath::Service { service, .. } = &module.path {
            *counts.entry(service.clone()).or_default() += module.endpoints.len();
        }
    }
    Ok(counts)
}

fn metadata(side: &Side, extra: &[&str]) -> Result<Value, String> {
    let mut args = vec![
        "metadata".to_owned(),
        "--format-version".to_owned(),
        "1".to_owned(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let output = side.cargo(&args).output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata in {} failed:\n{}",
            side.dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| format!("cargo metadata: {e}"))
}

fn packages(metadata: &Value) -> impl Iterator<Item = &Value> {
    metadata["packages"].as_array().into_iter().flatten()
}

fn name(package: &Value) -> Result<String, String> {
    package["name"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "cargo metadata: a package without a name".to_owned())
}

fn feature_map(package: &Value) -> BTreeMap<String, Vec<String>> {
    let Some(features) = package["features"].as_object() else {
        return BTreeMap::new();
    };
    features
        .iter()
        .map(|(name, on)| {
            let on = on.as_array().into_iter().flatten();
            let on = on.filter_map(|v| v.as_str().map(str::to_owned)).collect();
            (name.clone(), on)
        })
        .collect()
}

/// `feature` and the features of the same package it turns on, transitively.
pub(crate) fn feature_closure(
    features: &BTreeMap<String, Vec<String>>,
    feature: &str,
) -> BTreeSet<String> {
    let mut on = BTreeSet::new();
    let mut todo = vec![feature.to_owned()];
    while let Some(next) = todo.pop() {
        if let Some(implied) = features.get(&next)
            && on.insert(next)
        {
            todo.extend(implied.iter().cloned());
        }
    }
    on
}
