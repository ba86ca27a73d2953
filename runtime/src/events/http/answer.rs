//! Turning the dispatcher's verdict into the HTTP answer (events.md §1.5, §1.7, §3.6).
//!
//! Everything but a handler failure and an unreadable envelope is answered 200: the
//! platform retries anything else for hours, and a retry of a duplicate, an unhandled
//! type or a payload that does not fit its type would end the same way.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::Value;

use super::rejection::{Rejection, json_response};
use crate::events::{Dispatched, EventHeader};

/// The type of card action callbacks, whose acknowledgement must be `{}`: any other
/// body is read as a reply and may be refused with error 108002 (events.md §1.7).
const CARD_ACTION: &str = "card.action.trigger";

/// The answer to `outcome`, or the rejection it amounts to.
pub(crate) fn answer(outcome: Dispatched) -> Result<Response<Bytes>, Rejection> {
    match outcome {
        Dispatched::Handled {
            reply: Some(reply), ..
        } => Ok(reply_json(&reply)),
        Dispatched::Handled {
            header,
            reply: None,
        } => Ok(acknowledge(&header)),
        Dispatched::Duplicate { header } => {
            tracing::debug!(event_type = %header.event_type, event_id = %header.event_id, "duplicate event delivery acknowledged");
            Ok(acknowledge(&header))
        }
        Dispatched::Unhandled { header } => {
            tracing::debug!(event_type = %header.event_type, "no handler for the event type; acknowledged");
            Ok(acknowledge(&header))
        }
        Dispatched::Late { header } => Ok(acknowledge(&header)),
        Dispatched::Undecodable { header, error } => {
            tracing::warn!(event_type = %header.event_type, event_id = %header.event_id, %error, "event payload does not fit its type; acknowledged");
            Ok(acknowledge(&header))
        }
        Dispatched::Failed { header, error } => {
            tracing::warn!(event_type = %header.event_type, event_id = %header.event_id, %error, "event handler failed; answering 500 so the platform retries");
            Err(Rejection::HandlerFailed {
                event_type: header.event_type,
            })
        }
        Dispatched::InProgress { header } => Err(Rejection::InProgress {
            event_type: header.event_type,
        }),
        Dispatched::Malformed(e) => Err(Rejection::Malformed(e)),
    }
}

/// A plain acknowledgement: what the SDKs send, or `{}` for a card callback.
fn acknowledge(header: &EventHeader) -> Response<Bytes> {
    let body: &'static [u8] = if header.event_type == CARD_ACTION {
        b"{}"
    } else {
        br#"{"msg":"success"}"#
    };
    json_response(StatusCode::OK, Bytes::from_static(body))
}

/// A callback's reply (a card's toast or new card, a quick approval's answer).
fn reply_json(reply: &Value) -> Response<Bytes> {
    // Serialising a `Value` cannot fail (its keys are strings); stay total anyway.
    let body = serde_json::to_vec(reply).unwrap_or_else(|_| b"{}".to_vec());
    json_response(StatusCode::OK, Bytes::from(body))
}
