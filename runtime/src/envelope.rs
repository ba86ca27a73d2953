//! Decoding the `{code, msg, data}` envelope once, and the typed payload from it.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::error::{ApiError, DecodeError, Error, ErrorDetail};
use crate::spec::{EndpointSpec, Envelope};
use crate::transport::Received;

#[derive(Deserialize)]
struct Head {
    code: i64,
    #[serde(default)]
    msg: String,
    #[serde(default)]
    data: Option<Box<RawValue>>,
    #[serde(default)]
    error: Option<ErrorDetail>,
}

/// A successful response (`code == 0`), payload not yet decoded.
#[derive(Debug)]
pub struct RawResponse {
    spec: &'static EndpointSpec,
    status: u16,
    log_id: Option<String>,
    body: bytes::Bytes,
    data: Option<Box<RawValue>>,
}

/// The envelope of a response: success, or the platform's error.
pub(crate) enum Parsed {
    Ok(RawResponse),
    Api(Box<ApiError<i64>>),
}

pub(crate) fn parse(
    spec: &'static EndpointSpec,
    received: Received,
) -> Result<Parsed, Box<DecodeError>> {
    let head: Head = match serde_json::from_slice(&received.body) {
        Ok(h) => h,
        Err(cause) => {
            return Err(decode_error(
                spec,
                &received.body,
                received.status,
                received.log_id,
                cause,
            ));
        }
    };
    if head.code == 0 {
        return Ok(Parsed::Ok(RawResponse {
            spec,
            status: received.status,
            log_id: received.log_id,
            body: received.body,
            data: head.data,
        }));
    }
    let detail = head.error.unwrap_or_default();
    let log_id = received.log_id.or_else(|| detail.log_id.clone());
    Ok(Parsed::Api(Box::new(ApiError {
        code: head.code,
        raw_code: head.code,
        msg: head.msg,
        http_status: received.status,
        log_id,
        detail,
        endpoint: spec.id,
    })))
}

impl RawResponse {
    /// The log id of the response.
    pub fn log_id(&self) -> Option<&str> {
        self.log_id.as_deref()
    }

    /// Decodes the payload: `data` (absent or `null` reads as `{}`), or the whole body
    /// for flat envelopes.
    pub fn decode<T: DeserializeOwned, C>(&self) -> Result<T, Error<C>> {
        let result = match self.spec.envelope {
            Envelope::Data => {
                serde_json::from_str(self.data.as_deref().map_or("{}", RawValue::get))
            }
            Envelope::Flat => serde_json::from_slice(&self.body),
        };
        result.map_err(|cause| {
            Error::Decode(decode_error(
                self.spec,
                &self.body,
                self.status,
                self.log_id.clone(),
                cause,
            ))
        })
    }
}

fn decode_error(
    spec: &'static EndpointSpec,
    body: &[u8],
    status: u16,
    log_id: Option<String>,
    cause: serde_json::Error,
) -> Box<DecodeError> {
    Box::new(DecodeError {
        endpoint: spec.id,
        http_status: status,
        log_id,
        raw_body: String::from_utf8_lossy(body).into_owned(),
        cause,
    })
}
