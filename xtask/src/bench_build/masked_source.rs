//! A Rust file made searchable with plain string functions: comments, the contents of
//! string and char literals, and `#[cfg(test)]` items are blanked out (to spaces, so
//! byte offsets still match the original), and string literals are kept aside with
//! their offsets. Delimiters can then be matched by counting, and a token found in the
//! masked text is code, not a comment, a string, or a test.

/// A masked Rust file.
pub(crate) struct Masked {
    /// The file with comments, literal contents and test items blanked.
    pub code: String,
    /// Each string literal outside a test item: the offset of its opening quote and its
    /// contents as written (escapes not decoded).
    pub strings: Vec<(usize, String)>,
}

impl Masked {
    pub fn new(source: &str) -> Masked {
        let bytes = source.as_bytes();
        let mut code = bytes.to_vec();
        let mut strings = Vec::new();
        let blank = |code: &mut [u8], from: usize, to: usize| code[from..to].fill(b' ');
        let mut i = 0;
        while i < bytes.len() {
            let rest = &bytes[i..];
            if rest.starts_with(b"//") {
                let end = find(bytes, i, b"\n").unwrap_or(bytes.len());
                blank(&mut code, i, end);
                i = end;
            } else if rest.starts_with(b"/*") {
                let end = block_comment_end(bytes, i);
                blank(&mut code, i, end);
                i = end;
            } else if let Some(hashes) = raw_string_start(bytes, i) {
                // r"..." or r#"..."#: no escapes; ends at a quote and as many hashes.
                let open = i + 1 + hashes;
                let mut close = vec![b'"'];
                close.extend(std::iter::repeat_n(b'#', hashes));
                let end = find(bytes, open + 1, &close).unwrap_or(bytes.len());
                strings.push((open, source[open + 1..end].to_owned()));
                blank(&mut code, open + 1, end);
                i = (end + close.len()).min(bytes.len());
            } else if bytes[i] == b'"' {
                let mut end = i + 1;
                while end < bytes.len() && bytes[end] != b'"' {
                    end += if bytes[end] == b'\\' { 2 } else { 1 };
                }
                let end = end.min(bytes.len());
                strings.push((i, source[i + 1..end].to_owned()));
                blank(&mut code, i + 1, end);
                i = end + 1;
            } else if bytes[i] == b'\'' {
                // A char literal ('x', '\n', '"'), or else a lifetime or label ('a).
                match char_literal_end(source, i) {
                    Some(end) => {
                        blank(&mut code, i + 1, end);
                        i = end + 1;
                    }
                    None => i += 1,
                }
            } else {
                i += 1;
            }
        }
        // Only ASCII spaces replaced whole literals and comments: still UTF-8.
        let mut masked = Masked {
            code: String::from_utf8(code).expect("blanking keeps UTF-8"),
            strings,
        };
        masked.blank_tests();
        masked
    }

    /// Blanks every `#[cfg(test)]` item: the attribute up to the end of the braces of
    /// the item that follows it (or its `;`, for `mod tests;`).
    fn blank_tests(&mut self) {
        const ATTRIBUTE: &str = "#[cfg(test)]";
        let mut from = 0;
        while let Some(at) = self.code[from..].find(ATTRIBUTE).map(|p| p + from) {
            let after = at + ATTRIBUTE.len();
            let brace = self.code[after..].find('{').map(|p| p + after);
            let semi = self.code[after..].find(';').map(|p| p + after);
            let end = match (brace, semi) {
                (Some(b), Some(s)) if s < b => s + 1,
                (Some(b), _) => self.matching(b).map_or(self.code.len(), |c| c + 1),
                (None, Some(s)) => s + 1,
                (None, None) => self.code.len(),
            };
            let mut code = std::mem::take(&mut self.code).into_bytes();
            code[at..end].fill(b' ');
            self.code = String::from_utf8(code).expect("blanking keeps UTF-8");
            self.strings
                .retain(|(offset, _)| *offset < at || *offset >= end);
            from = end;
        }
    }

