//! Hand-written actions, named by specs with `kind: custom` and `function: <module>::<fn>`.
//!
//! Calling convention (the generator relies on it and checks the function exists with the
//! right number of parameters): `pub async fn f(ctx: &Context, <one parameter per input, in
//! spec order>) -> Result<Value, ActionError>`. Inputs arrive with their generated Rust
//! types (`Uuid`, `String`, `bool`, `i64`, `Option<_>` for optional inputs without a
//! default, …), except `enum` inputs, which arrive as their wire value, `&'static str`.

pub mod chains;
pub mod cinder;
pub mod cinder_chain;
pub mod nova;
pub mod retention;
pub mod system;
pub mod trove;
