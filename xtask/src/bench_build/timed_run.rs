//! One timed cargo invocation: wall time and memory, and which packages it compiled.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::proc_tree;

/// Often enough to see rustc's memory climb (a large crate takes seconds to peak), rare
/// enough that reading /proc costs the measured build next to nothing.
const SAMPLE_EVERY: Duration = Duration::from_millis(20);

/// What one run of a build cost.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    pub wall: Duration,
    /// The largest peak of any single process of the build, in KiB, and its name.
    pub process_kib: u64,
    pub process: String,
    /// The largest sum of the resident memory of all processes at one time, in KiB.
    pub total_kib: u64,
    /// The machine's 1-minute load average when the run started: other work on a shared
    /// machine shows here.
    pub load: f64,
    /// The packages cargo said it compiled, checked or documented, by what it did.
    pub steps: BTreeMap<String, BTreeSet<String>>,
}

impl Measured {
    /// Every package the run built in any way.
    pub fn packages(&self) -> BTreeSet<&String> {
        self.steps.values().flatten().collect()
    }
}

/// Runs `command` to completion, looking at its process tree every [`SAMPLE_EVERY`].
pub(crate) fn run(mut command: Command) -> Result<Measured, String> {
    command.stdout(Stdio::null()).stderr(Stdio::piped());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN);
    let start = Instant::now();
    let mut child = command.spawn().map_err(|e| format!("{command:?}: {e}"))?;
    // Read cargo's log on a thread of its own: a full pipe would block cargo.
    let mut pipe = child.stderr.take().ok_or("no stderr pipe")?;
    let log = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    let root = child.id();
    let mut peaks: HashMap<u32, (u64, String)> = HashMap::new();
    let mut total_kib = 0;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        let seen = proc_tree::snapshot(root);
        total_kib = total_kib.max(seen.total_kib);
        for (pid, kib, name) in seen.peaks {
            let entry = peaks.entry(pid).or_default();
            entry.0 = entry.0.max(kib);
            // The latest name: a process cargo forks is called cargo until it execs rustc.
            entry.1 = name;
        }
        std::thread::sleep(SAMPLE_EVERY);
    };
    let wall = start.elapsed();
    let log = log.join().map_err(|_| "the log reader panicked")?;
    if !status.success() {
        return Err(format!("{command:?} failed ({status}):\n{log}"));
    }
    let (process_kib, process) = peaks
        .into_values()
        .max_by_key(|(kib, _)| *kib)
        .unwrap_or_default();
    Ok(Measured {
        wall,
        process_kib,
        process,
        total_kib,
        load,
        steps: steps(&log),
    })
}

/// The packages named by cargo's `Compiling`, `Checking` and `Documenting` lines, by
/// verb.
fn steps(log: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut steps: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in log.lines() {
        let mut words = line.split_whitespace();
        if let (Some(verb), Some(package)) = (words.next(), words.next())
            && ["Compiling", "Checking", "Documenting"].contains(&verb)
        {
            steps
                .entry(verb.to_owned())
                .or_default()
                .insert(package.to_owned());
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_packages_come_from_cargos_status_lines() {
        let log = "   Compiling feishu-runtime v0.1.0 (/w/runtime)\n\
                   \x20   Checking feishu v0.1.0 (/w/feishu)\n\
                   Documenting feishu v0.1.0 (/w/feishu)\n\
                   \x20   Finished `dev` profile [unoptimized + debuginfo] target(s) in 1.00s\n\
                   warning: Compiling is a word a warning may start with\n";
        let steps = steps(log);
        let names: Vec<_> = steps.values().flatten().collect();
        assert_eq!(names, ["feishu", "feishu-runtime", "feishu"]);
        assert_eq!(
            steps.keys().collect::<Vec<_>>(),
            ["Checking", "Compiling", "Documenting"]
        );
    }
}
