//! A fake Feishu for tests and examples: an HTTP server on 127.0.0.1 that knows every
//! endpoint of the generated crate from a table the generator emits
//! (`feishu::testing::ROUTES`), so tests and examples run without an account.
//!
//! What it does with each request:
//! - **routes** it by method and path template; both hosts (`open` and `www`) are
//!   served on one URL. A request that matches nothing is answered with HTTP 404 and
//!   `{code: 404, msg: "no endpoint POST /...; did you mean PATCH /... (id)?"}`;
//! - **checks the token**: `Authorization: Bearer` must carry a token the fake issued,
//!   of a kind the endpoint accepts, or the answer is the platform's token error
//!   (99991661 missing, 99991663 / 99991664 / 99991668 invalid);
//! - **checks the request against the schema**: query parameters, content type and
//!   body, answering the platform's field-validation error (99992402, HTTP 400) whose
//!   `msg` names each field (`body.status: expected an integer, found "x"`,
//!   `query.page_size: not a parameter of ...`, `body.user_id: required`) and whose
//!   `error.field_violations` lists them;
//! - **answers**: the auth v3 endpoints issue tokens (self-built app: app id and
//!   secret; marketplace app: app_ticket, then a tenant's token from the app token and
//!   `tenant_key`; `app_ticket/resend` issues a new ticket); every other endpoint
//!   answers its schema's example in its envelope, unless the test
//!   [scripted](FakeFeishu::script) something else: a payload, an error code with its
//!   documented HTTP status and message, a rate limit with `x-ogw-ratelimit-reset`, a
//!   5xx, a delay or a dropped connection;
//! - **records** it ([`FakeFeishu::requests`]): method, path, query, headers, body,
//!   endpoint, the kind of token, the status and code of the answer.
//!
//! ```no_run
//! # mod feishu { pub mod testing {
//! #     pub static ROUTES: &[&[feishu_runtime::testing::Route]] = &[];
//! #     pub static COMMON_CODES: &[feishu_runtime::testing::Code] = &[];
//! # } }
//! use feishu_runtime::testing::FakeFeishu;
//! use serde_json::json;
//!
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! let fake = FakeFeishu::start(feishu::testing::ROUTES, feishu::testing::COMMON_CODES).await?;
//! // With the generated crate: `fake.configure(feishu::Client::builder()).build()?`.
//! let client = fake.configure(feishu_runtime::Client::builder()).build()?;
//! fake.script("application.v6.application_feedback.list")
//!     .respond(json!({"feedback_list": [], "has_more": false}))
//!     .rate_limited(1);
//! // ... calls through `client` ...
//! let calls = fake.requests_to("application.v6.application_feedback.list");
//! # drop(client); drop(calls);
//! # Ok(()) }
//! ```

mod check;
mod fake;
mod form;
mod handle;
mod record;
mod reply;
mod routing;
mod script;
mod server;
mod state;
mod table;
mod tokens;

pub use fake::FakeFeishu;
pub use record::{RecordedBody, RecordedRequest};
pub use script::{Fault, Script};
pub use table::{Body, Code, Field, Route, Shape};
