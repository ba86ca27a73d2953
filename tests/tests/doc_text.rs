//! Schema prose never turns into a doctest, a hidden character or a line that does not
//! compile, whatever it holds and wherever it lands in the docs; the escaping itself is
//! unit-tested in codegen/src/emit/doc_text.rs, and CI's `cargo doc` with `-D warnings`
//! on the golden fixture (tests/golden/schema/shop/v1/note.create.yaml) shows rustdoc
//! has nothing to warn about.

use std::collections::BTreeMap;
use std::path::Path;

use feishu_codegen::emit::doc_text::{escape, scrub_line};
use feishu_codegen::load::SourceFile;
use feishu_tests::{snapshot, workspace};

/// Text that breaks docs in every way at once: each line starts a block (indented
/// code, a fence, a list item with indented code, a quote with indented code, a
/// heading), and there are bare CRs, CRLFs, bidi and control characters.
const BLOCKS: &str = "first\r    indented();\r\n```rust\n-     listed();\n>     quoted();\n# heading\n~~~\n\tbell \u{7} bidi \u{202E} nel \u{85} ls \u{2028} end";

/// What rustdoc warns about, for the places the schema's prose is escaped.
const INLINE: &str =
    "[FeiShu] [参考文档](/ssl:ttdoc/x) https://open.feishu.cn/x <br> <b>bold <user_id> ` [Vec]";

/// The doc comment lines of a rendered Rust file: the text after `/// ` or `//! `.
fn doc_lines(source: &str) -> Vec<&str> {
    source
        .lines()
        .filter_map(|l| {
            let l = l.trim_start();
            let text = l.strip_prefix("///").or_else(|| l.strip_prefix("//!"))?;
            Some(text.strip_prefix(' ').unwrap_or(text))
        })
        .collect()
}

