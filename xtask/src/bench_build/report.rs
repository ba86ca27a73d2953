//! The figures of one mode as a table: medians of the runs, then the anchor's figures
//! over ours.

use super::timed_run::Measured;

/// One thing measured in a mode, with its runs.
pub(crate) struct Row {
    pub label: String,
    /// cargo's arguments.
    pub args: Vec<String>,
    pub endpoints: usize,
    pub runs: Vec<Measured>,
}

/// Medians of a row's runs: seconds and MiB.
struct Medians {
    wall: f64,
    fastest: f64,
    slowest: f64,
    process_mib: f64,
    total_mib: f64,
    /// The name of the largest process in each run, once each.
    process: String,
}

impl Row {
    fn medians(&self) -> Medians {
        let walls: Vec<f64> = self.runs.iter().map(|r| r.wall.as_secs_f64()).collect();
        let mib = |kib: u64| kib as f64 / 1024.0;
        let mut names: Vec<&str> = self.runs.iter().map(|r| r.process.as_str()).collect();
        names.sort();
        names.dedup();
        Medians {
            wall: median(walls.clone()),
            fastest: walls.iter().copied().fold(f64::INFINITY, f64::min),
            slowest: walls.iter().copied().fold(0.0, f64::max),
            process_mib: median(self.runs.iter().map(|r| mib(r.process_kib)).collect()),
            total_mib: median(self.runs.iter().map(|r| mib(r.total_kib)).collect()),
            process: names.join("/"),
        }
    }

    fn per_endpoint_ms(&self) -> f64 {
        self.medians().wall * 1e3 / self.endpoints.max(1) as f64
    }
}

/// The median, for an even count the mean of the two middle values. (`bench::median`
/// takes the upper one, which for two runs is the slower: each side's worst run.)
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => 0.0,
        _ if n % 2 == 1 => values[n / 2],
        _ => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

/// The table of `mode`; `ours` and `anchor` index the rows the ratios compare.
pub(crate) fn table(mode: &str, rows: &[Row], ours: usize, anchor: usize) -> String {
    let runs = rows.first().map_or(0, |r| r.runs.len());
    let width = rows.iter().map(|r| r.label.len()).max().unwrap_or(0);
    let mut out = format!("\n== {mode}, median of {runs} runs each, alternating\n");
    for row in rows {
        let built = row.runs.first().map(built).unwrap_or_default();
        out.push_str(&format!(
            "  {:<width$}  cargo {}  ({built})\n",
            row.label,
            row.args.join(" ")
        ));
    }
    out.push_str(&format!(
        "  {:<width$}  {:>9}  {:>8}  {:>17}  {:>12}  {:>18}  {:>10}\n",
        "", "endpoints", "wall", "(fastest-slowest)", "per endpoint", "peak process", "peak total"
    ));
    for row in rows {
        let m = row.medians();
        out.push_str(&format!(
            "  {:<width$}  {:>9}  {:>6.1} s  {:>17}  {:>12}  {:>18}  {:>6.0} MiB\n",
            row.label,
            row.endpoints,
            m.wall,
            format!("({:.1}-{:.1} s)", m.fastest, m.slowest),
            match row.endpoints {
                0 => "-".to_owned(),
                _ => format!("{:.1} ms", row.per_endpoint_ms()),
            },
            format!("{:.0} MiB {}", m.process_mib, m.process),
            m.total_mib,
        ));
    }
    let loads: Vec<f64> = rows
        .iter()
        .flat_map(|r| r.runs.iter().map(|m| m.load))
        .collect();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    out.push_str(&format!(
        "  load (1-minute average as each run started): {:.1}-{:.1} on {cores} cores\n",
        loads.iter().copied().fold(f64::INFINITY, f64::min),
        loads.iter().copied().fold(0.0, f64::max),
    ));
    let (o, a) = (&rows[ours], &rows[anchor]);
    let (om, am) = (o.medians(), a.medians());
    out.push_str(&format!(
        "  {} / {}: {:.2}x the time per endpoint ({:.2}x the wall, {:.2}x the endpoints), \
         {:.2}x the peak process, {:.2}x the peak total\n",
        a.label,
        o.label,
        a.per_endpoint_ms() / o.per_endpoint_ms(),
        am.wall / om.wall,
        a.endpoints as f64 / o.endpoints.max(1) as f64,
        am.process_mib / om.process_mib,
        am.total_mib / om.total_mib,
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

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn an_even_count_takes_the_mean_of_the_middle_two() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0]), 2.5);
    }
}
