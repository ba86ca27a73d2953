//! The generator behind `cargo xtask regen`: schema/ in, the `feishu` crate's files out.
//! The pipeline reads top to bottom: load -> validate -> lower -> emit -> render. Nothing
//! here writes to disk; the xtask does that, only after every stage succeeded.

pub mod diagnostic;
pub mod load;
pub mod model;
pub mod naming;
pub mod symbols;
pub mod validate;
pub mod ir;
pub mod lower;