    /// The offset of the delimiter closing the one at `open` (`(`, `[` or `{`).
    pub fn matching(&self, open: usize) -> Option<usize> {
        let bytes = self.code.as_bytes();
        let (opener, closer) = match bytes.get(open)? {
            b'(' => (b'(', b')'),
            b'[' => (b'[', b']'),
            b'{' => (b'{', b'}'),
            _ => return None,
        };
        let mut depth = 0usize;
        for (i, &b) in bytes.iter().enumerate().skip(open) {
            if b == opener {
                depth += 1;
            } else if b == closer {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
        }
        None
    }

    /// The offsets of `word` in the code where it is not part of a longer identifier
    /// on its left (so `Method::` does not match inside `ReqMethod::`).
    pub fn tokens<'a>(&'a self, word: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.code.match_indices(word).filter_map(move |(at, _)| {
            let before = self.code[..at].chars().next_back();
            (!before.is_some_and(is_ident)).then_some(at)
        })
    }

    /// The identifier starting at `at`, if any.
    pub fn ident_at(&self, at: usize) -> &str {
        let rest = &self.code[at..];
        let len = rest.find(|c: char| !is_ident(c)).unwrap_or(rest.len());
        &rest[..len]
    }
}

pub(crate) fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn find(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Where the block comment at `start` ends (after its `*/`); block comments nest.
fn block_comment_end(bytes: &[u8], start: usize) -> usize {
    let (mut depth, mut i) = (0usize, start);
    while i + 1 < bytes.len() {
        match &bytes[i..i + 2] {
            b"/*" => {
                depth += 1;
                i += 2;
            }
            b"*/" => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// The number of `#`s when a raw string (`r"`, `r#"`, `br"`) starts at `i`.
fn raw_string_start(bytes: &[u8], i: usize) -> Option<usize> {
    if bytes[i] != b'r' || i > 0 && is_ident(bytes[i - 1] as char) && bytes[i - 1] != b'b' {
        return None;
    }
    if i > 1 && bytes[i - 1] == b'b' && is_ident(bytes[i - 2] as char) {
        return None;
    }
    let hashes = bytes[i + 1..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(i + 1 + hashes) == Some(&b'"')).then_some(hashes)
}

/// The offset of the closing quote when a char literal starts at `i`.
fn char_literal_end(source: &str, i: usize) -> Option<usize> {
    let rest = &source[i + 1..];
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        // '\n', '\'', '\u{1F600}': the first quote after the escape's first character.
        let (at, _) = chars.next()?;
        return rest[at + 1..].find('\'').map(|p| i + 1 + at + 1 + p);
    }
    let (at, second) = chars.next()?;
    (second == '\'').then_some(i + 1 + at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_literals_and_tests_are_blanked_and_offsets_kept() {
        let source = "fn a() { x(\"/p/{}\", '\"', '(') } // a \"quote\"\n\
                      /* b /* nested */ \"no\" */ fn b<'a>(s: &'a str) { r#\"raw \" }\"#; }\n\
                      #[cfg(test)]\nmod tests { fn c() { \"/in/test\" } }\nfn d() {}";
        let masked = Masked::new(source);
        assert_eq!(masked.code.len(), source.len());
        let strings: Vec<_> = masked.strings.iter().map(|(_, s)| s.as_str()).collect();
        assert_eq!(strings, ["/p/{}", "raw \" }"]);
        assert!(!masked.code.contains("quote") && !masked.code.contains("nested"));
        assert!(!masked.code.contains("fn c") && masked.code.contains("fn d"));
        let open = masked.code.find('{').unwrap();
        assert_eq!(masked.matching(open), masked.code.find('}'));
        let (at, text) = &masked.strings[0];
        assert_eq!(&source[*at..*at + text.len() + 2], "\"/p/{}\"");
        let calls = Masked::new("x(Method::GET); y(ReqMethod::PUT); \"Method::POST\"");
        assert_eq!(calls.tokens("Method::").collect::<Vec<_>>(), [2]);
    }
}
