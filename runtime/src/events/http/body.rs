//! Reading a request body without holding more than the limit: a body announced as
//! too large is refused before any of it is read, and one that grows past the limit
//! (chunked, or with a `Content-Length` the framing layer has not enforced) is
//! refused as soon as it does.

use bytes::Bytes;
use http::HeaderMap;
use http_body::Body;
use http_body_util::{BodyExt, LengthLimitError, Limited};

use super::rejection::Rejection;
use crate::error::BoxError;

/// Reads `body` whole, refusing it once it is larger than `limit` bytes.
pub(crate) async fn read_limited<B>(
    headers: &HeaderMap,
    body: B,
    limit: usize,
) -> Result<Bytes, Rejection>
where
    B: Body,
    B::Error: Into<BoxError>,
{
    if let Some(announced) = content_length(headers)
        && announced > limit as u64
    {
        return Err(Rejection::BodyTooLarge { limit });
    }
    match Limited::new(body, limit).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(e) if e.is::<LengthLimitError>() => Err(Rejection::BodyTooLarge { limit }),
        Err(_) => Err(Rejection::BodyUnreadable),
    }
}

/// The announced length, when there is one readable number.
fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(http::header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}
