//! `cargo xtask import --from DUMP [--out schema/] [--overrides FILE] [--check]`: brings
//! the vendor's published API definitions (the JSON dump `xtask/import/dump.sh` writes
//! from the lark-oapi and lark-mcp packages) into schema files. One stage per file:
//! [`dump`] reads, [`evidence`] and [`merge`] decide, [`names`] names, [`render`] writes
//! YAML text, [`files`] compares with the schema directory and writes. Curated files
//! win: an endpoint id a curated file defines is not imported, a class named like a
//! curated type of its service version is that type, and only files carrying
//! [`render::MARKER`] are ever rewritten or removed.

pub mod dump;
pub mod evidence;
pub mod files;
pub mod merge;
pub mod model;
pub mod names;
pub mod overrides;
pub mod render;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use model::{Body, Response};

const USAGE: &str =
    "usage: cargo xtask import --from DUMP.json|DIR [--out DIR] [--overrides FILE] [--check]";

/// The largest imported types file; a service version with more types gets several.
const TYPES_FILE_BYTES: usize = 256 * 1024;

pub fn run(args: &[String]) -> Result<String, String> {
    let root = crate::workspace_root();
    let mut from = None;
    let mut out = root.join("schema");
    let mut overrides = root.join("xtask/import/overrides.yaml");
    let mut check = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--from" => from = Some(it.next().map(PathBuf::from).ok_or(USAGE)?),
            "--out" => out = it.next().map(PathBuf::from).ok_or(USAGE)?,
            "--overrides" => overrides = it.next().map(PathBuf::from).ok_or(USAGE)?,
            "--check" => check = true,
            _ => return Err(format!("unknown argument `{arg}`\n{USAGE}")),
        }
    }
    let from = from.ok_or(USAGE)?;
    let dump = dump::read(&from)?;
    let overrides = overrides::read(&overrides)?;
    let (plan, report) = plan(&dump, &overrides, &out)?;
    let changes = files::write(&out, &plan, check)?;
    let mut msg = report;
    let _ = std::fmt::Write::write_fmt(
        &mut msg,
        format_args!(
            "\n{}: {} added, {} changed, {} removed, {} unchanged in {}",
            if check { "import --check" } else { "import" },
            changes.added.len(),
            changes.changed.len(),
            changes.removed.len(),
            changes.unchanged,
            out.display()
        ),
    );
    for p in &changes.kept_curated {
        msg.push_str(&format!("\n  kept curated file {p}"));
    }
    let listed = changes
        .added
        .iter()
        .map(|p| format!("+ {p}"))
        .chain(changes.changed.iter().map(|p| format!("~ {p}")))
        .chain(changes.removed.iter().map(|p| format!("- {p}")));
    for (i, line) in listed.enumerate() {
        if i == 40 {
            msg.push_str("\n  ...");
            break;
        }
        msg.push_str(&format!("\n  {line}"));
    }
    let stale =
        !(changes.added.is_empty() && changes.changed.is_empty() && changes.removed.is_empty());
    if check && stale {
        return Err(format!(
            "{msg}\nrun `cargo xtask import --from ...` to update"
        ));
    }
    Ok(msg)
}

