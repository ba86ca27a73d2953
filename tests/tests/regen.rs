//! `cargo xtask regen`: the checked-in output is current, identical for the same schema
//! whatever the file order, byte for byte equal to the golden fixture, and untouched
//! when the schema is broken.

use feishu_codegen::load;
use feishu_tests::{TempDir, copy_curated_schema, snapshot, workspace};
use xtask::Mode;

#[test]
fn generated_crate_is_current() {
    let result = xtask::regen(
        &workspace("schema"),
        &workspace("generated"),
        "feishu",
        Mode::Check,
    );
    if let Err(stale) = result {
        panic!("{stale}");
    }
}

#[test]
fn golden_fixture_matches_byte_for_byte() {
    // The fixture schema uses every feature of the format; its expected output is a
    // workspace member, so it is also compiled and linted with everything else.
    let result = xtask::regen(
        &workspace("tests/golden/schema"),
        &workspace("tests/golden/expected"),
        "feishu-golden",
        Mode::Check,
    );
    if let Err(stale) = result {
        panic!(
            "{stale}\n(for the fixture: cargo xtask regen --schema tests/golden/schema --out tests/golden/expected --crate-name feishu-golden)"
        );
    }
}

#[test]
fn hostile_fixture_matches_byte_for_byte() {
    // Names that shadow the prelude, the runtime and the builder's own items, builders
    // named like types, colliding inline objects, a resource named `new`: a valid
    // schema whose crate must still compile (it is a workspace member, so it does).
    let result = xtask::regen(
        &workspace("tests/hostile/schema"),
        &workspace("tests/hostile/expected"),
        "feishu-hostile",
        Mode::Check,
    );
    if let Err(stale) = result {
        panic!(
            "{stale}\n(for the fixture: cargo xtask regen --schema tests/hostile/schema --out tests/hostile/expected --crate-name feishu-hostile)"
        );
    }
}

#[test]
fn random_names_fixture_matches_byte_for_byte() {
    // A schema drawn from a hostile vocabulary with seed 1; the crate is a workspace
    // member, so it is compiled, linted and documented with everything else.
    // `cargo xtask random-compile --seeds A..B` tries other seeds.
    let sources = xtask::random_schema::schema(1, xtask::random_schema::FIXTURE_ENDPOINTS);
    let result = xtask::regen_sources(
        &sources,
        "random seed 1",
        &workspace("tests/random/expected"),
        "feishu-random",
        Mode::Check,
    );
    if let Err(stale) = result {
        panic!(
            "{stale}\n(for the fixture: cargo xtask regen --random-seed 1 --out tests/random/expected --crate-name feishu-random)"
        );
    }
}

#[test]
fn output_does_not_depend_on_file_order() {
    // The whole surface in two orders (each run regenerates 1,600 endpoints), the
    // fixtures in eight.
    for (schema, rounds) in [
        ("schema", 2),
        ("tests/golden/schema", 8),
        ("tests/hostile/schema", 8),
    ] {
        let files = load::read_dir(&workspace(schema)).unwrap();
        let reference = feishu_codegen::generate(&files).unwrap();
        let mut shuffled = files.clone();
        // A fixed-seed shuffle (xorshift) plus reversal and rotations: many orders.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        for round in 0..rounds {
            for i in (1..shuffled.len()).rev() {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                shuffled.swap(i, (seed % (i as u64 + 1)) as usize);
            }
            if round % 2 == 1 {
                shuffled.reverse();
            }
            let again = feishu_codegen::generate(&shuffled).unwrap();
            assert!(
                again == reference,
                "{schema}: output changed with file order (round {round})"
            );
        }
    }
}

#[test]
fn broken_schema_leaves_output_untouched() {
    // The curated part of the schema: this is about files, not scale.
    let schema = TempDir::new("schema");
    copy_curated_schema(&schema.0);
    let out = TempDir::new("out");
    xtask::regen(&schema.0, &out.0, "feishu", Mode::Write).unwrap();
    std::fs::write(
        schema.0.join("application/v6/broken.yaml"),
        "types:\n  - name: Broken\n    fields:\n      - {name: a, type: Nope}\n",
    )
    .unwrap();
    let before = snapshot(&out.0);

    let err = xtask::regen(&schema.0, &out.0, "feishu", Mode::Write).unwrap_err();
    assert!(
        err.contains("application/v6/broken.yaml:4:25: error: unknown type `Nope`"),
        "{err}"
    );
    assert_eq!(snapshot(&out.0), before, "a failed run changed the output");

    let empty = TempDir::new("empty-out");
    xtask::regen(&schema.0, &empty.0, "feishu", Mode::Write).unwrap_err();
    assert!(snapshot(&empty.0).is_empty(), "a failed run wrote files");
}

#[test]
fn check_lists_stale_and_leftover_files_and_write_repairs_them() {
    let schema = TempDir::new("schema");
    copy_curated_schema(&schema.0);
    let out = TempDir::new("stale");
    xtask::regen(&schema.0, &out.0, "feishu", Mode::Write).unwrap();
    let lib = out.0.join("src/lib.rs");
    std::fs::write(
        &lib,
        std::fs::read_to_string(&lib).unwrap() + "// edited by hand\n",
    )
    .unwrap();
    std::fs::write(
        out.0.join("src/old.rs"),
        "// @generated by `cargo xtask regen` from schema/old.yaml; do not edit.\n",
    )
    .unwrap();
    std::fs::write(out.0.join("NOTES.md"), "not generated: never touched\n").unwrap();

    let err = xtask::regen(&schema.0, &out.0, "feishu", Mode::Check).unwrap_err();
    assert!(err.contains("src/lib.rs (differs)"), "{err}");
    assert!(err.contains("src/old.rs (no longer generated)"), "{err}");
    assert!(err.contains("run `cargo xtask regen`"), "{err}");

    xtask::regen(&schema.0, &out.0, "feishu", Mode::Write).unwrap();
    xtask::regen(&schema.0, &out.0, "feishu", Mode::Check).unwrap();
    assert!(!out.0.join("src/old.rs").exists());
    assert!(out.0.join("NOTES.md").exists());
}

#[test]
fn the_readme_lists_every_service_as_the_catalogue_does() {
    // The services table is generated into generated/ENDPOINTS.md; the README carries
    // a copy, which must not drift when the schema grows.
    let catalogue = std::fs::read_to_string(workspace("generated/ENDPOINTS.md")).unwrap();
    let start = catalogue
        .find(feishu_codegen::emit::catalog::TABLE_START)
        .expect("the catalogue has its services table");
    let end = catalogue[start..]
        .find(feishu_codegen::emit::catalog::TABLE_END)
        .expect("the table ends")
        + start;
    let table = &catalogue[start..end];
    assert!(table.lines().count() > 10, "{table}");
    let readme = std::fs::read_to_string(workspace("README.md")).unwrap();
    assert!(
        readme.contains(table),
        "README.md's services table differs from generated/ENDPOINTS.md's; copy it over:\n{table}"
    );
}
