//! Printing spec problems on stderr, in colour on a terminal; codegen renders them.

use std::io::IsTerminal;
use std::path::Path;

use codegen::diagnostics::{render, render_styled, Diagnostics};

pub fn print(root: &Path, diags: &Diagnostics) {
    let text = if std::io::stderr().is_terminal() {
        render_styled(root, diags)
    } else {
        render(root, diags)
    };
    eprint!("{text}");
}
