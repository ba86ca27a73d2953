//! Schema prose -> doc text. Descriptions, summaries, labels, error messages and hints
//! come from vendor pages and may hold anything: `[FeiShu]` (an unresolved intra-doc
//! link), `[参考文档](/ssl:ttdoc/...)`, bare URLs, `<br>` or `<b>` (HTML tags, often
//! unclosed), control and bidi characters, bare CRs, and lines that markdown would read
//! as headings, code fences or indented code blocks (which rustdoc compiles as doctests).
//! Everything here turns such text into markdown that rustdoc renders as written and
//! never warns about, whatever the input:
//!
//! - CRLF and bare CR (and U+2028, U+2029, U+0085) end lines; other control characters
//!   (tab aside) and bidi controls become visible `\u{..}` text;
//! - lines lose their leading and trailing whitespace, so there is no indented code
//!   block; a list marker (`-`, `+`, `*`, `1.`, `1)`) is kept with one space after it;
//! - a line (or list item) starting with a code fence (three backticks or `~~~`), `#`,
//!   or made of `=` or `-` only (a setext underline) gets a backslash before it;
//! - backslashes, `[` and `]` are escaped; so is `!` before `[` (no images);
//! - `[text](https://...)` links with an absolute http(s) target stay links; other
//!   link-like text (relative targets) is shown as written;
//! - bare `http(s)://` URLs become `<URL>` autolinks; `<URL>` autolinks stay;
//! - other `<` and `>` become `&lt;` and `&gt;` (no HTML, no block quotes);
//! - backtick runs with a closing run of the same length on the same line are code
//!   spans, kept verbatim; other backticks are escaped.
//!
//! The generator's own markdown (tables, intra-doc links to generated items) does not
//! go through here: only text taken from the schema does.

/// Schema prose as doc lines: one entry per line, blank entries between paragraphs,
/// none at either end; empty when the text is blank.
pub fn escape(text: &str) -> Vec<String> {
    let text = sanitize(text, true);
    let mut lines = Vec::new();
    let mut blank = false;
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            blank = !lines.is_empty();
            continue;
        }
        // A plain line right after a list item would continue the item lazily (clippy's
        // `doc_lazy_continuation`): it starts a paragraph of its own instead.
        let after_item = lines
            .last()
            .is_some_and(|l: &String| list_marker(l).is_some());
        if blank || (after_item && list_marker(line).is_none()) {
            lines.push(String::new());
            blank = false;
        }
        lines.push(block_line(line));
    }
    lines
}

/// Schema prose on one line (in a sentence or a list item): [`escape`]'s lines joined
/// with spaces. Safe at the start of a line too.
pub fn inline(text: &str) -> String {
    let lines: Vec<String> = escape(text).into_iter().filter(|l| !l.is_empty()).collect();
    lines.join(" ")
}

/// Schema prose in a markdown table cell: [`inline`], with `|` escaped.
pub fn cell(text: &str) -> String {
    pipes(&inline(text))
}

/// Escapes `|` in markdown that goes into a table cell (code spans included: the table
/// is split into cells before anything else is parsed).
pub fn pipes(markdown: &str) -> String {
    markdown.replace('|', "\\|")
}

/// A code span showing `text` as written (on one line), whatever backticks it holds.
pub fn code(text: &str) -> String {
    let text = sanitize(text, false);
    if text.is_empty() {
        return "` `".to_owned();
    }
    let longest = runs(&text, '`').map(|(_, n)| n).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // A span strips one space from each end when both are there; a backtick at either
    // end would merge with the fence. Padding with a space on both sides handles both.
    let all_spaces = text.chars().all(|c| c == ' ');
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (!all_spaces && text.starts_with(' ') && text.ends_with(' '));
    let pad = if pad { " " } else { "" };
    format!("{fence}{pad}{text}{pad}{fence}")
}

/// A URL from the schema: an autolink `<URL>` when it is one plain absolute http(s)
/// URL, else shown as text.
pub fn url(text: &str) -> String {
    let t = text.trim();
    let rest = scheme(t).map(|n| &t[n..]);
    if rest.is_some_and(|r| !r.is_empty() && r.chars().all(autolink_char)) {
        format!("<{t}>")
    } else {
        inline(text)
    }
}

