//! Uploads on the wire: a `multipart/form-data` body with text fields and file parts
//! (the golden fixture's `image.upload`), sent again byte for byte when retried.

use feishu::runtime::FilePart;
use feishu_golden::shop::v1::Colour;
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const IMAGES: &str = "/open-apis/shop/v1/images";

fn client(server: &MockServer) -> feishu_golden::Client {
    feishu_golden::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// One part of a multipart body: its headers (lower-cased names) and its bytes.
struct Part {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Part {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Splits a multipart body as a server would, checking the framing on the way.
fn parts(request: &wiremock::Request) -> Vec<Part> {
    let content_type = request
        .headers
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap();
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .expect("a multipart content type");
    let delimiter = format!("--{boundary}");
    let body = &request.body;
    let mut out = Vec::new();
    let mut rest: &[u8] = body;
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let start = find(rest, delimiter.as_bytes()).expect("a first delimiter");
    rest = &rest[start + delimiter.len()..];
    while !rest.starts_with(b"--") {
        rest = rest.strip_prefix(b"\r\n").expect("CRLF after a delimiter");
        let end = find(rest, format!("\r\n{delimiter}").as_bytes()).expect("a closing delimiter");
        let part = &rest[..end];
        let split = find(part, b"\r\n\r\n").expect("headers end");
        let headers = String::from_utf8(part[..split].to_vec()).unwrap();
        out.push(Part {
            headers: headers
                .split("\r\n")
                .map(|h| {
                    let (n, v) = h.split_once(": ").unwrap();
                    (n.to_ascii_lowercase(), v.to_owned())
                })
                .collect(),
            body: part[split + 4..].to_vec(),
        });
        rest = &rest[end + 2 + delimiter.len()..];
    }
    assert_eq!(rest, b"--\r\n", "the closing delimiter ends the body");
    out
}

#[tokio::test]
async fn an_upload_sends_text_fields_and_file_parts() {
    let server = MockServer::start().await;
    Mock::given(path(IMAGES))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"image_key": "img_v2_1"}})),
        )
        .mount(&server)
        .await;
    let png = b"\x89PNG\r\n\x1a\n\x00binary\r\n--not a boundary".to_vec();
    let image = FilePart::new("shoe.png", png.clone()).content_type("image/png");
    let response = client(&server)
        .shop()
        .v1()
        .image()
        .upload(Colour::Red, image)
        .caption("左脚")
        .send()
        .await
        .unwrap();
    assert_eq!(response.image_key.as_deref(), Some("img_v2_1"));
    let requests = requests_to(&server, IMAGES).await;
    let parts = parts(&requests[0]);
    assert_eq!(parts.len(), 3, "the absent thumbnail is left out");
    assert_eq!(
        parts[0].header("content-disposition"),
        Some("form-data; name=\"image_type\"")
    );
    assert_eq!(parts[0].body, b"RED");
    assert_eq!(
        parts[1].header("content-disposition"),
        Some("form-data; name=\"image\"; filename=\"shoe.png\"")
    );
    assert_eq!(parts[1].header("content-type"), Some("image/png"));
    assert_eq!(parts[1].body, png);
    assert_eq!(parts[2].body, "左脚".as_bytes());
    let auth = requests[0].headers.get("authorization").unwrap();
    assert_eq!(auth.to_str().unwrap(), format!("Bearer {TENANT_TOKEN}"));
}

#[tokio::test]
async fn a_retried_upload_sends_the_same_bytes() {
    let server = MockServer::start().await;
    Mock::given(path(IMAGES))
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("x-ogw-ratelimit-reset", "0")
                .set_body_json(json!({"code": 99991400, "msg": "slow down"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(IMAGES))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}})))
        .mount(&server)
        .await;
    let dir = TempDir::new("upload");
    let file = dir.0.join("photo.jpg");
    std::fs::write(&file, vec![7u8; 100_000]).unwrap();
    let image = FilePart::from_path(&file).await.unwrap();
    assert_eq!(image.file_name(), "photo.jpg");
    client(&server)
        .shop()
        .v1()
        .image()
        .upload(Colour::DarkBlue, image.clone())
        .thumbnail(image)
        .send()
        .await
        .unwrap();
    let requests = requests_to(&server, IMAGES).await;
    assert_eq!(requests.len(), 2, "rate limited, then sent again");
    assert_eq!(requests[0].body, requests[1].body);
    assert_eq!(
        requests[0].headers.get("content-type"),
        requests[1].headers.get("content-type")
    );
    let parts = parts(&requests[1]);
    assert_eq!(parts[1].body.len(), 100_000);
    assert_eq!(
        parts[2].header("content-type"),
        Some("application/octet-stream")
    );
}

#[tokio::test]
async fn form_fields_are_validated_before_anything_is_sent() {
    let server = MockServer::start().await;
    let err = client(&server)
        .shop()
        .v1()
        .image()
        .upload(Colour::Red, FilePart::new("a.png", vec![1]))
        .caption("x".repeat(21))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, feishu::Error::Invalid(i) if i.field == "caption"),
        "{err:?}"
    );
    assert!(server.received_requests().await.unwrap().is_empty());
}
