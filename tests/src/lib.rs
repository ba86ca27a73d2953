//! Helpers shared by the cross-crate tests.

use std::path::PathBuf;

// The README's Rust blocks compile as doctests of this crate, so they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeExamples;

/// A memory figure of process `pid` (`self` for this one) from /proc, in KiB: `VmRSS`
/// (resident now) or `VmHWM` (peak); 0 where /proc is not there.
pub fn proc_kib(pid: &str, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A path under the workspace root.
pub fn workspace(rel: &str) -> PathBuf {
    xtask::workspace_root().join(rel)
}

/// Renders diagnostics the way `cargo xtask regen` prints them, one per line.
pub fn render(diagnostics: &[feishu_codegen::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

/// A fresh empty directory under the system temp dir, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(label: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("feishu-{label}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every file under `dir` with its bytes, by relative path.
pub fn snapshot(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(
        root: &std::path::Path,
        dir: &std::path::Path,
        out: &mut std::collections::BTreeMap<String, Vec<u8>>,
    ) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Copies a directory tree.
pub fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    for (rel, bytes) in snapshot(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Copies the hand-curated files of schema/ (the seed endpoints, events and common
/// types; not the imported ones) into `to`, replacing what was there: tests of the
/// generator's file handling run on these few dozen files, not the whole surface.
pub fn copy_curated_schema(to: &std::path::Path) {
    const IMPORTED: &[u8] = b"# imported by cargo xtask import";
    let _ = std::fs::remove_dir_all(to);
    for (rel, bytes) in snapshot(&workspace("schema")) {
        if rel.ends_with(".yaml") && !bytes.starts_with(IMPORTED) {
            let path = to.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
    }
}

/// The app the tests act as; the secret must never appear in any output.
pub const APP_ID: &str = "cli_9f115af860f7901b";
pub const APP_SECRET: &str = "s3cr3t-app-secret-never-printed";
/// The seed pages' example tenant token.
pub const TENANT_TOKEN: &str = "t-7f1bcd13fc57d46bac21793a18e560";

/// A seed page's example, from tests/fixtures/seeds/.
pub fn fixture(name: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(workspace("tests/fixtures/seeds").join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// A tenant-token endpoint on `server` answering `token`, hit `times` times at most.
pub async fn mount_tenant_token(server: &wiremock::MockServer, token: &str) {
    use wiremock::matchers::{body_json, method, path};
    wiremock::Mock::given(method("POST"))
        .and(path("/open-apis/auth/v3/tenant_access_token/internal"))
        .and(body_json(
            serde_json::json!({"app_id": APP_ID, "app_secret": APP_SECRET}),
        ))
        .respond_with(
            wiremock::ResponseTemplate::new(200).set_body_json(serde_json::json!({
                "code": 0, "msg": "ok", "tenant_access_token": token, "expire": 7200
            })),
        )
        .mount(server)
        .await;
}

/// Fast retries so fault tests take milliseconds.
pub fn fast_retries() -> feishu::RetryPolicy {
    feishu::RetryPolicy::default()
        .max_attempts(3)
        .backoff(
            std::time::Duration::from_millis(5),
            std::time::Duration::from_millis(20),
        )
        .max_rate_limit_wait(std::time::Duration::from_millis(50))
}

/// A self-built app client whose hosts both point at `server`.
pub fn client_for(server: &wiremock::MockServer) -> feishu::Client {
    feishu::Client::builder()
        .app_credentials(APP_ID, APP_SECRET)
        .open_base_url(server.uri())
        .www_base_url(server.uri())
        .retry(fast_retries())
        .build()
        .unwrap()
}

/// The requests `server` received at `path`.
pub async fn requests_to(server: &wiremock::MockServer, path: &str) -> Vec<wiremock::Request> {
    let all = server.received_requests().await.unwrap_or_default();
    all.into_iter().filter(|r| r.url.path() == path).collect()
}

/// A JSON body as a value.
pub fn json_body(request: &wiremock::Request) -> serde_json::Value {
    serde_json::from_slice(&request.body).unwrap()
}

/// One entry of [`entries`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    Dir,
    File(Vec<u8>),
    Link(PathBuf),
    /// A FIFO, socket or device.
    Other,
}

/// Every entry under `dir`, by relative path, without following links: unlike
/// [`snapshot`] it sees directories, links and temporary files, and a link loop is safe.
pub fn entries(dir: &std::path::Path) -> std::collections::BTreeMap<String, Entry> {
    fn walk(
        dir: &std::path::Path,
        prefix: &str,
        out: &mut std::collections::BTreeMap<String, Entry>,
    ) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let entry = entry.unwrap();
            let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
            let kind = entry.file_type().unwrap();
            let path = entry.path();
            let value = if kind.is_dir() {
                walk(&path, &format!("{rel}/"), out);
                Entry::Dir
            } else if kind.is_symlink() {
                Entry::Link(std::fs::read_link(&path).unwrap())
            } else if kind.is_file() {
                Entry::File(std::fs::read(&path).unwrap())
            } else {
                Entry::Other
            };
            out.insert(rel, value);
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, "", &mut out);
    out
}

/// Runs `f` on another thread and panics if it takes longer than `secs`, so a test of
/// something that could hang fails instead of blocking the run.
pub fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || send.send(f()));
    match receive.recv_timeout(std::time::Duration::from_secs(secs)) {
        Ok(value) => value,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => panic!("did not finish in {secs} s"),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => panic!("the thread panicked"),
    }
}
/// Marks feedback `1` of app `cli_1` processed: the call the token tests make.
pub async fn patch_feedback(
    c: &feishu::Client,
) -> Result<(), feishu::Error<feishu::application::v6::ApplicationFeedbackPatchError>> {
    use feishu::application::v6::FeedbackStatus;
    c.application()
        .v6()
        .application_feedback()
        .patch(feishu::application::v6::ApplicationFeedbackPatchRequired {
            app_id: "cli_1".into(),
            feedback_id: "1".into(),
            status: FeedbackStatus::Marked,
            operator_id: "ou_1".into(),
        })
        .send()
        .await
}

pub mod fake_ws;
pub mod raw_http;