/// The last guard on every doc line, applied by `docs::doc` to lines the generator built,
/// possibly around schema text that did not go through [`escape`]. Line breaks become
/// spaces and control and bidi characters visible escapes, so the line stays one line,
/// compiles as a `///` comment (a bare CR does not) and passes rustc's
/// `text_direction_codepoint_in_comment`; leading whitespace goes, whitespace after a
/// leading list or quote marker shrinks to one space, and a leading code fence is
/// escaped, so no line opens a code block (rustdoc would compile it as a doctest).
/// Text from [`escape`] and the generator's own markdown come out unchanged.
pub fn scrub_line(line: &str) -> String {
    let line = if line.chars().any(needs_scrub) {
        std::borrow::Cow::Owned(sanitize(line, false))
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    let mut out = String::new();
    let mut rest = line.trim_start();
    loop {
        if let Some((marker, after)) = list_marker(rest) {
            out.push_str(marker);
            out.push(' ');
            rest = after.trim_start();
        } else if let Some(after) = rest.strip_prefix('>') {
            out.push_str("> ");
            rest = after.trim_start();
        } else {
            break;
        }
    }
    if opens_fence(rest) {
        out.push('\\');
    }
    out.push_str(rest);
    out.truncate(out.trim_end().len());
    out
}

/// Whether a line (its container markers taken off) opens a fenced code block: three or
/// more backticks followed by no backtick, or three or more tildes.
fn opens_fence(s: &str) -> bool {
    let ticks = s.len() - s.trim_start_matches('`').len();
    (ticks >= 3 && !s[ticks..].contains('`')) || s.starts_with("~~~")
}

fn needs_scrub(c: char) -> bool {
    is_break(c) || is_hidden(c) || c == '\t'
}

/// Line breaks as anything that displays text would show them.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// Control characters other than tab and line breaks, and characters that change the
/// direction of text (rustc rejects those in comments).
fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\t' && !is_break(c))
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// Hidden characters become `\u{..}`; line breaks (a CRLF is one) become `\n` when
/// `keep_lines`, else a space.
fn sanitize(text: &str, keep_lines: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if is_break(c) {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push(if keep_lines { '\n' } else { ' ' });
        } else if c == '\t' {
            // Tabs in doc comments are a lint of their own; four spaces read the same.
            out.push_str("    ");
        } else if is_hidden(c) {
            out.push_str(&format!("\\u{{{:X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// One trimmed, non-empty line: list markers kept, then what could start a block
/// escaped, then the inline text.
fn block_line(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some((marker, after)) = list_marker(rest) {
        out.push_str(marker);
        out.push(' ');
        rest = after.trim_start();
    }
    let block_start = rest.starts_with("```")
        || rest.starts_with("~~~")
        || rest.starts_with('#')
        || rest.chars().all(|c| c == '=')
        || rest.chars().all(|c| c == '-');
    if block_start && !rest.is_empty() {
        // All of these start with ASCII punctuation, which a backslash escapes.
        out.push('\\');
        let first = rest.chars().next().unwrap_or_default();
        if first == '`' {
            // Escaped alone: the rest of the run is still a run.
            out.push('`');
        } else {
            out.push(first);
        }
        rest = &rest[first.len_utf8()..];
    }
    inline_line(rest, &mut out);
    out
}

/// `- `, `+ `, `* `, `1. ` or `1) ` at the start of `s`: the marker and what follows
/// the whitespace after it.
fn list_marker(s: &str) -> Option<(&str, &str)> {
    let len = match s.as_bytes().first()? {
        b'-' | b'+' | b'*' => 1,
        _ => {
            let digits = s.bytes().take_while(u8::is_ascii_digit).count();
            let delimited = matches!(s.as_bytes().get(digits), Some(b'.' | b')'));
            if !(1..=9).contains(&digits) || !delimited {
                return None;
            }
            digits + 1
        }
    };
    let after = &s[len..];
    after.starts_with([' ', '\t']).then(|| (&s[..len], after))
}

/// Backtick (or other `c`) runs in `s`: byte offset and length.
fn runs(s: &str, c: char) -> impl Iterator<Item = (usize, usize)> + '_ {
    let bytes = s.as_bytes();
    let b = c as u8;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && bytes[i] != b {
            i += 1;
        }
        if i >= bytes.len() {
            return None;
        }
        let start = i;
        while i < bytes.len() && bytes[i] == b {
            i += 1;
        }
        Some((start, i - start))
    })
}

/// One line of text: code spans (a backtick run closed by a run of the same length on
/// the same line) verbatim, everything else through [`text`].
fn inline_line(line: &str, out: &mut String) {
    let runs: Vec<(usize, usize)> = runs(line, '`').collect();
    let mut pos = 0;
    let mut i = 0;
    while i < runs.len() {
        let (start, len) = runs[i];
        let close = runs[i + 1..].iter().position(|&(_, n)| n == len);
        text(&line[pos..start], out, false);
        match close {
            Some(k) => {
                let (cstart, clen) = runs[i + 1 + k];
                out.push_str(&line[start..cstart + clen]);
                pos = cstart + clen;
                i += k + 2;
            }
            None => {
                for _ in 0..len {
                    out.push_str("\\`");
                }
                pos = start + len;
                i += 1;
            }
        }
    }
    text(&line[pos..], out, false);
}

/// Text without backticks. `in_link`: inside a kept link's text, where no other link
/// may start.
fn text(s: &str, out: &mut String, in_link: bool) {
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        let rest = &s[i..];
        let step = match c {
            '\\' => {
                out.push_str("\\\\");
                1
            }
            '[' if !in_link => match link(rest) {
                Some((label, target, len)) => {
                    out.push('[');
                    text(label, out, true);
                    out.push_str("](");
                    out.push_str(target);
                    out.push(')');
                    len
                }
                None => {
                    out.push_str("\\[");
                    1
                }
            },
            '[' => {
                out.push_str("\\[");
                1
            }
            ']' => {
                out.push_str("\\]");
                1
            }
            '!' if rest[1..].starts_with('[') => {
                out.push_str("\\!");
                1
            }
            '<' => match autolink(rest) {
                Some(len) if !in_link => {
                    out.push_str(&rest[..len]);
                    len
                }
                _ => {
                    out.push_str("&lt;");
                    1
                }
            },
            '>' => {
                out.push_str("&gt;");
                1
            }
            'h' | 'H' if !in_link => match bare_url(rest) {
                Some(len) => {
                    out.push('<');
                    out.push_str(&rest[..len]);
                    out.push('>');
                    len
                }
                None => {
                    out.push(c);
                    1
                }
            },
            _ => {
                out.push(c);
                c.len_utf8()
            }
        };
        i += step;
    }
}

/// The length of `http://` or `https://` (any letter case) at the start of `s`.
fn scheme(s: &str) -> Option<usize> {
    ["https://", "http://"].iter().find_map(|p| {
        s.get(..p.len())
            .filter(|head| head.eq_ignore_ascii_case(p))
            .map(|_| p.len())
    })
}

/// Characters an autolink may hold (and that end a bare URL when absent): printable
/// ASCII other than space, `<`, `>`, backtick, `"`, `|`, `\`, `[`, `]`, `{`, `}`, `^`.
fn autolink_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#@!$&'()*+,;=%".contains(c)
}

