//! `cargo xtask import` on a small hand-written dump: the files it writes match
//! `tests/import/expected/` (set `UPDATE_EXPECT=1` to rewrite them), a second run
//! changes nothing, curated files are left alone, stale imported files are removed, and
//! the generator accepts the result.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use xtask::import::{dump, files, overrides, plan, render::MARKER};

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/import")
}

/// A fresh directory holding a copy of the curated fixture files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-import-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&fixture().join("curated"), &dir);
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn run(out: &Path) -> (BTreeMap<String, String>, files::Changes) {
    let dump = dump::read(&fixture().join("dump.json")).unwrap();
    let overrides = overrides::read(&fixture().join("overrides.yaml")).unwrap();
    let (planned, _report) = plan(&dump, &overrides, out).unwrap();
    let changes = files::write(out, &planned, false).unwrap();
    (planned, changes)
}

#[test]
fn fixture_imports_as_expected() {
    let out = scratch("expected");
    let (planned, changes) = run(&out);
    assert!(changes.kept_curated.is_empty());
    let expected_dir = fixture().join("expected");
    if std::env::var_os("UPDATE_EXPECT").is_some() {
        let _ = std::fs::remove_dir_all(&expected_dir);
        for (rel, text) in &planned {
            let path = expected_dir.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }
    let mut expected = BTreeMap::new();
    collect(&expected_dir, &expected_dir, &mut expected);
    assert_eq!(
        planned.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>(),
        "the set of imported files changed; rerun with UPDATE_EXPECT=1 and review"
    );
    for (rel, text) in &planned {
        assert_eq!(
            text, &expected[rel],
            "{rel} differs; rerun with UPDATE_EXPECT=1 and review"
        );
    }
    std::fs::remove_dir_all(&out).unwrap();
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, std::fs::read_to_string(&path).unwrap());
        }
    }
}

#[test]
fn second_run_changes_nothing_and_curated_files_win() {
    let out = scratch("idempotent");
    let curated = std::fs::read_to_string(out.join("demo/v1/widget.patch.yaml")).unwrap();
    let (planned, first) = run(&out);
    assert!(!first.added.is_empty());
    assert!(!planned.contains_key("demo/v1/widget.patch.yaml"));
    assert!(!planned.contains_key("auth/v3/tenant_access_token.internal.yaml"));

    let (_, second) = run(&out);
    assert!(second.added.is_empty() && second.changed.is_empty() && second.removed.is_empty());
    assert_eq!(second.unchanged, planned.len());
    assert_eq!(
        std::fs::read_to_string(out.join("demo/v1/widget.patch.yaml")).unwrap(),
        curated
    );

    // An imported file the dump no longer gives is removed; a curated one never is.
    let stale = out.join("demo/v1/gone.list.yaml");
    std::fs::write(&stale, format!("{MARKER}\nendpoint: {{}}\n")).unwrap();
    let (_, third) = run(&out);
    assert_eq!(third.removed, vec!["demo/v1/gone.list.yaml".to_owned()]);
    assert!(!stale.exists());
    assert!(out.join("demo/v1/widget.patch.yaml").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn generator_accepts_the_import() {
    let out = scratch("accepted");
    run(&out);
    let sources = feishu_codegen::load::read_dir(&out).unwrap();
    // The whole pipeline (validate, name, emit), as `cargo xtask regen` runs it.
    if let Err(e) = feishu_codegen::generate_crate(&sources, "feishu") {
        panic!("{e}");
    }
    std::fs::remove_dir_all(&out).unwrap();
}
