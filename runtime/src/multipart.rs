//! `multipart/form-data` bodies for the upload endpoints: text fields and file parts.
//! The body is built once, in memory, so a retried upload sends the same bytes.

use std::fmt;
use std::path::Path;

use bytes::Bytes;

/// A file to upload: its name (with extension, as the platform wants it), its content
/// type, and its bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct FilePart {
    file_name: String,
    content_type: Option<String>,
    bytes: Bytes,
}

impl FilePart {
    /// A file named `file_name` holding `bytes`.
    pub fn new(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> Self {
        FilePart {
            file_name: file_name.into(),
            content_type: None,
            bytes: bytes.into(),
        }
    }

    /// Reads the file at `path`; the part is named after the file.
    pub async fn from_path(path: impl AsRef<Path>) -> std::io::Result<Self> {
        let path = path.as_ref();
        let bytes = tokio::fs::read(path).await?;
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(FilePart::new(name, bytes))
    }

    /// The part's `Content-Type` (default `application/octet-stream`).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The file name.
    pub fn file_name(&self) -> &str {
        &self.file_name
    }

    /// The bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }
}

impl fmt::Debug for FilePart {
    // The bytes are the caller's data, possibly large: their size is enough.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FilePart")
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .field("len", &self.bytes.len())
            .finish()
    }
}

/// A `multipart/form-data` body being assembled by generated code.
#[derive(Debug, Default)]
pub struct Form {
    parts: Vec<(String, Option<FilePart>, Bytes)>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Self::default()
    }

    /// A text field.
    pub fn text(&mut self, name: &str, value: &dyn fmt::Display) {
        self.parts
            .push((name.to_owned(), None, value.to_string().into()));
    }

    /// A text field, if the value is present.
    pub fn text_opt(&mut self, name: &str, value: &dyn crate::request::OptionalParam) {
        if let Some(value) = value.param() {
            self.text(name, value);
        }
    }

    /// A file part.
    pub fn file(&mut self, name: &str, file: &FilePart) {
        self.parts
            .push((name.to_owned(), Some(file.clone()), file.bytes.clone()));
    }

    /// A file part, if the file is present.
    pub fn file_opt(&mut self, name: &str, file: &Option<FilePart>) {
        if let Some(file) = file {
            self.file(name, file);
        }
    }

    /// The body and its `Content-Type`, with a boundary that occurs in no part.
    pub(crate) fn finish(self) -> (String, Bytes) {
        let boundary = loop {
            let candidate: String = std::iter::repeat_with(fastrand::alphanumeric)
                .take(32)
                .collect();
            let needle = candidate.as_bytes();
            let clash = self
                .parts
                .iter()
                .any(|(_, _, body)| body.windows(needle.len()).any(|w| w == needle));
            if !clash {
                break format!("feishu-{candidate}");
            }
        };
        let mut out = Vec::new();
        for (name, file, body) in &self.parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            let mut disposition =
                format!("Content-Disposition: form-data; name=\"{}\"", quoted(name));
            if let Some(file) = file {
                disposition.push_str(&format!("; filename=\"{}\"", quoted(&file.file_name)));
                let content_type = file
                    .content_type
                    .as_deref()
                    .unwrap_or("application/octet-stream");
                disposition.push_str(&format!("\r\nContent-Type: {}", header_text(content_type)));
            }
            out.extend_from_slice(disposition.as_bytes());
            out.extend_from_slice(b"\r\n\r\n");
            out.extend_from_slice(body);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        (
            format!("multipart/form-data; boundary={boundary}"),
            out.into(),
        )
    }
}

/// A name inside a quoted header parameter: quotes, backslashes and line breaks escaped
/// as browsers do (percent-encoded), so no value can end the header or add another.
fn quoted(text: &str) -> String {
    text.replace('%', "%25")
        .replace('"', "%22")
        .replace('\\', "%5C")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A header value the caller chose: control characters dropped.
fn header_text(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_framed_and_names_cannot_break_out() {
        let mut form = Form::new();
        form.text("image_type", &"message");
        let file =
            FilePart::new("a\"b\r\n.png", &b"\x89PNG data"[..]).content_type("image/png\r\nX: y");
        form.file("image", &file);
        let (content_type, body) = form.finish();
        let boundary = content_type
            .strip_prefix("multipart/form-data; boundary=")
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(text.starts_with(&format!("--{boundary}\r\n")));
        assert!(text.ends_with(&format!("--{boundary}--\r\n")));
        assert!(text.contains("name=\"image_type\"\r\n\r\nmessage\r\n"));
        assert!(
            text.contains("filename=\"a%22b%0D%0A.png\"\r\nContent-Type: image/pngX: y\r\n\r\n")
        );
        assert_eq!(text.matches(boundary).count(), 3);
        assert!(format!("{file:?}").contains("len: 9"));
    }

    #[test]
    fn the_boundary_never_occurs_in_a_part() {
        for _ in 0..50 {
            let mut form = Form::new();
            form.file("f", &FilePart::new("x", vec![b'a'; 4096]));
            let (content_type, body) = form.finish();
            let boundary = content_type.rsplit('=').next().unwrap();
            assert_eq!(
                body.windows(boundary.len())
                    .filter(|w| *w == boundary.as_bytes())
                    .count(),
                2
            );
        }
    }
}
