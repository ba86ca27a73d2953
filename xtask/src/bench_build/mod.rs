//! `bench-build`: our generated crate and the heaviest Rust SDK of the same API
//! (larksuite-oapi-sdk-rs), built alternately in one invocation on one machine, so
//! load from other work falls on both. Each side has its own target directory with
//! its dependencies built beforehand; a timed run cleans only the side's own packages
//! (`cargo clean -p`) and rebuilds them.

mod anchor_endpoints;
mod masked_source;
mod proc_tree;
mod report;
mod sides;
mod timed_run;

use std::path::PathBuf;

use crate::bench::number;
use report::Row;

const USAGE: &str = "cargo xtask-release bench-build [--schema DIR] [--runs N] [--anchor-version V] [--service NAME] [--modes build,check,doc]";

struct Options {
    schema: PathBuf,
    runs: usize,
    anchor_version: String,
    service: Option<String>,
    modes: Vec<String>,
}

impl Options {
    fn parse(args: &[String]) -> Result<Options, String> {
        let mut options = Options {
            schema: crate::workspace_root().join("schema"),
            runs: 3,
            anchor_version: "0.3.13".to_owned(),
            service: None,
            modes: vec!["build".to_owned()],
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = || it.next().cloned().ok_or_else(|| USAGE.to_owned());
            match arg.as_str() {
                "--schema" => options.schema = PathBuf::from(value()?),
                "--runs" => options.runs = number(Some(&value()?), "--runs N")?.max(1),
                "--anchor-version" => options.anchor_version = value()?,
                "--service" => options.service = Some(value()?),
                "--modes" => options.modes = value()?.split(',').map(str::to_owned).collect(),
                other => return Err(format!("unknown argument {other}\n{USAGE}")),
            }
        }
        if let Some(mode) = options
            .modes
            .iter()
            .find(|m| !["build", "check", "doc"].contains(&m.as_str()))
        {
            return Err(format!("unknown mode {mode}: build, check or doc"));
        }
        Ok(options)
    }
}

pub fn run(args: &[String]) -> Result<String, String> {
    let options = Options::parse(args)?;
    if !cfg!(target_os = "linux") || !std::path::Path::new("/proc/self/status").exists() {
        return Err("bench-build reads the builds' memory from /proc: it runs on Linux".into());
    }
    if cfg!(debug_assertions) {
        eprintln!(
            "note: a debug build of the xtask; `cargo xtask-release bench-build` is the same builds, generated faster"
        );
    }
    let base = crate::workspace_root().join("target/bench-build");
    let ours = sides::ours(&base, &options.schema)?;
    if !ours.features.contains_key("full") {
        return Err("the generated crate has no `full` feature".into());
    }
    let service = options
        .service
        .as_deref()
        .map(|name| Service::of(&ours, name))
        .transpose()?;
    let anchor = sides::anchor(&base, &options.anchor_version)?;
    let counted = anchor_endpoints::count(&anchor.source)?;
    let total: usize = ours.endpoints.values().sum();

    let mut generated_only = ours.side.clone();
    generated_only.own = ours.generated.clone();
    let mut out = header(&options, &ours, &anchor);
    out.push_str(&format!("anchor endpoints: {}\n", counted.how()));
    for mode in &options.modes {
        let anchor_label = format!("anchor {}", options.anchor_version);
        let mut rows = vec![
            row("ours", &ours.side, mode, &["--features", "full"], total),
            row(&anchor_label, &anchor.side, mode, &[], counted.endpoints),
        ];
        if let Some(service) = &service {
            let flags = ["--no-default-features", "--features", &service.name];
            let endpoints = service.endpoints;
            rows.push(row(&service.label(), &ours.side, mode, &flags, endpoints));
            // The same with the runtime left built, as a user's later builds find it. It
            // comes right after the row above, whose run leaves the runtime built with
            // this feature set (the full build's `cargo clean -p` removes every one).
            let label = format!("{}, runtime built", service.label());
            rows.push(row(&label, &generated_only, mode, &flags, endpoints));
        }
        measure(mode, &mut rows, options.runs)?;
        let rows: Vec<Row> = rows.into_iter().map(|(_, r)| r).collect();
        out.push_str(&report::table(mode, &rows, 0, 1));
    }
    Ok(out)
}

