//! Each service is a crate of its own, and so is common/: a crate depends on the crates
//! whose types its own types name. Cargo cannot build crates that depend on each other in
//! a circle, so such a circle is a schema error, reported where it closes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::diagnostic::{Diagnostic, Pos};
use crate::symbols::ModPath;

/// The first reference from one crate to another, by (from, to).
#[derive(Debug, Default)]
pub(super) struct CrateGraph<'a> {
    edges: BTreeMap<(String, String), (&'a str, Pos)>,
}

/// The crate a module's items are generated into: its service, or `common`.
fn crate_of(m: &ModPath) -> &str {
    match m {
        ModPath::Service { service, .. } => service,
        ModPath::Common => COMMON,
    }
}

/// The common crate's name in the graph.
const COMMON: &str = "common";

impl<'a> CrateGraph<'a> {
    /// `file` (in module `from`) names a type of module `to` at `pos`.
    pub(super) fn reference(&mut self, from: &ModPath, to: &ModPath, file: &'a str, pos: Pos) {
        let (from, to) = (crate_of(from), crate_of(to));
        if from != to {
            self.edges
                .entry((from.to_owned(), to.to_owned()))
                .or_insert((file, pos));
        }
    }

    /// One error per reference from common/ to a service (every service's crate depends
    /// on the common crate for its error enums, so any such reference closes a circle),
    /// then one per circle among services, at the reference that closes it (the first in
    /// name order).
    pub(super) fn circles(&self) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for ((from, to), &(file, pos)) in &self.edges {
            if from == COMMON {
                out.push(
                    Diagnostic::new(
                        file,
                        pos,
                        format!("a type in schema/common/ names a type of service `{to}`"),
                    )
                    .with_hint(format!(
                        "every service's crate depends on the common crate, so common/ can name only its own types; move the type it names from schema/{to}/ to schema/common/"
                    )),
                );
                continue;
            }
            next.entry(from.as_str()).or_default().push(to.as_str());
        }
        let mut reported: BTreeSet<&str> = BTreeSet::new();
        for ((from, to), &(file, pos)) in &self.edges {
            let (from, to) = (from.as_str(), to.as_str());
            if from == COMMON || reported.contains(from) {
                continue;
            }
            let Some(back) = path(&next, to, from) else {
                continue;
            };
            reported.extend(back.iter().copied());
            let mut circle = vec![from];
            circle.extend(&back);
            let others: Vec<String> = circle
                .windows(2)
                .skip(1)
                .map(|w| {
                    let (f, p) = self.edges[&(w[0].to_owned(), w[1].to_owned())];
                    format!("`{}` names `{}` at {f}:{}:{}", w[0], w[1], p.line, p.column)
                })
                .collect();
            out.push(
                Diagnostic::new(
                    file,
                    pos,
                    format!(
                        "services depend on each other in a circle: {}",
                        circle.join(" -> ")
                    ),
                )
                .with_hint(format!(
                    "each service is a crate of its own, and crates cannot depend on each other in a circle ({}); move the types they share to schema/common/ or into one of them",
                    others.join(", ")
                )),
            );
        }
        out
    }
}

/// The shortest path from `start` to `goal` (both included), if there is one.
fn path<'g>(
    next: &BTreeMap<&'g str, Vec<&'g str>>,
    start: &'g str,
    goal: &'g str,
) -> Option<Vec<&'g str>> {
    let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
    let mut queue = VecDeque::from([start]);
    let mut seen = BTreeSet::from([start]);
    while let Some(at) = queue.pop_front() {
        if at == goal {
            let mut path = vec![goal];
            let mut cur = goal;
            while let Some(&prev) = came_from.get(cur) {
                path.push(prev);
                cur = prev;
            }
            path.reverse();
            return Some(path);
        }
        for &n in next.get(at).into_iter().flatten() {
            if seen.insert(n) {
                came_from.insert(n, at);
                queue.push_back(n);
            }
        }
    }
    None
}
