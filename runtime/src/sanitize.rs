//! Server-controlled text on its way into `Display` and error values: control and
//! bidirectional-override characters are escaped (a log line stays one line and a
//! terminal is not reprogrammed), and length is bounded (a 10 MB `msg` is not printed).

use std::fmt;

/// Most characters of one server-supplied string shown in a message.
pub(crate) const MAX_SHOWN_CHARS: usize = 512;
/// Most bytes of a raw body kept in an error.
pub(crate) const MAX_KEPT_BODY: usize = 4096;

/// Displays server text escaped and bounded.
pub(crate) struct Clean<'a>(pub &'a str);

impl fmt::Display for Clean<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        for c in chars.by_ref().take(MAX_SHOWN_CHARS) {
            if c.is_control() || is_bidi_control(c) {
                write!(f, "\\u{{{:x}}}", c as u32)?;
            } else {
                fmt::Write::write_char(f, c)?;
            }
        }
        let rest = chars.count();
        if rest > 0 {
            write!(f, "… ({rest} more characters)")?;
        }
        Ok(())
    }
}

/// Characters that reorder the text around them when displayed (Trojan Source), and
/// the Unicode line and paragraph separators, which break a log line like LF.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
    )
}

/// At most the first [`MAX_KEPT_BODY`] bytes of a body, as text (lossily, cut at a
/// character boundary).
pub(crate) fn body_prefix(body: &[u8]) -> String {
    let cut = body.len().min(MAX_KEPT_BODY);
    let mut end = cut;
    // Cutting inside a UTF-8 sequence would add a replacement character; back off to
    // the start of the cut sequence, at most 3 bytes (past that it is not UTF-8 anyway).
    while end < body.len() && end + 3 > cut && end > 0 && (body[end] & 0b1100_0000) == 0b1000_0000 {
        end -= 1;
    }
    String::from_utf8_lossy(&body[..end]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        let shown = Clean("a\r\nb\u{1b}[31mc\u{202e}d\u{2028}").to_string();
        assert_eq!(shown, "a\\u{d}\\u{a}b\\u{1b}[31mc\\u{202e}d\\u{2028}");
    }

    #[test]
    fn long_text_is_cut_and_says_how_much_is_missing() {
        let long = "消".repeat(MAX_SHOWN_CHARS + 10);
        let shown = Clean(&long).to_string();
        assert!(shown.ends_with("… (10 more characters)"), "{shown}");
        assert_eq!(
            shown.chars().filter(|c| *c == '消').count(),
            MAX_SHOWN_CHARS
        );
    }

    #[test]
    fn a_body_prefix_is_bounded_and_never_splits_a_character() {
        let body = "é".repeat(MAX_KEPT_BODY);
        let kept = body_prefix(body.as_bytes());
        assert!(kept.len() <= MAX_KEPT_BODY);
        assert!(!kept.contains('\u{fffd}'));
        assert_eq!(body_prefix(b"short"), "short");
        let binary = vec![0x80u8; MAX_KEPT_BODY * 2];
        assert!(
            body_prefix(&binary).len() >= MAX_KEPT_BODY - 3,
            "not UTF-8: still kept"
        );
    }
}
