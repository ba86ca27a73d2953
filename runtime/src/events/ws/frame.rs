//! The `pbbp2` frames of the long connection (events.md §2 "Frames"), written out by
//! hand with `prost`'s derive: two small messages do not justify a build script and a
//! `protoc` dependency.

use prost::Message;

/// `method` of a control frame (ping, pong).
pub(crate) const METHOD_CONTROL: i32 = 0;
/// `method` of a data frame (event, card).
pub(crate) const METHOD_DATA: i32 = 1;

/// One binary WebSocket message. proto2 `required` fields are plain values: prost
/// writes them even when zero, as proto2 demands.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct Frame {
    #[prost(uint64, required, tag = "1")]
    pub seq_id: u64,
    #[prost(uint64, required, tag = "2")]
    pub log_id: u64,
    #[prost(int32, required, tag = "3")]
    pub service: i32,
    #[prost(int32, required, tag = "4")]
    pub method: i32,
    #[prost(message, repeated, tag = "5")]
    pub headers: Vec<Header>,
    #[prost(string, optional, tag = "6")]
    pub payload_encoding: Option<String>,
    #[prost(string, optional, tag = "7")]
    pub payload_type: Option<String>,
    #[prost(bytes = "vec", optional, tag = "8")]
    pub payload: Option<Vec<u8>>,
    #[prost(string, optional, tag = "9")]
    pub log_id_new: Option<String>,
}

/// A frame header: a key and a string value.
#[derive(Clone, PartialEq, Message)]
pub(crate) struct Header {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, required, tag = "2")]
    pub value: String,
}

impl Frame {
    /// The value of header `key`, if present.
    pub fn header(&self, key: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|h| h.key == key)
            .map(|h| h.value.as_str())
    }

    /// An integer header (`sum`, `seq`), or `None` when absent or not a number.
    pub fn header_int(&self, key: &str) -> Option<u64> {
        self.header(key)?.trim().parse().ok()
    }

    /// The heartbeat the client sends every ping interval: a control frame for the
    /// connection's service with one header, `type=ping`, and no payload.
    pub fn ping(service: i32) -> Frame {
        Frame {
            seq_id: 0,
            log_id: 0,
            service,
            method: METHOD_CONTROL,
            headers: vec![Header {
                key: "type".into(),
                value: "ping".into(),
            }],
            payload_encoding: None,
            payload_type: None,
            payload: None,
            log_id_new: None,
        }
    }

    /// The acknowledgement of a data frame: the same frame (ids, service, method,
    /// headers) with `biz_rt` appended and the payload replaced by `ack`'s JSON.
    pub fn ack(mut self, ack: &Ack, handler_ms: u64) -> Frame {
        self.headers.retain(|h| h.key != "biz_rt");
        self.headers.push(Header {
            key: "biz_rt".into(),
            value: handler_ms.to_string(),
        });
        self.payload = Some(ack.to_bytes());
        self
    }

    /// Encodes the frame for a binary WebSocket message.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.encode_to_vec()
    }

    /// Decodes a binary WebSocket message.
    pub fn from_bytes(bytes: &[u8]) -> Result<Frame, prost::DecodeError> {
        Frame::decode(bytes)
    }
}

/// What the client answers for one message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ack {
    /// 200 (handled, or nothing to retry) or 500 (failed: the platform pushes it again).
    pub code: u16,
    /// The handler's JSON reply (a card callback's `{toast, card}`), if any.
    pub reply: Option<serde_json::Value>,
}

impl Ack {
    /// `{"code": 200|500, "data"?: "<base64 of the reply JSON>"}`; `data` is left out
    /// when there is no reply (events.md §2 "Ack").
    pub fn to_bytes(&self) -> Vec<u8> {
        use base64::Engine as _;
        let mut body = serde_json::Map::new();
        body.insert("code".into(), self.code.into());
        if let Some(reply) = &self.reply {
            let json = reply.to_string();
            let data = base64::engine::general_purpose::STANDARD.encode(json);
            body.insert("data".into(), data.into());
        }
        serde_json::Value::Object(body).to_string().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_ping_round_trips_with_its_required_zero_fields() {
        let ping = Frame::ping(7);
        let bytes = ping.to_bytes();
        // proto2 required fields are on the wire even when zero: tags 1 and 2.
        assert_eq!(&bytes[..4], &[0x08, 0x00, 0x10, 0x00]);
        let back = Frame::from_bytes(&bytes).unwrap();
        assert_eq!(back, ping);
        assert_eq!(back.header("type"), Some("ping"));
        assert_eq!(back.payload, None);
    }

    #[test]
    fn an_ack_echoes_the_frame_and_appends_biz_rt() {
        let frame = Frame {
            seq_id: 3,
            log_id: 4,
            service: 5,
            method: METHOD_DATA,
            headers: vec![
                Header {
                    key: "type".into(),
                    value: "event".into(),
                },
                Header {
                    key: "message_id".into(),
                    value: "m1".into(),
                },
            ],
            payload_encoding: None,
            payload_type: None,
            payload: Some(b"{}".to_vec()),
            log_id_new: Some("l".into()),
        };
        let ack = Ack {
            code: 200,
            reply: Some(json!({"toast": {"type": "info"}})),
        };
        let acked = frame.clone().ack(&ack, 12);
        assert_eq!(
            (acked.seq_id, acked.log_id, acked.service, acked.method),
            (3, 4, 5, 1)
        );
        assert_eq!(acked.header("message_id"), Some("m1"));
        assert_eq!(acked.header("biz_rt"), Some("12"));
        let body: serde_json::Value = serde_json::from_slice(&acked.payload.unwrap()).unwrap();
        assert_eq!(body["code"], 200);
        use base64::Engine as _;
        let data = base64::engine::general_purpose::STANDARD
            .decode(body["data"].as_str().unwrap())
            .unwrap();
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&data).unwrap(),
            json!({"toast": {"type": "info"}})
        );
    }

    #[test]
    fn an_ack_without_a_reply_has_no_data() {
        let bytes = Ack {
            code: 500,
            reply: None,
        }
        .to_bytes();
        assert_eq!(bytes, br#"{"code":500}"#);
    }
}