/// Warms each row's build up, then times them in turn, `runs` rounds.
fn measure(mode: &str, rows: &mut [(&sides::Side, Row)], runs: usize) -> Result<(), String> {
    if mode == "doc" {
        for (side, _) in rows.iter() {
            side.clear_docs()?;
        }
    }
    for (side, r) in rows.iter() {
        eprintln!(
            "{mode}: warming up {} (cargo {})",
            r.label,
            r.args.join(" ")
        );
        side.warm_up(&r.args)?;
    }
    for run in 1..=runs {
        // Ours and the anchor one after the other, round after round, so a burst of
        // load from other work on the machine lands on both.
        for (side, r) in rows.iter_mut() {
            let measured = side.timed(&r.args)?;
            eprintln!(
                "{mode} run {run}/{runs}: {} {:.1} s, {:.0} MiB {}, {:.0} MiB total",
                r.label,
                measured.wall.as_secs_f64(),
                measured.process_kib as f64 / 1024.0,
                measured.process,
                measured.total_kib as f64 / 1024.0
            );
            r.runs.push(measured);
        }
    }
    Ok(())
}

/// What is compared, and how it is measured.
fn header(options: &Options, ours: &sides::Ours, anchor: &sides::Anchor) -> String {
    let own: Vec<&str> = ours.side.own.iter().map(String::as_str).collect();
    format!(
        "bench-build: our crate from {} ({} endpoints in {} services; packages {}) against \
         {} {} (default features; it has {})\n\
         dev profile; dependencies built once beforehand (untimed), a target directory per \
         side; each timed run first does `cargo clean -p` of the side's own packages (ours: \
         the scratch workspace's and the runtime, but not the runtime in rows marked \
         \"runtime built\"; the anchor: its one crate) and fails if \
         the build compiles anything else. Peak process: the largest VmHWM of one process \
         of the build; peak total: the largest sum of VmRSS of all its processes, sampled \
         every 20 ms. Medians: for an even N the mean of the two middle runs. doc: `cargo doc` into an emptied \
         doc directory, the dependencies' docs built beforehand, so only the side's own \
         packages are documented.\n",
        options.schema.display(),
        ours.endpoints.values().sum::<usize>(),
        ours.endpoints.len(),
        own.join(", "),
        sides::ANCHOR,
        options.anchor_version,
        features(&anchor.features),
    )
}

/// `--service NAME`: the service, the others its feature turns on, their endpoints.
struct Service {
    name: String,
    others: Vec<String>,
    endpoints: usize,
}

impl Service {
    fn of(ours: &sides::Ours, name: &str) -> Result<Service, String> {
        if !ours.endpoints.contains_key(name) || !ours.features.contains_key(name) {
            let known: Vec<&str> = ours.endpoints.keys().map(String::as_str).collect();
            return Err(format!(
                "no service {name}; the schema has {}",
                known.join(", ")
            ));
        }
        let on = sides::feature_closure(&ours.features, name);
        Ok(Service {
            name: name.to_owned(),
            others: on.iter().filter(|s| *s != name).cloned().collect(),
            endpoints: on.iter().filter_map(|s| ours.endpoints.get(s)).sum(),
        })
    }

    fn label(&self) -> String {
        match self.others.is_empty() {
            true => format!("ours, {} only", self.name),
            false => format!("ours, {} (+{})", self.name, self.others.join(", ")),
        }
    }
}

/// A row of `mode` for `cargo <mode> -p <the side's package> <flags>`, no runs yet.
fn row<'a>(
    label: &str,
    side: &'a sides::Side,
    mode: &str,
    flags: &[&str],
    endpoints: usize,
) -> (&'a sides::Side, Row) {
    let mut args = vec![mode.to_owned(), "-p".to_owned(), side.main.clone()];
    args.extend(flags.iter().map(|f| f.to_string()));
    let row = Row {
        label: label.to_owned(),
        args,
        endpoints,
        runs: Vec::new(),
    };
    (side, row)
}

/// `a, b (= c, d)` for a feature list.
fn features(features: &std::collections::BTreeMap<String, Vec<String>>) -> String {
    if features.is_empty() {
        return "no features".into();
    }
    let list: Vec<_> = features
        .iter()
        .map(|(name, on)| match on.is_empty() {
            true => name.clone(),
            false => format!("{name} = [{}]", on.join(", ")),
        })
        .collect();
    format!("features {}", list.join("; "))
}
