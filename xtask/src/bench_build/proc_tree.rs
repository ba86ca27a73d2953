//! The memory of a running build, read from Linux's /proc: the process and all its
//! descendants (cargo, rustc, rustdoc, build scripts). Parents are read from each
//! process's `stat`, because `/proc/<pid>/task/*/children` needs a kernel option that
//! not every kernel (nor this machine's) has.

use std::collections::HashMap;

/// One look at a process tree.
pub(crate) struct Snapshot {
    /// The sum of the resident memory of every process in the tree, in KiB.
    pub total_kib: u64,
    /// Each process's own peak resident memory so far (`VmHWM`, kept by the kernel, so
    /// a spike between two looks still counts), with its name, by pid.
    pub peaks: Vec<(u32, u64, String)>,
}

/// The tree under `root` (itself included) as it is now.
pub(crate) fn snapshot(root: u32) -> Snapshot {
    let mut total_kib = 0;
    let mut peaks = Vec::new();
    for pid in descendants(root) {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            // It exited between the listing and now.
            continue;
        };
        total_kib += field_kib(&status, "VmRSS");
        let name = status
            .lines()
            .find_map(|l| l.strip_prefix("Name:"))
            .unwrap_or("")
            .trim()
            .to_owned();
        peaks.push((pid, field_kib(&status, "VmHWM"), name));
    }
    Snapshot { total_kib, peaks }
}

/// `root` and every process descending from it.
fn descendants(root: u32) -> Vec<u32> {
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry.file_name().to_str().and_then(|s| s.parse().ok()) else {
                continue;
            };
            if let Some(parent) = parent(pid) {
                children.entry(parent).or_default().push(pid);
            }
        }
    }
    let mut tree = vec![root];
    let mut next = 0;
    while next < tree.len() {
        if let Some(kids) = children.get(&tree[next]) {
            tree.extend(kids);
        }
        next += 1;
    }
    tree
}

/// The parent pid from `/proc/<pid>/stat`: the second field after the command name, which
/// is in parentheses and may itself contain spaces and parentheses.
fn parent(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = &stat[stat.rfind(')')? + 1..];
    after_name.split_whitespace().nth(1)?.parse().ok()
}

/// A `Name:   123 kB` line of `/proc/<pid>/status`, in KiB; 0 when absent (a zombie).
fn field_kib(status: &str, field: &str) -> u64 {
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_in_its_parents_tree_with_its_memory() {
        if !std::path::Path::new("/proc/self/stat").exists() {
            return;
        }
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let me = std::process::id();
        let seen = snapshot(me);
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(seen.peaks.iter().any(|(pid, _, _)| *pid == child.id()));
        assert!(seen.peaks.iter().any(|(_, _, name)| name == "sleep"));
        assert!(seen.total_kib > 0);
    }
}
