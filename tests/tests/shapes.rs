//! The shapes beyond plain fields, on the wire (the golden fixture's `catalog`
//! endpoints): free-form JSON, maps, arrays of arrays, maps of arrays, arrays of maps,
//! recursive types, and repeated query parameters.

use std::collections::BTreeMap;

use feishu::runtime::Timestamp;
use feishu_golden::shop::v1::{Catalog, CatalogSections, Colour, Money};
use feishu_tests::*;
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const CATALOG: &str = "/open-apis/shop/v1/catalogs/c1";

fn client(server: &MockServer) -> feishu_golden::Client {
    feishu_golden::Client::builder()
        .fixed_token(TENANT_TOKEN)
        .open_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// A catalog using every shape, and its wire form.
fn catalog() -> (Catalog, serde_json::Value) {
    let child = Catalog::new("c2").stock(BTreeMap::from([("sku-1".to_owned(), 3)]));
    let value = Catalog::new("c1")
        .extra(json!({"anything": [1, "two", {"three": null}]}))
        .updated_at(Timestamp::from_millis(1688022000000))
        .expires_at(Timestamp::from_millis(1688022600000))
        .prices(BTreeMap::from([
            ("CNY".to_owned(), Money::new(1999).currency("CNY")),
            ("USD".to_owned(), Money::new(299)),
        ]))
        .grid(vec![vec![1, 2], vec![], vec![3]])
        .groups(BTreeMap::from([(
            "a".to_owned(),
            vec!["x".to_owned(), "y".to_owned()],
        )]))
        .layers(vec![BTreeMap::from([("top".to_owned(), Colour::DarkBlue)])])
        .sections(BTreeMap::from([(
            "intro".to_owned(),
            CatalogSections::new("Intro")
                .rank(1)
                .sub(Catalog::new("c3")),
        )]))
        .parent(Catalog::new("c0"))
        .children(vec![child]);
    let wire = json!({
        "catalog_id": "c1",
        "extra": {"anything": [1, "two", {"three": null}]},
        "updated_at": "1688022000000",
        "expires_at": 1688022600000i64,
        "prices": {"CNY": {"cents": 1999, "currency": "CNY"}, "USD": {"cents": 299}},
        "grid": [[1, 2], [], [3]],
        "groups": {"a": ["x", "y"]},
        "layers": [{"top": "dark-blue"}],
        "sections": {"intro": {"title": "Intro", "rank": 1, "sub": {"catalog_id": "c3"}}},
        "parent": {"catalog_id": "c0"},
        "children": [{"catalog_id": "c2", "stock": {"sku-1": 3}}]
    });
    (value, wire)
}

#[tokio::test]
async fn every_shape_is_sent_as_the_schema_says() {
    let server = MockServer::start().await;
    Mock::given(method("PUT"))
        .and(path(CATALOG))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {}})))
        .mount(&server)
        .await;
    let (value, wire) = catalog();
    client(&server)
        .shop()
        .v1()
        .catalog()
        .update("c1", value)
        .send()
        .await
        .unwrap();
    let sent = requests_to(&server, CATALOG).await;
    assert_eq!(json_body(&sent[0]), wire);
}

#[tokio::test]
async fn every_shape_is_read_back_and_repeated_parameters_repeat() {
    let server = MockServer::start().await;
    let (value, wire) = catalog();
    let category =
        json!({"name": "toys", "shelf": {"size": 2, "category": {"name": "inner", "shelf": {}}}});
    Mock::given(method("GET"))
        .and(path(CATALOG))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"code": 0, "data": {"catalog": wire, "category": category}})),
        )
        .mount(&server)
        .await;
    let got = client(&server)
        .shop()
        .v1()
        .catalog()
        .get("c1", vec!["prices".into(), "a b&c".into()])
        .colours(vec![Colour::Red, Colour::DarkBlue])
        .since(Timestamp::from_millis(1688022000000))
        .send()
        .await
        .unwrap();
    assert_eq!(got.catalog, Some(value));
    let category = got.category.unwrap();
    assert_eq!(category.shelf.size, Some(2));
    let inner = category.shelf.category.unwrap();
    assert_eq!((inner.name.as_str(), inner.shelf.size), ("inner", None));
    let sent = requests_to(&server, CATALOG).await;
    assert_eq!(
        sent[0].url.query(),
        Some("fields=prices&fields=a%20b%26c&colours=RED&colours=dark-blue&since=1688022000000")
    );
}

#[tokio::test]
async fn a_bad_value_inside_a_map_is_named_by_its_key() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"code": 0, "data": {
            "catalog": {"catalog_id": "c1", "prices": {"CNY": {"cents": "lots"}}}}})),
        )
        .mount(&server)
        .await;
    let err = client(&server)
        .shop()
        .v1()
        .catalog()
        .get("c1", vec![])
        .send()
        .await
        .unwrap_err();
    let source = std::error::Error::source(&err).expect("the decode problem");
    assert_eq!(
        source.to_string(),
        "at `data.catalog.prices[\"CNY\"].cents`: expected an integer, found a string"
    );
}

#[tokio::test]
async fn rules_inside_maps_and_recursive_values_are_checked_before_sending() {
    let server = MockServer::start().await;
    let c = client(&server);
    let bad_price = Catalog::new("c1").prices(BTreeMap::from([("X".to_owned(), Money::new(-1))]));
    let err = c
        .shop()
        .v1()
        .catalog()
        .update("c1", bad_price)
        .send()
        .await
        .unwrap_err();
    match err {
        feishu::Error::Invalid(invalid) => assert_eq!(invalid.field, "prices[\"X\"].cents"),
        other => panic!("{other:?}"),
    }
    let deep = Catalog::new("c1")
        .parent(Catalog::new("c0").prices(BTreeMap::from([("Y".to_owned(), Money::new(-5))])));
    let err = c
        .shop()
        .v1()
        .catalog()
        .update("c1", deep)
        .send()
        .await
        .unwrap_err();
    match err {
        feishu::Error::Invalid(invalid) => {
            assert_eq!(invalid.field, "parent.prices[\"Y\"].cents")
        }
        other => panic!("{other:?}"),
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}
