//! Every malformed schema in tests/corpus/ gets exactly the diagnostics in its
//! `expected.txt`, and nothing panics. `BLESS=1 cargo test` rewrites the expectations
//! after a deliberate change to the messages.

use feishu_codegen::load::{self, SourceFile};
use feishu_tests::{render, workspace};

#[test]
fn corpus_cases_report_exactly_the_expected_diagnostics() {
    let corpus = workspace("tests/corpus");
    let mut cases: Vec<_> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    assert!(cases.len() >= 25, "the corpus has {} cases", cases.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let files = load::read_dir(&case.join("schema")).unwrap();
        let diagnostics = feishu_codegen::check(&files);
        let got = render(&diagnostics);
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        assert!(
            !diagnostics.is_empty(),
            "{}: a malformed schema passed",
            case.display()
        );
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                case.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_file_over_the_size_budget_is_rejected_before_parsing() {
    let mut text = String::from("types:\n");
    while text.len() <= load::MAX_FILE_BYTES {
        text.push_str("  - name: T\n    fields:\n      - {name: a, type: string}\n");
    }
    let file = SourceFile {
        path: "demo/v1/huge.yaml".into(),
        bytes: text.into_bytes(),
    };
    let got = render(&feishu_codegen::check(&[file]));
    assert!(
        got.starts_with("demo/v1/huge.yaml:1:1: error: file is "),
        "{got}"
    );
    assert!(got.contains("over the 1048576-byte limit"), "{got}");
}

#[test]
fn the_real_schema_is_valid() {
    let files = load::read_dir(&workspace("schema")).unwrap();
    let diagnostics = feishu_codegen::check(&files);
    assert!(diagnostics.is_empty(), "{}", render(&diagnostics));
}

#[test]
fn a_file_of_unknown_names_gets_a_bounded_number_of_guesses() {
    // Each guess compares a name with every known one; a crafted file of thousands of
    // near-miss names must not make checking quadratic.
    let mut text = String::from("types:\n");
    for i in 0..300 {
        text.push_str(&format!(
            "  - name: Known{i}\n    fields:\n      - {{name: a, type: Knwn{i}}}\n"
        ));
    }
    let file = SourceFile {
        path: "demo/v1/names.yaml".into(),
        bytes: text.into_bytes(),
    };
    let got = render(&feishu_codegen::check(&[file]));
    assert_eq!(got.matches("error: unknown type").count(), 300);
    let guesses = got.matches("did you mean").count();
    assert!((1..100).contains(&guesses), "{guesses} guesses");
}
