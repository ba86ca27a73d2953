//! A fake Feishu for tests and examples: an HTTP server on 127.0.0.1 that knows every
//! endpoint of the generated crate from a table the generator emits.

mod table;

pub use table::{Body, Code, Field, Route, Shape};
