//! `kind: get_field`: GET a path and return the value at a dotted field.

use serde::Serialize;
use syn::Expr;

use super::{checks, Kind};
use crate::emit::rust::action::Inputs;
use crate::emit::rust::syntax::{call_path, string, var};
use crate::emit::catalog::markdown::code;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};

pub const WORD: &str = "get_field";
pub(crate) const KEYS: &[&str] = &["service", "path", "field"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GetField {
    pub service: String,
    /// With `{input}` placeholders.
    pub path: String,
    /// Dotted (`server.status`).
    pub field: String,
}

pub(crate) fn read(ctx: &mut Ctx, f: &mut Fields, inputs: &[Input]) -> Option<GetField> {
    let service = checks::text(ctx, f, "service");
    let path = checks::text(ctx, f, "path");
    let field = checks::text(ctx, f, "field");
    let path = path?;
    checks::path(ctx, &path.0, path.1, inputs);
    Some(GetField {
        service: service?.0,
        path: path.0,
        field: field?.0,
    })
}

impl Kind for GetField {
    fn service(&self) -> Option<&str> {
        Some(&self.service)
    }

    fn line(&self) -> String {
        format!(
            "{}: GET {} from the {} service, return {}",
            code(WORD),
            code(&self.path),
            code(&self.service),
            code(&self.field)
        )
    }

    fn call(&self, inputs: &Inputs) -> Expr {
        call_path(
            "rt::helpers::get_field",
            [
                var("ctx"),
                string(&self.service),
                inputs.path(&self.path),
                string(&self.field),
            ],
        )
    }
}
