//! `kind: assert_field`: GET a path and fail unless the value at a dotted field equals an
//! input, with the original tool's message (`backup status is 'error', expect
//! 'available'`).

use serde::Serialize;
use syn::Expr;

use super::{checks, Kind};
use crate::emit::rust::action::Inputs;
use crate::emit::rust::syntax::{call_path, string, var};
use crate::emit::catalog::markdown::code;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};

pub const WORD: &str = "assert_field";
pub(crate) const KEYS: &[&str] = &["service", "path", "field", "expected", "subject"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AssertField {
    pub service: String,
    /// With `{input}` placeholders.
    pub path: String,
    /// Dotted (`backup.status`).
    pub field: String,
    /// The input holding the expected value.
    pub expected: String,
    /// Word used in the error message ("volume status is 'error', expect 'available'").
    pub subject: String,
}

pub(crate) fn read(ctx: &mut Ctx, f: &mut Fields, inputs: &[Input]) -> Option<AssertField> {
    let service = checks::text(ctx, f, "service");
    let path = checks::text(ctx, f, "path");
    let field = checks::text(ctx, f, "field");
    let expected = checks::text(ctx, f, "expected");
    let subject = checks::text(ctx, f, "subject");
    let path = path?;
    checks::path(ctx, &path.0, path.1, inputs);
    let expected = expected?;
    checks::input_ref(ctx, &expected.0, expected.1, inputs, "expected");
    Some(AssertField {
        service: service?.0,
        path: path.0,
        field: field?.0,
        expected: expected.0,
        subject: subject?.0,
    })
}

impl Kind for AssertField {
    fn service(&self) -> Option<&str> {
        Some(&self.service)
    }

    fn line(&self) -> String {
        format!(
            "{}: GET {} from the {} service, fail unless {} equals input {}",
            code(WORD),
            code(&self.path),
            code(&self.service),
            code(&self.field),
            code(&self.expected)
        )
    }

    fn call(&self, inputs: &Inputs) -> Expr {
        call_path(
            "rt::helpers::assert_field",
            [
                var("ctx"),
                string(&self.service),
                inputs.path(&self.path),
                string(&self.field),
                call_path("rt::helpers::json", [inputs.value(&self.expected)]),
                string(&self.subject),
            ],
        )
    }
}
