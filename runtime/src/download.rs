//! Binary responses (file downloads): the body is handed over as a stream, never
//! buffered whole by the client; the file's name and type come from the headers.

use std::fmt;
use std::path::Path;
use std::pin::Pin;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::header::{CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE, HeaderMap};

use crate::call::ResponseMeta;
use crate::error::{BoxError, Error, TooLargeError};

/// A response body as it arrives.
pub type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, BoxError>> + Send>>;

/// A file the platform sent. Read it as a stream ([`Download::into_stream`]), into memory
/// up to a limit ([`Download::bytes`]), or into a file ([`Download::save`]).
pub struct Download {
    endpoint: &'static str,
    content_type: Option<String>,
    file_name: Option<String>,
    content_length: Option<u64>,
    meta: ResponseMeta,
    body: BodyStream,
}

impl Download {
    pub(crate) fn new(
        endpoint: &'static str,
        status: u16,
        headers: &HeaderMap,
        log_id: Option<String>,
        body: BodyStream,
    ) -> Self {
        let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
        Download {
            endpoint,
            content_type: text(CONTENT_TYPE).map(str::to_owned),
            file_name: text(CONTENT_DISPOSITION).and_then(file_name),
            content_length: text(CONTENT_LENGTH).and_then(|v| v.trim().parse().ok()),
            meta: ResponseMeta {
                log_id,
                http_status: status,
            },
            body,
        }
    }

    /// The `Content-Type` the server gave.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The file name from `Content-Disposition` (`filename*` preferred over `filename`),
    /// reduced to a plain name: no directories, no control characters, so it is safe to
    /// join to a directory of your own.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The size the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.content_length
    }

    /// The log id and HTTP status.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The body, chunk by chunk; a broken connection mid-file is an [`Error::Transport`].
    pub fn into_stream(self) -> impl Stream<Item = Result<Bytes, Error>> + Send {
        let endpoint = self.endpoint;
        self.body
            .map(move |chunk| chunk.map_err(|source| Error::Transport { endpoint, source }))
    }

    /// The whole body in memory, failing with [`Error::TooLarge`] past `limit` bytes.
    pub async fn bytes(self, limit: usize) -> Result<Bytes, Error> {
        let (endpoint, status, log_id) = (
            self.endpoint,
            self.meta.http_status,
            self.meta.log_id.clone(),
        );
        let mut out = bytes::BytesMut::new();
        let mut stream = std::pin::pin!(self.into_stream());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk?;
            if out.len() + chunk.len() > limit {
                return Err(Error::TooLarge(Box::new(TooLargeError {
                    endpoint,
                    http_status: status,
                    log_id,
                    limit,
                })));
            }
            out.extend_from_slice(&chunk);
        }
        Ok(out.freeze())
    }

    /// Writes the body to `path` as it arrives; returns the bytes written.
    pub async fn save(self, path: impl AsRef<Path>) -> std::io::Result<u64> {
        use tokio::io::AsyncWriteExt;
        let mut file = tokio::fs::File::create(path).await?;
        let mut written = 0u64;
        let mut stream = std::pin::pin!(self.into_stream());
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            file.write_all(&chunk).await?;
            written += chunk.len() as u64;
        }
        file.flush().await?;
        Ok(written)
    }
}

impl fmt::Debug for Download {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Download")
            .field("endpoint", &self.endpoint)
            .field("content_type", &self.content_type)
            .field("file_name", &self.file_name)
            .field("content_length", &self.content_length)
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

/// The file name of a `Content-Disposition` value: RFC 6266's `filename*` (RFC 8187,
/// `UTF-8''percent-encoded`) when present, else `filename` (quoted or a token); reduced
/// by [`plain_name`].
fn file_name(header: &str) -> Option<String> {
    let mut plain = None;
    let mut extended = None;
    for param in split_params(header).into_iter().skip(1) {
        let Some((key, value)) = param.split_once('=') else {
            continue;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "filename*" => extended = decode_extended(value.trim()),
            "filename" => plain = Some(unquote(value.trim())),
            _ => {}
        }
    }
    extended.or(plain).and_then(|name| plain_name(&name))
}

/// Splits at `;` outside quoted strings.
fn split_params(header: &str) -> Vec<&str> {
    let (mut out, mut start, mut quoted, mut escaped) = (Vec::new(), 0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            ';' if !quoted => {
                out.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&header[start..]);
    out
}

/// A quoted-string's content, or a token as it is.
fn unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let mut out = String::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// `UTF-8''%E5%9B%BE.png` (the charset may be any case; the language part is ignored).
fn decode_extended(value: &str) -> Option<String> {
    let mut parts = value.splitn(3, '\'');
    let charset = parts.next()?;
    let _language = parts.next()?;
    let encoded = parts.next()?;
    if !charset.eq_ignore_ascii_case("utf-8") {
        return None;
    }
    percent_encoding::percent_decode_str(encoded)
        .decode_utf8()
        .ok()
        .map(|s| s.into_owned())
}

/// The last path component, without control characters; `None` if nothing usable is
/// left (`..`, empty).
fn plain_name(name: &str) -> Option<String> {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().to_owned();
    (!clean.is_empty() && clean != "." && clean != "..").then_some(clean)
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn file_names_come_from_either_parameter_and_are_made_plain() {
        let cases = [
            ("attachment; filename=\"a.png\"", Some("a.png")),
            ("attachment; filename=a.png", Some("a.png")),
            (
                "attachment; filename=\"fallback.png\"; filename*=UTF-8''%E5%9B%BE%20%E7%89%87.png",
                Some("图 片.png"),
            ),
            (
                "attachment; filename*=utf-8'zh'%E6%96%87.txt",
                Some("文.txt"),
            ),
            ("attachment; filename=\"a\\\"b;c.txt\"", Some("a\"b;c.txt")),
            ("attachment; filename=\"../../etc/passwd\"", Some("passwd")),
            (
                "attachment; filename=\"..\\\\..\\\\boot.ini\"",
                Some("boot.ini"),
            ),
            ("attachment; filename=\"a\r\nb.txt\"", Some("ab.txt")),
            ("attachment; filename=\"..\"", None),
            ("attachment; filename*=ISO-8859-1''a.txt", None),
            ("inline", None),
        ];
        for (header, want) in cases {
            assert_eq!(file_name(header).as_deref(), want, "{header}");
        }
    }
}
