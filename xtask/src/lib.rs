//! What other packages' tests reuse of `cargo xtask`: the check that the README's command
//! lines are ones the command line accepts (`cargo harness` runs it on its own lines).

pub mod readme_commands;