/// `<http(s)://...>` at the start of `s`: its length.
fn autolink(s: &str) -> Option<usize> {
    let body = &s[1..];
    let n = scheme(body)?;
    let len = body[n..].find(|c| !autolink_char(c))?;
    (len > 0 && body[n + len..].starts_with('>')).then_some(1 + n + len + 1)
}

/// A bare `http(s)://...` URL at the start of `s`: its length, without trailing
/// punctuation or an unbalanced closing parenthesis.
fn bare_url(s: &str) -> Option<usize> {
    let n = scheme(s)?;
    let mut end = n + s[n..].find(|c| !autolink_char(c)).unwrap_or(s.len() - n);
    let open = s[..end].matches('(').count();
    let mut close = s[..end].matches(')').count();
    while end > n {
        match s.as_bytes()[end - 1] {
            b'.' | b',' | b';' | b':' | b'!' | b'?' | b'\'' | b'*' => {}
            b')' if close > open => close -= 1,
            _ => break,
        }
        end -= 1;
    }
    (end > n).then_some(end)
}

/// `[label](http(s)://target)` at the start of `s`: label, target and length. The label
/// holds no brackets; the target no parentheses, spaces or angle brackets.
fn link(s: &str) -> Option<(&str, &str, usize)> {
    // Stops at the next bracket either way, so scanning from every `[` stays linear.
    let close = s[1..].find(['[', ']']).map(|i| i + 1)?;
    let label = &s[1..close];
    if s.as_bytes()[close] != b']' || label.trim().is_empty() {
        return None;
    }
    let after = s[close + 1..].strip_prefix('(')?;
    let n = scheme(after)?;
    let len = after[n..].find(|c| !autolink_char(c) || c == '(' || c == ')')?;
    if len == 0 || !after[n + len..].starts_with(')') {
        return None;
    }
    let target = &after[..n + len];
    Some((label, target, close + 2 + n + len + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> String {
        escape(text).join("\n")
    }

    #[test]
    fn tabs_become_spaces() {
        assert_eq!(escape("a\tb"), ["a    b"]);
        assert_eq!(scrub_line("`x\ty`"), "`x    y`");
    }

    #[test]
    fn a_line_after_a_list_item_is_its_own_paragraph() {
        assert_eq!(
            escape("- one\n- two\nafter"),
            ["- one", "- two", "", "after"]
        );
    }

    #[test]
    fn brackets_are_escaped() {
        assert_eq!(one("see [FeiShu] docs"), r"see \[FeiShu\] docs");
        assert_eq!(one("[参考文档]"), r"\[参考文档\]");
        assert_eq!(one("a[0] = ]["), r"a\[0\] = \]\[");
        assert_eq!(one("[^1]: note"), r"\[^1\]: note");
    }

    #[test]
    fn absolute_links_stay_links_and_relative_ones_become_text() {
        assert_eq!(
            one("[参考文档](https://open.feishu.cn/document/a)"),
            "[参考文档](https://open.feishu.cn/document/a)"
        );
        assert_eq!(
            one("[参考文档](/ssl:ttdoc/uAjLw4CM/ukTMukTMukTM)"),
            r"\[参考文档\](/ssl:ttdoc/uAjLw4CM/ukTMukTMukTM)"
        );
        assert_eq!(one("[a](#anchor) [b](b.md)"), r"\[a\](#anchor) \[b\](b.md)");
        // No URL autolinks inside a kept link's text; its text is escaped.
        assert_eq!(
            one("[https://a.cn <b>x</b>](https://a.cn)"),
            "[https://a.cn &lt;b&gt;x&lt;/b&gt;](https://a.cn)"
        );
        // A target with a space or a title is not kept.
        assert_eq!(
            one(r#"[a](https://a.cn "t")"#),
            r#"\[a\](<https://a.cn> "t")"#
        );
        assert_eq!(
            one("![logo](https://a.cn/x.png)"),
            r"\![logo](https://a.cn/x.png)"
        );
        assert_eq!(one("[](https://a.cn)"), r"\[\](<https://a.cn>)");
    }

    #[test]
    fn bare_urls_become_autolinks() {
        assert_eq!(
            one("详见 https://open.feishu.cn/document/server-docs。"),
            "详见 <https://open.feishu.cn/document/server-docs>。"
        );
        assert_eq!(
            one("(see http://a.cn/x?a=1&b=2)."),
            "(see <http://a.cn/x?a=1&b=2>)."
        );
        assert_eq!(
            one("https://a.cn/wiki/Foo_(bar), HTTPS://B.CN"),
            "<https://a.cn/wiki/Foo_(bar)>, <HTTPS://B.CN>"
        );
        assert_eq!(one("<https://a.cn/x>"), "<https://a.cn/x>");
        assert_eq!(one("http:// and https://"), "http:// and https://");
        assert_eq!(one("xhttps://a.cn|y"), "x<https://a.cn>|y");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(
            one("a<br>b <b>bold <user_id> <md>"),
            "a&lt;br&gt;b &lt;b&gt;bold &lt;user_id&gt; &lt;md&gt;"
        );
        assert_eq!(one("<!-- x -->"), "&lt;!-- x --&gt;");
        assert_eq!(one("> quoted"), "&gt; quoted");
        assert_eq!(one("<https://a.cn x>"), "&lt;<https://a.cn> x&gt;");
    }

    #[test]
    fn control_bidi_and_cr_are_made_visible_or_line_breaks() {
        assert_eq!(escape("a\rb\r\nc\nd"), ["a", "b", "c", "d"]);
        assert_eq!(one("bell\u{7} here"), r"bell\\u{7} here");
        assert_eq!(one("x\u{202E}y\u{2066}z"), r"x\\u{202E}y\\u{2066}z");
        assert_eq!(one("nul\u{0}\u{1B}[31m"), r"nul\\u{0}\\u{1B}\[31m");
        assert_eq!(escape("a\u{2028}b"), ["a", "b"]);
        assert_eq!(one("tab\tinside"), "tab    inside");
        for s in escape("\u{7}\u{202E}\r\u{85}\u{2029}\u{7F}\u{9B}") {
            assert!(s.chars().all(|c| !needs_scrub(c)), "{s:?}");
        }
    }

    #[test]
    fn no_code_blocks_from_indentation_or_fences() {
        assert_eq!(
            escape("text\n    let x = 1;\n\tfoo();"),
            ["text", "let x = 1;", "foo();"]
        );
        assert_eq!(one("```rust"), r"\`\`\`rust");
        assert_eq!(one("```"), r"\`\`\`");
        assert_eq!(one("   ~~~"), r"\~~~");
        assert_eq!(one("-     code();"), "- code();");
        assert_eq!(one("1.\t\tcode();"), "1. code();");
        assert_eq!(one("- ```"), r"- \`\`\`");
        assert_eq!(one("* - # x"), r"* - \# x");
        assert_eq!(one("2) ok"), "2) ok");
        assert_eq!(one("-x"), "-x");
        assert_eq!(one("1234567890. big"), "1234567890. big");
    }

    #[test]
    fn headings_and_setext_underlines_are_escaped() {
        assert_eq!(one("# heading"), r"\# heading");
        assert_eq!(one("Title\n==="), "Title\n\\===");
        assert_eq!(one("Title\n---"), "Title\n\\---");
        assert_eq!(one("Title\n-"), "Title\n\\-");
        assert_eq!(one("C# and #1"), "C# and #1");
    }

    #[test]
    fn backticks_balanced_on_a_line_are_code() {
        assert_eq!(one("use `a<b>` and ``x`y``"), "use `a<b>` and ``x`y``");
        assert_eq!(one("unbalanced ` here"), r"unbalanced \` here");
        assert_eq!(one("`a` ` `b`"), r"`a` ` `b\`");
        assert_eq!(one("``a`"), r"\`\`a\`");
        assert_eq!(one("`a\nb`"), "\\`a\nb\\`");
        assert_eq!(one(r"\`x`"), r"\\`x`");
    }

    #[test]
    fn backslashes_and_blank_lines() {
        assert_eq!(one(r"C:\path \[x\]"), r"C:\\path \\\[x\\\]");
        assert_eq!(escape("\n\n a \n\n\n b \n\n"), ["a", "", "b"]);
        assert!(escape(" \r\n\t").is_empty());
        assert_eq!(one("中文说明：保持不变"), "中文说明：保持不变");
    }

    #[test]
    fn inline_and_cells_stay_on_one_line() {
        assert_eq!(inline("a\n\n# b\r\nc"), r"a \# b c");
        assert_eq!(cell("restock | retry\n[x]"), r"restock \| retry \[x\]");
        assert_eq!(cell("`a|b`"), r"`a\|b`");
    }

    #[test]
    fn code_spans_hold_anything() {
        assert_eq!(code("abc"), "`abc`");
        assert_eq!(code("a`b"), "``a`b``");
        assert_eq!(code("`a``"), "``` `a`` ```");
        assert_eq!(code(" x "), "`  x  `");
        assert_eq!(code("  "), "`  `");
        assert_eq!(code(""), "` `");
        assert_eq!(code("a\nb\u{202E}"), r"`a b\u{202E}`");
    }

    #[test]
    fn urls() {
        assert_eq!(
            url("https://open.feishu.cn/a?b=1#c"),
            "<https://open.feishu.cn/a?b=1#c>"
        );
        assert_eq!(url("https://a.cn/x y"), "<https://a.cn/x> y");
        assert_eq!(url("/ssl:ttdoc/x"), "/ssl:ttdoc/x");
        assert_eq!(url("https://a.cn/<b>"), "<https://a.cn/>&lt;b&gt;");
    }

    #[test]
    fn scrub_line_changes_only_what_must_change() {
        for generated in [
            "| Scopes | `a:b` | [`X`](Self::x) <https://a.cn> # Errors",
            "# Errors",
            "- item with `code`",
            "1. first",
            "",
        ] {
            assert_eq!(scrub_line(generated), generated);
        }
        for line in escape("    x\n> q\n```\n-     y\n\u{202E}\r") {
            assert_eq!(scrub_line(&line), line);
        }
    }

    #[test]
    fn scrub_line_never_opens_a_code_block() {
        assert_eq!(scrub_line("a\r\nb\u{202E}"), r"a b\u{202E}");
        assert_eq!(scrub_line("    code();"), "code();");
        assert_eq!(scrub_line("```rust"), r"\```rust");
        assert_eq!(scrub_line(" ~~~"), r"\~~~");
        assert_eq!(scrub_line("-     code();"), "- code();");
        assert_eq!(scrub_line(">     code();"), "> code();");
        assert_eq!(scrub_line("> - ```"), r"> - \```");
        assert_eq!(scrub_line("x\n    code();"), "x     code();");
        // Not a fence: a backtick fence's info string holds no backtick.
        assert_eq!(scrub_line("``` `a`` ```"), "``` `a`` ```");
    }

    /// Pseudo-random strings over the characters that matter: no panic, and every line
    /// passes the last guard unchanged.
    #[test]
    fn random_text_stays_safe() {
        let alphabet: Vec<char> = " \t\n\r`~#[]()<>!\\-*+=|.:/1hHtps\u{7}\u{202E}\u{85}é中"
            .chars()
            .collect();
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            let mut s = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(seed >> 59) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = (seed >> 33) as usize % alphabet.len();
                s.push(alphabet[i]);
                if i.is_multiple_of(7) {
                    s.push_str("https://a.cn");
                }
            }
            for line in escape(&s)
                .iter()
                .chain([&inline(&s), &cell(&s), &url(&s), &code(&s)])
            {
                assert_eq!(&scrub_line(line), line, "{s:?}");
                assert!(
                    !line.starts_with([' ', '\t', '#', '>', '[']),
                    "{s:?} -> {line:?}"
                );
            }
        }
    }

    /// Input that makes a careless scanner quadratic: long runs of brackets, URLs ending
    /// in parentheses, backtick runs of growing length.
    #[test]
    fn work_is_linear_in_the_input() {
        let n = 200_000;
        let inputs = [
            "[".repeat(n),
            format!("[a]({})", "(".repeat(n)),
            format!("https://a.cn/{}", ")".repeat(n)),
            format!("https://a.cn/{}", ".".repeat(n)),
            "<https://".repeat(n / 8),
            (1..600).map(|k| "`".repeat(k) + "x").collect(),
        ];
        let start = std::time::Instant::now();
        for input in &inputs {
            let _ = escape(input);
            let _ = code(input);
            let _ = scrub_line(input);
        }
        // Linear work is milliseconds here; quadratic work would be minutes.
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }

    /// Whatever goes in, nothing that starts a block or hides text comes out.
    #[test]
    fn nothing_unsafe_survives() {
        let nasty = [
            "    indented",
            "\t\tx",
            "```",
            "~~~",
            "#",
            "- ```",
            "1. #",
            "<br>",
            "[x]",
            "\u{202E}",
            "\r",
            "\u{0}",
            "====",
            "> q",
            "<!--",
            "[a]: /b",
            "`",
            "\\",
            "!",
            "https://",
            "<https://",
            "[a](https://",
            "[a](https://b",
            "é`",
            "`é",
            "h",
            "H",
        ];
        let mut inputs: Vec<String> = nasty.iter().map(|s| (*s).to_owned()).collect();
        for a in nasty {
            for b in nasty {
                inputs.push(format!("{a}{b}"));
                inputs.push(format!("{a}\n{b}"));
                inputs.push(format!("{a} {b}"));
            }
        }
        for input in &inputs {
            let lines = escape(input);
            for t in lines.iter().chain([&inline(input), &cell(input)]) {
                let t = t.as_str();
                let bad_start = t.starts_with([' ', '\t', '#', '>', '['])
                    || (t.starts_with('<') && !t.starts_with("<http"))
                    || t.starts_with("```")
                    || t.starts_with("~~~");
                assert!(!bad_start, "{input:?} -> {t:?}");
                assert!(t.chars().all(|c| !needs_scrub(c)), "{input:?} -> {t:?}");
                assert!(
                    !t.contains("<br>") && !t.contains("[x]"),
                    "{input:?} -> {t:?}"
                );
                assert_eq!(scrub_line(t), t, "{input:?}");
            }
            // A code span may open with three backticks, but then it also ends with them,
            // and a fence's info string never holds a backtick.
            let c = code(input);
            let fence = c.len() - c.trim_start_matches('`').len();
            assert!(c.ends_with(&"`".repeat(fence)), "{input:?} -> {c:?}");
            assert!(c.chars().all(|c| !needs_scrub(c)), "{input:?} -> {c:?}");
            assert_eq!(scrub_line(&c), c, "{input:?}");
        }
    }
}
