//! Reading a `multipart/form-data` body far enough to check it: each part's name, file
//! name and (for text parts) value. Malformed bodies are refused with a reason, never a
//! panic.

/// One part of a form.
#[derive(Debug)]
pub(crate) struct Part {
    pub name: String,
    /// Set for file parts (`filename=` in `Content-Disposition`).
    pub filename: Option<String>,
    pub content: Vec<u8>,
}

/// The boundary from a `Content-Type: multipart/form-data; boundary=...` value.
pub(crate) fn boundary(content_type: &str) -> Option<&str> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"'))
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// The parts of `body`, or what is wrong with it.
pub(crate) fn parts(body: &[u8], boundary: &str) -> Result<Vec<Part>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let mut rest = body
        .strip_prefix(delimiter)
        .ok_or("does not start with the boundary")?;
    let mut parts = Vec::new();
    loop {
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        rest = rest
            .strip_prefix(b"\r\n")
            .ok_or("a boundary is not followed by CRLF")?;
        let end = find(rest, b"\r\n\r\n").ok_or("a part has no blank line after its headers")?;
        let headers = String::from_utf8_lossy(&rest[..end]);
        rest = &rest[end + 4..];
        let mut next = Vec::with_capacity(delimiter.len() + 2);
        next.extend_from_slice(b"\r\n");
        next.extend_from_slice(delimiter);
        let end = find(rest, &next).ok_or("the last part is not closed by the boundary")?;
        parts.push(part(&headers, &rest[..end])?);
        rest = &rest[end + next.len()..];
    }
}

fn part(headers: &str, content: &[u8]) -> Result<Part, String> {
    let disposition = headers
        .split("\r\n")
        .filter_map(|line| line.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-disposition"))
        .map(|(_, v)| v)
        .ok_or("a part has no Content-Disposition")?;
    let param = |key: &str| {
        disposition
            .split(';')
            .filter_map(|p| p.trim().split_once('='))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, v)| v.trim().trim_matches('"').to_owned())
    };
    let name = param("name").ok_or("a part has no name")?;
    Ok(Part {
        name,
        filename: param("filename"),
        content: content.to_vec(),
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_names_files_and_values() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file_type\"\r\n\r\npdf\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--XyZ--\r\n";
        let b = boundary("multipart/form-data; boundary=XyZ").unwrap();
        let parts = parts(body, b).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].name.as_str(), parts[0].content.as_slice()),
            ("file_type", &b"pdf"[..])
        );
        assert_eq!(parts[1].filename.as_deref(), Some("a.pdf"));
    }

    #[test]
    fn malformed_bodies_are_refused_with_a_reason() {
        for body in [
            &b""[..],
            b"--XyZ",
            b"--XyZ\r\nno blank line",
            b"--XyZ\r\nA: b\r\n\r\nunclosed",
        ] {
            assert!(parts(body, "XyZ").is_err());
        }
        assert_eq!(boundary("application/json"), None);
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
