//! Every workflow example runs to the end against the fake, and every request it sends
//! fits the schema (the fake answers 400 to one that does not, 404 to an unknown path).

use feishu_examples::{App, BoxError, Env};

/// Runs a workflow against a fresh fake; returns what it printed and the fake's record.
async fn run<F>(app: App, workflow: F) -> (String, Vec<feishu::runtime::testing::RecordedRequest>)
where
    F: AsyncFnOnce(&Env, &mut Vec<u8>) -> Result<(), BoxError>,
{
    let env = Env::fake(app).await.unwrap();
    let mut out = Vec::new();
    if let Err(e) = workflow(&env, &mut out).await {
        panic!("{e}\noutput:\n{}", String::from_utf8_lossy(&out));
    }
    let requests = env.fake_server().unwrap().requests();
    let refused: Vec<_> = requests
        .iter()
        .filter(|r| matches!(r.code, Some(404 | 99992402)))
        .collect();
    assert!(
        refused.is_empty(),
        "requests that do not fit the schema: {refused:#?}"
    );
    (String::from_utf8(out).unwrap(), requests)
}

fn calls_to<'a>(
    requests: &'a [feishu::runtime::testing::RecordedRequest],
    id: &str,
) -> Vec<&'a feishu::runtime::testing::RecordedRequest> {
    requests.iter().filter(|r| r.endpoint == Some(id)).collect()
}

#[tokio::test]
async fn triage_feedback() {
    let (out, requests) = run(App::SelfBuilt, async |env, out| {
        feishu_examples::triage_feedback::run(env, out).await
    })
    .await;
    assert!(out.contains("3 feedback marked processed"), "{out}");
    assert_eq!(
        calls_to(&requests, "application.v6.application_feedback.list").len(),
        2
    );
    let patches = calls_to(&requests, "application.v6.application_feedback.patch");
    assert_eq!(patches.len(), 3);
    assert!(
        patches
            .iter()
            .all(|r| r.param("status") == Some("1") && r.status == Some(200))
    );
}

#[tokio::test]
async fn review_app_version() {
    let (out, requests) = run(App::SelfBuilt, async |env, out| {
        feishu_examples::review_app_version::run(env, out).await
    })
    .await;
    assert!(
        out.contains("approved") && out.contains("rejected"),
        "{out}"
    );
    let patches = calls_to(&requests, "application.v6.application_app_version.patch");
    let statuses: Vec<_> = patches
        .iter()
        .map(|r| r.json().unwrap()["status"].clone())
        .collect();
    assert_eq!(statuses, [1, 2]);
    assert!(patches[1].param("reject_reason").is_some());
}

#[tokio::test]
async fn workplace_badge() {
    let (out, requests) = run(App::SelfBuilt, async |env, out| {
        feishu_examples::workplace_badge::run(env, out).await
    })
    .await;
    assert!(out.contains("conflict") && out.contains("set"), "{out}");
    let codes: Vec<_> = calls_to(&requests, "application.v6.app_badge.set")
        .iter()
        .map(|r| r.code)
        .collect();
    assert_eq!(codes, [Some(213001), Some(0)]);
}

#[tokio::test]
async fn third_party_approval() {
    let (out, requests) = run(App::SelfBuilt, async |env, out| {
        feishu_examples::third_party_approval::run(env, out).await
    })
    .await;
    assert!(out.contains("synced as approved"), "{out}");
    assert_eq!(
        calls_to(&requests, "approval.v4.external_instance.create").len(),
        2
    );
    assert_eq!(calls_to(&requests, "approval.v1.message.update").len(), 1);
}

#[tokio::test]
async fn marketplace_tokens() {
    let (out, requests) = run(App::Marketplace, async |env, out| {
        feishu_examples::marketplace_tokens::run(env, out).await
    })
    .await;
    assert!(
        out.contains("tenant_access_token for tenant 2ed263bf32cf1651"),
        "{out}"
    );
    assert_eq!(
        calls_to(&requests, "auth.v3.app_access_token.create").len(),
        1
    );
    let list = calls_to(&requests, "application.v6.application_feedback.list");
    assert_eq!(list[0].tenant_key.as_deref(), Some("2ed263bf32cf1651"));
}