/// Every imported file (relative path -> text) for `out`, and a summary.
pub fn plan(
    dump: &dump::Dump,
    overrides: &overrides::Overrides,
    out: &Path,
) -> Result<(BTreeMap<String, String>, String), String> {
    let (curated, curated_names) = files::curated(out)?;
    let import = merge::merge(dump, overrides, &curated);
    let names = names::assign(&import, &curated_names);

    let mut files = BTreeMap::new();
    for ep in &import.endpoints {
        let parts: Vec<&str> = ep.id.split('.').collect();
        let path = format!("{}/{}/{}.{}.yaml", parts[0], parts[1], parts[2], parts[3]);
        files.insert(path, render::endpoint(ep, &names));
    }

    // Types and enums, by the service version that owns them.
    let mut by_scope: BTreeMap<String, Chunk> = BTreeMap::new();
    for (qual, fields) in &import.classes {
        if names.curated_classes.contains(qual) {
            continue;
        }
        let scope = qual.rsplit_once('.').map_or("", |(s, _)| s).to_owned();
        by_scope
            .entry(scope)
            .or_default()
            .0
            .insert(names.classes[qual].clone(), fields);
    }
    // An enum several services use goes to common/: left in one of them, it would make
    // the others' crates depend on that service's crate (im on contact for
    // `MemberIdType`), and a build of one service compile three.
    let mut services: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for (key, def) in &import.enums {
        let service = def.scope.split('.').next().unwrap_or_default();
        services
            .entry(names.enums[key].as_str())
            .or_default()
            .insert(service);
    }
    let mut placed = std::collections::BTreeSet::new();
    for (key, def) in &import.enums {
        if names.curated_enums.contains(key) {
            continue;
        }
        let name = &names.enums[key];
        // Written once: in common/, or in the first (sorted) service version that uses it.
        if placed.insert(name.clone()) {
            let scope = if services[name.as_str()].len() > 1 {
                "common".to_owned()
            } else {
                def.scope.clone()
            };
            by_scope
                .entry(scope)
                .or_default()
                .1
                .insert(name.clone(), def);
        }
    }
    for (scope, (classes, enums)) in &by_scope {
        let dir = scope.replace('.', "/");
        for (i, (c, e)) in chunks(classes, enums, &names).into_iter().enumerate() {
            let file = if i == 0 {
                format!("{dir}/imported.types.yaml")
            } else {
                format!("{dir}/imported.types.{}.yaml", i + 1)
            };
            files.insert(file, render::types(&c, &e, &names));
        }
    }

    let report = summary(dump, &import, &names);
    Ok((files, report))
}

type Chunk<'a> = (
    BTreeMap<String, &'a Vec<model::Field>>,
    BTreeMap<String, &'a model::EnumDef>,
);

/// Splits one service version's types into files under [`TYPES_FILE_BYTES`], in name
/// order, so the split only moves when the types change.
fn chunks<'a>(
    classes: &BTreeMap<String, &'a Vec<model::Field>>,
    enums: &BTreeMap<String, &'a model::EnumDef>,
    names: &names::Names,
) -> Vec<Chunk<'a>> {
    let mut out: Vec<Chunk<'a>> = vec![Default::default()];
    let mut size = 0;
    for (name, fields) in classes {
        let one = BTreeMap::from([(name.clone(), *fields)]);
        let len = render::types(&one, &BTreeMap::new(), names).len();
        if size + len > TYPES_FILE_BYTES && size > 0 {
            out.push(Default::default());
            size = 0;
        }
        size += len;
        out.last_mut().map(|c| c.0.insert(name.clone(), *fields));
    }
    for (name, def) in enums {
        let one = BTreeMap::from([(name.clone(), *def)]);
        let len = render::types(&BTreeMap::new(), &one, names).len();
        if size + len > TYPES_FILE_BYTES && size > 0 {
            out.push(Default::default());
            size = 0;
        }
        size += len;
        out.last_mut().map(|c| c.1.insert(name.clone(), *def));
    }
    out
}

fn summary(dump: &dump::Dump, import: &model::Import, names: &names::Names) -> String {
    let sources: Vec<String> = dump
        .sources
        .iter()
        .map(|s| format!("{} {} ({})", s.name, s.version, s.license))
        .collect();
    let eps = &import.endpoints;
    let in_mcp: std::collections::BTreeSet<String> =
        dump.mcp.keys().map(|k| merge::snake_id(k)).collect();
    let count = |f: &dyn Fn(&model::Endpoint) -> bool| eps.iter().filter(|e| f(e)).count();
    let mut s = format!(
        "sources: {}\nendpoints: {} in lark-oapi, {} in lark-mcp; {} imported ({} with a lark-mcp request schema), {} skipped\n  uploads {}, downloads {}, paginated {}, idempotent {}\ntypes: {} classes ({} are curated types), {} enums",
        sources.join(", "),
        dump.oapi.endpoints.len(),
        dump.mcp.len(),
        eps.len(),
        count(&|e| in_mcp.contains(&e.id)),
        import.skipped.len(),
        count(&|e| matches!(
            e.body,
            Some(Body::Fields {
                multipart: true,
                ..
            })
        )),
        count(&|e| matches!(e.response, Some(Response::Binary))),
        count(&|e| e.pagination.is_some()),
        count(&|e| e.idempotent),
        import.classes.len(),
        names.curated_classes.len(),
        names
            .enums
            .values()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
    );
    for (id, why) in &import.skipped {
        s.push_str(&format!("\n  skipped {id}: {why}"));
    }
    s
}
