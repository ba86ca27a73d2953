//! The figures of one mode as a table: medians of the runs, then the anchor's figures
//! over ours.

use std::time::Duration;

use super::timed_run::Measured;
use crate::bench::median;

/// One thing measured in a mode, with its runs.
pub(crate) struct Row {
    pub label: String,
    /// cargo's arguments.
    pub args: Vec<String>,
    pub endpoints: usize,
    pub runs: Vec<Measured>,
}

/// Medians of a row's runs.
struct Medians {
    wall: Duration,
    fastest: Duration,
    slowest: Duration,
    process_kib: u64,
    total_kib: u64,
    process: String,
}

impl Row {
    fn medians(&self) -> Medians {
        let mut walls: Vec<_> = self.runs.iter().map(|r| r.wall).collect();
        let mut process: Vec<_> = self.runs.iter().map(|r| r.process_kib).collect();
        let mut total: Vec<_> = self.runs.iter().map(|r| r.total_kib).collect();
        let mut names: Vec<_> = self.runs.iter().map(|r| r.process.as_str()).collect();
        names.sort();
        names.dedup();
        // `median` sorts: the fastest and slowest are then at the ends.
        let wall = median(&mut walls);
        Medians {
            wall,
            fastest: walls[0],
            slowest: walls[walls.len() - 1],
            process_kib: median(&mut process),
            total_kib: median(&mut total),
            process: names.join("/"),
        }
    }

    fn per_endpoint_ms(&self) -> f64 {
        self.medians().wall.as_secs_f64() * 1e3 / self.endpoints.max(1) as f64
    }
}

/// The table of `mode`; `ours` and `anchor` index the rows the ratios compare.
pub(crate) fn table(mode: &str, rows: &[Row], ours: usize, anchor: usize) -> String {
    let runs = rows.first().map_or(0, |r| r.runs.len());
    let mut out = format!("\n== {mode}, median of {runs} runs each, alternating\n");
    for row in rows {
        let built = row.runs.first().map(built).unwrap_or_default();
        out.push_str(&format!(
            "  {:<22} cargo {}  ({built})\n",
            row.label,
            row.args.join(" ")
        ));
    }
    out.push_str(&format!(
        "{:<24} {:>9} {:>9} {:>17} {:>13} {:>16} {:>11}\n",
        "", "endpoints", "wall", "(fastest-slowest)", "per endpoint", "peak process", "peak total"
    ));
    for row in rows {
        let m = row.medians();
        out.push_str(&format!(
            "{:<24} {:>9} {:>7.1} s {:>17} {:>10.1} ms {:>16} {:>7.0} MiB\n",
            row.label,
            row.endpoints,
            m.wall.as_secs_f64(),
            format!(
                "({:.1}-{:.1} s)",
                m.fastest.as_secs_f64(),
                m.slowest.as_secs_f64()
            ),
            row.per_endpoint_ms(),
            format!("{:.0} MiB {}", m.process_kib as f64 / 1024.0, m.process),
            m.total_kib as f64 / 1024.0,
        ));
    }
    let (o, a) = (&rows[ours], &rows[anchor]);
    let (om, am) = (o.medians(), a.medians());
    out.push_str(&format!(
        "{} / {}: {:.2}x the time per endpoint ({:.2}x the wall, {:.2}x the endpoints), \
         {:.2}x the peak process, {:.2}x the peak total\n",
        a.label,
        o.label,
        a.per_endpoint_ms() / o.per_endpoint_ms(),
        am.wall.as_secs_f64() / om.wall.as_secs_f64(),
        a.endpoints as f64 / o.endpoints.max(1) as f64,
        am.process_kib as f64 / om.process_kib.max(1) as f64,
        am.total_kib as f64 / om.total_kib.max(1) as f64,
    ));
    out
}

/// What a run built, as cargo said it: `Checking a; Documenting a, b`.
fn built(run: &Measured) -> String {
    let steps = run.steps.iter().map(|(verb, packages)| {
        if packages.len() > 4 {
            format!("{verb} {} packages", packages.len())
        } else {
            let names: Vec<&str> = packages.iter().map(String::as_str).collect();
            format!("{verb} {}", names.join(", "))
        }
    });
    steps.collect::<Vec<_>>().join("; ")
}