/// Every doc line of every rendered file: one line each (no `#[doc = "..\n.."]` left,
/// which is how a doc string with a line break renders), unchanged by the last guard.
fn check(files: &BTreeMap<String, String>) -> usize {
    let mut lines = 0;
    let mut problems = Vec::new();
    for (path, source) in files.iter().filter(|(p, _)| p.ends_with(".rs")) {
        if source.contains("#[doc") || source.contains("#![doc") {
            problems.push(format!(
                "{path}: a doc attribute did not render as a comment"
            ));
        }
        // The generator's own usage examples are the only code blocks: a `no_run` fence
        // it opens and closes itself. Schema text cannot open one (a leading fence is
        // escaped), so every other line must come out of the last guard unchanged.
        let mut in_example = false;
        for line in doc_lines(source) {
            lines += 1;
            match (in_example, line) {
                (false, "```no_run") => in_example = true,
                (true, "```") => in_example = false,
                (true, _) => {}
                (false, _) if scrub_line(line) != line => {
                    problems.push(format!("{path}: {line:?}"))
                }
                (false, _) => {}
            }
        }
        if in_example {
            problems.push(format!("{path}: an example's code block is never closed"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    lines
}

/// A YAML double-quoted string holding `s`: printable ASCII and CJK as they are, every
/// other character (controls, bidi, U+0085, U+2028, which YAML may refuse or read as a
/// line break) as an escape.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_ascii_graphic() || c == ' ' || c >= '\u{3000}' => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out.push('"');
    out
}

fn files_under(dir: &Path) -> BTreeMap<String, String> {
    snapshot(dir)
        .into_iter()
        .map(|(path, bytes)| (path, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn checked_in_crates_have_no_doc_line_that_opens_a_code_block() {
    for dir in ["generated", "tests/golden/expected"] {
        let lines = check(&files_under(&workspace(dir)));
        assert!(lines > 100, "{dir}: only {lines} doc lines");
    }
}

#[test]
fn the_golden_fixture_carries_every_nasty_pattern() {
    let yaml =
        std::fs::read_to_string(workspace("tests/golden/schema/shop/v1/note.create.yaml")).unwrap();
    for pattern in [
        "[FeiShu]",
        "](/ssl:ttdoc/",
        " https://open.feishu.cn/",
        "<br>",
        "<user_id>",
        "<b>unclosed",
        "\\    let x",
        "```rust",
        "# not a heading",
        "\\r",
        "\\u202E",
        "\\u0007",
        "``this` is not",
    ] {
        assert!(yaml.contains(pattern), "missing {pattern:?}");
    }
    let rendered = std::fs::read_to_string(workspace(
        "tests/golden/expected/services/shop/src/v1/note_create.rs",
    ))
    .unwrap();
    for escaped in [
        r"\[FeiShu\]",
        r"\[参考文档\](/ssl:ttdoc/",
        "<https://open.feishu.cn/document/server-docs/im-v1/message/create>",
        "line&lt;br&gt;break",
        "&lt;b&gt;unclosed",
        "&lt;user_id&gt;",
        "/// let x = must_not_become_a_doctest();",
        r"/// \`\`\`rust",
        r"/// \# not a heading",
        r"\\u{202E}",
        r"\\u{7}",
        r"\`\`this\` is not",
        "[开放平台](https://open.feishu.cn/document/home)",
    ] {
        assert!(rendered.contains(escaped), "missing {escaped:?}");
    }
}

/// Prose in every slot the schema has, including those (enum labels, error messages and
/// hints, summaries in resource accessors) whose emitters put it into docs around the
/// generator's own markdown: whatever the slot, no line opens a code block, hides a
/// character or breaks the `///` comment.
#[test]
fn prose_in_every_slot_renders_as_plain_doc_lines() {
    let all = format!("{BLOCKS}\n{INLINE}");
    let endpoint = format!(
        "endpoint:
  id: demo.v1.note.create
  summary: {summary}
  description: {all}
  doc_url: {url}
  method: POST
  host: open
  path: /open-apis/demo/v1/notes
  tokens: [tenant]
  rate_limit: 10/second
  app_types: [custom]
  scopes: []
  idempotent: false
  query:
    - {{name: kind, type: Kind, description: {all}, example: {all}}}
  body:
    fields:
      - {{name: note, type: Note, required: true, description: {all}}}
      - {{name: text, type: string, default: {all}, description: {all}}}
  response:
    fields:
      - {{name: id, type: string, description: {all}}}
  errors:
    - {{code: 100101, http: 400, name: too_long, message: {blocks}, hint: {blocks}}}
types:
  - name: Note
    description: {all}
    fields:
      - {{name: body, type: string, description: {all}}}
enums:
  - name: Kind
    description: {all}
    wire: string
    values:
      - {{value: a, name: a, label: {blocks}}}
",
        summary = q(BLOCKS),
        all = q(&all),
        blocks = q(BLOCKS),
        url = q("https://open.feishu.cn/x y <b>"),
    );
    let common = format!(
        "errors:\n  - {{code: 99991400, http: 429, name: limited, message: {b}, hint: {b}}}\n",
        b = q(BLOCKS)
    );
    let files = [
        SourceFile {
            path: "demo/v1/note.create.yaml".into(),
            bytes: endpoint.into_bytes(),
        },
        SourceFile {
            path: "common/errors.yaml".into(),
            bytes: common.into_bytes(),
        },
    ];
    let out =
        feishu_codegen::generate_crate(&files, "feishu-demo").unwrap_or_else(|e| panic!("{e}"));
    let lines = check(&out);
    assert!(lines > 50, "only {lines} doc lines");
    // The escaped slots hold none of what rustdoc warns about, but in the code spans
    // that show defaults and examples as written.
    for path in [
        "services/demo/src/v1/note_create.rs",
        "services/demo/src/v1/types.rs",
    ] {
        for line in doc_lines(&out[path]) {
            if line.starts_with("Example: `") || line.starts_with("Default (applied") {
                continue;
            }
            for raw in [
                "[FeiShu]",
                "<br>",
                "<b>",
                "<user_id>",
                ") https://",
                "[Vec]",
            ] {
                assert!(!line.contains(raw), "{path}: {raw:?} left in {line:?}");
            }
        }
    }
    assert!(escape(INLINE).iter().all(|l| !l.contains("[FeiShu]")));
}
