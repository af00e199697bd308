//! Checks the kinds share when they read a spec: a REST path's placeholders, a field
//! naming an input, the plain text fields every declarative kind has.

use crate::diagnostics::Code;
use crate::model::{path_parts, Input, PathPart};
use crate::spec::reader::{Ctx, Fields};
use crate::yaml::Pos;

/// A required text field with where it is written (reported when missing or not text).
pub(crate) fn text(ctx: &mut Ctx, f: &mut Fields, key: &str) -> Option<(String, Pos)> {
    f.require(ctx, key)
        .and_then(|n| Some((ctx.string(n, key)?, n.pos)))
}

/// Every `{placeholder}` in a REST path must be an input.
pub(crate) fn path(ctx: &mut Ctx, path: &str, pos: Pos, inputs: &[Input]) {
    if !path.starts_with('/') {
        ctx.error(
            Code::InvalidImplementation,
            pos,
            format!("path `{path}` does not start with `/`"),
            "write the path relative to the service endpoint, e.g. `/servers/{server_id}`",
        );
    }
    for part in path_parts(path) {
        match part {
            PathPart::Input(name) => input_ref(ctx, name, pos, inputs, "path"),
            // Only the last text can hold a `{`: the one left unclosed.
            PathPart::Text(text) if text.contains('{') => ctx.error(
                Code::InvalidImplementation,
                pos,
                format!("path `{path}` has an unclosed `{{`"),
                "close the placeholder with `}`",
            ),
            PathPart::Text(_) => {}
        }
    }
}

/// The inputs a path's placeholders name.
pub(crate) fn path_inputs(path: &str) -> impl Iterator<Item = &str> {
    path_parts(path).into_iter().filter_map(|p| match p {
        PathPart::Input(name) => Some(name),
        PathPart::Text(_) => None,
    })
}

/// `name` (written at `pos`, in the field `what`) must be an input of the action.
pub(crate) fn input_ref(ctx: &mut Ctx, name: &str, pos: Pos, inputs: &[Input], what: &str) {
    if !inputs.iter().any(|i| i.name == name) {
        let declared: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        let help = if declared.is_empty() {
            "the action declares no inputs: add one under `inputs:`".to_string()
        } else {
            format!("declared inputs: {}", declared.join(", "))
        };
        ctx.error(
            Code::InvalidImplementation,
            pos,
            format!("`{what}` refers to `{name}`, which is not an input of this action"),
            &help,
        );
    }
}
