//! Names for imported classes and enums. Schema type names are global, while the
//! vendor's class names are per service version (`User` is in contact/v3 and in acs/v1):
//! a class keeps its own name when no other class, curated type or enum has it, and is
//! prefixed with its service and version otherwise (`AcsV1User`). A class named like a
//! curated type of the same service version is that type: the curated one is used.
//! An enum is named after its field (`DepartmentIdType`) when every field of that name
//! has the same values; otherwise after its owner and field (`ChatModeType`). An enum
//! equal to a curated one of the same name (common `UserIdType`) is the curated one.

use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;

use super::model::{EnumDef, Import};

/// What the curated files define, for names.
#[derive(Debug, Default)]
pub struct CuratedNames {
    /// Type names by the `service.version` directory that defines them (`common` too).
    pub types: BTreeMap<String, String>,
    /// Enums: name -> (wire is int, wire values).
    pub enums: BTreeMap<String, (bool, Vec<serde_json::Value>)>,
}

#[derive(Debug, Default)]
pub struct Names {
    pub classes: BTreeMap<String, String>,
    pub enums: BTreeMap<String, String>,
    /// Classes and enum keys that resolve to a curated definition: not written.
    pub curated_classes: BTreeSet<String>,
    pub curated_enums: BTreeSet<String>,
}

pub fn assign(import: &Import, curated: &CuratedNames) -> Names {
    let mut names = Names::default();
    let mut taken: BTreeSet<String> = curated.types.keys().cloned().collect();
    taken.extend(curated.enums.keys().cloned());

    // Classes.
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    let mut own = Vec::new();
    for qual in import.classes.keys() {
        let (scope, class) = qual.rsplit_once('.').unwrap_or(("", qual));
        let bare = class.to_upper_camel_case();
        if curated.types.get(&bare).is_some_and(|s| s == scope) {
            names.classes.insert(qual.clone(), bare);
            names.curated_classes.insert(qual.clone());
            continue;
        }
        *count.entry(bare.clone()).or_default() += 1;
        own.push((qual.clone(), scope.to_owned(), bare));
    }
    for (qual, scope, bare) in &own {
        let name = if count[bare] == 1 && usable(&feishu_codegen::naming::camel(bare), &taken) {
            feishu_codegen::naming::camel(bare)
        } else {
            format!("{}{bare}", scope.replace('.', "_").to_upper_camel_case())
        };
        let name = unique(name, &taken);
        taken.insert(name.clone());
        names.classes.insert(qual.clone(), name);
    }

    // Enums, grouped by their field's name.
    let mut groups: BTreeMap<String, Vec<(&String, &EnumDef)>> = BTreeMap::new();
    for (key, def) in &import.enums {
        groups
            .entry(def.field.to_upper_camel_case())
            .or_default()
            .push((key, def));
    }
    let mut desired: BTreeMap<String, Vec<(String, Vec<serde_json::Value>)>> = BTreeMap::new();
    for (candidate, defs) in groups {
        // Distinct value sets with how many fields have each.
        let mut distinct: Vec<(Vec<&serde_json::Value>, usize)> = Vec::new();
        for (key, def) in &defs {
            let wire: Vec<&serde_json::Value> = def.values.iter().map(|v| &v.0).collect();
            if let Some((int, values)) = curated.enums.get(&candidate)
                && *int == def.int
                && values.iter().collect::<Vec<_>>() == wire
            {
                names.enums.insert((*key).clone(), candidate.clone());
                names.curated_enums.insert((*key).clone());
                continue;
            }
            match distinct.iter_mut().find(|(w, _)| *w == wire) {
                Some((_, n)) => *n += 1,
                None => distinct.push((wire, 1)),
            }
        }
        // The value set most fields have takes the bare name (the first such, in key
        // order, on a tie); the others are named after their owner.
        let most = distinct.iter().map(|(_, n)| *n).max().unwrap_or(0);
        let common = distinct
            .iter()
            .find(|(_, n)| *n == most)
            .map(|(w, _)| w.clone());
        let candidate = feishu_codegen::naming::camel(&candidate);
        let bare_ok = usable(&candidate, &taken);
        for (key, def) in &defs {
            if names.curated_enums.contains(*key) {
                continue;
            }
            let wire_ref: Vec<&serde_json::Value> = def.values.iter().map(|v| &v.0).collect();
            let base = if bare_ok && common.as_ref() == Some(&wire_ref) {
                candidate.clone()
            } else {
                let qual = format!("{}.{}", def.scope, def.owner);
                let owner = match names.classes.get(&qual) {
                    Some(class) => class.clone(),
                    None => def.owner.to_upper_camel_case(),
                };
                format!("{owner}{candidate}")
            };
            let wire: Vec<serde_json::Value> = def.values.iter().map(|v| v.0.clone()).collect();
            desired
                .entry(base)
                .or_default()
                .push(((*key).clone(), wire));
        }
    }
    // One enum per name and value set; a name already taken gets a number.
    for (base, keys) in desired {
        let mut seen: Vec<(Vec<serde_json::Value>, String)> = Vec::new();
        for (key, wire) in keys {
            let name = match seen.iter().find(|(w, _)| *w == wire) {
                Some((_, name)) => name.clone(),
                None => {
                    let name = unique(base.clone(), &taken);
                    taken.insert(name.clone());
                    seen.push((wire, name.clone()));
                    name
                }
            };
            names.enums.insert(key, name);
        }
    }
    names
}

/// Free, kept as it is by the generator (not `Option`, which becomes `OptionType`), and
/// not ending in `Api` (the accessors' names).
fn usable(name: &str, taken: &BTreeSet<String>) -> bool {
    !taken.contains(name)
        && !name.ends_with("Api")
        && feishu_codegen::naming::type_ident(name, false) == name
        && feishu_codegen::naming::type_ident(name, true) == name
}

fn unique(name: String, taken: &BTreeSet<String>) -> String {
    // The generator's own case conversion, so what is checked is what Rust will see.
    let name = feishu_codegen::naming::camel(&name);
    let name = if name.ends_with("Api") {
        format!("{name}Type")
    } else {
        name
    };
    if usable(&name, taken) {
        return name;
    }
    (2..10_000)
        .map(|i| format!("{name}{i}"))
        .find(|n| usable(n, taken))
        .unwrap_or(name)
}
