//! Downloads on the wire (the golden fixture's `image.download`): the file streamed with
//! its name and type, errors in the usual envelope typed, a broken or silent server an
//! error rather than a hang.

use std::time::Duration;

use feishu_golden::shop::v1::ImageDownloadError;
use feishu_tests::raw_http;
use feishu_tests::*;
use futures_util::StreamExt;
use serde_json::json;
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const IMAGE: &str = "/open-apis/shop/v1/images/img_1";

fn client(base: &str) -> feishu_golden::Client {
    feishu_golden::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(base)
        .timeout(Duration::from_secs(2))
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// Downloads image `img_1` through `c`.
async fn download(
    c: &feishu_golden::Client,
) -> Result<feishu::runtime::Download, feishu::Error<ImageDownloadError>> {
    c.shop().v1().image().download("img_1").send().await
}

#[tokio::test]
async fn a_file_arrives_with_its_name_and_type() {
    let server = MockServer::start().await;
    let png = b"\x89PNG\r\n\x1a\n{\"code\":0}".to_vec();
    Mock::given(path(IMAGE))
        .respond_with(
            ResponseTemplate::new(200)
                .insert_header("x-tt-logid", "dl-log")
                .insert_header(
                    "content-disposition",
                    "attachment; filename=\"fallback.png\"; filename*=UTF-8''%E5%9B%BE.png",
                )
                .set_body_raw(png.clone(), "image/png"),
        )
        .mount(&server)
        .await;
    let download = download(&client(&server.uri())).await.unwrap();
    assert_eq!(download.content_type(), Some("image/png"));
    assert_eq!(download.file_name(), Some("图.png"));
    assert_eq!(download.content_length(), Some(png.len() as u64));
    assert_eq!(download.meta().log_id.as_deref(), Some("dl-log"));
    assert_eq!(download.bytes(1 << 20).await.unwrap(), png);
}

#[tokio::test]
async fn a_json_error_is_the_typed_error_and_a_5xx_is_retried() {
    let server = MockServer::start().await;
    Mock::given(path(IMAGE))
        .respond_with(ResponseTemplate::new(503).set_body_raw("<html>busy</html>", "text/html"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path(IMAGE))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(json!({"code": 234001, "msg": "image not found"})),
        )
        .mount(&server)
        .await;
    let err = download(&client(&server.uri())).await.unwrap_err();
    assert_eq!(
        err.api().map(|e| e.code),
        Some(ImageDownloadError::ImageNotFound),
        "{err:?}"
    );
    assert_eq!(
        requests_to(&server, IMAGE).await.len(),
        2,
        "the 503 was retried"
    );
}

#[tokio::test]
async fn json_that_claims_success_is_not_a_file() {
    let server = MockServer::start().await;
    Mock::given(path(IMAGE))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}})))
        .mount(&server)
        .await;
    let err = download(&client(&server.uri())).await.unwrap_err();
    assert!(matches!(err, feishu::Error::Decode(_)), "{err:?}");
}

#[tokio::test]
async fn a_large_file_streams_and_a_limit_stops_reading_it_whole() {
    // 64 MiB in 64 KiB chunks: streamed, never held by the client.
    let (base, _) =
        raw_http::serve(|s| raw_http::endless_chunked(s, vec![b'x'; 64 * 1024], 64 << 20)).await;
    let c = client(&base);
    let download = c
        .shop()
        .v1()
        .image()
        .download("img_1")
        .send()
        .await
        .unwrap();
    let mut stream = std::pin::pin!(download.into_stream());
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        total += chunk.unwrap().len();
    }
    assert_eq!(total, 64 << 20);
    let download = c
        .shop()
        .v1()
        .image()
        .download("img_1")
        .send()
        .await
        .unwrap();
    let err = download.bytes(1 << 20).await.unwrap_err();
    assert!(matches!(err, feishu::Error::TooLarge(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_stops_sending_ends_the_stream_with_an_error() {
    let (base, _) = raw_http::serve(|mut s| async move {
        raw_http::head(&mut s, "200 OK", &[("content-length", "1000".into())]).await;
        let _ = tokio::io::AsyncWriteExt::write_all(&mut s, b"partial").await;
        tokio::time::sleep(Duration::from_secs(30)).await;
    })
    .await;
    let download = download(&client(&base)).await.unwrap();
    let started = std::time::Instant::now();
    let err = download.bytes(1 << 20).await.unwrap_err();
    assert!(matches!(err, feishu::Error::Transport { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn save_writes_the_file() {
    let server = MockServer::start().await;
    Mock::given(path(IMAGE))
        .respond_with(
            ResponseTemplate::new(200).set_body_raw(vec![9u8; 300_000], "application/octet-stream"),
        )
        .mount(&server)
        .await;
    let dir = TempDir::new("download");
    let target = dir.0.join("out.bin");
    let download = download(&client(&server.uri())).await.unwrap();
    assert_eq!(download.save(&target).await.unwrap(), 300_000);
    assert_eq!(std::fs::read(&target).unwrap(), vec![9u8; 300_000]);
}
