//! `kind: list_filter`: GET a path with the inputs that have a value as query parameters,
//! every page, and return the list at `items`; fail when it is empty, unless
//! `allow_empty`.

use serde::Serialize;
use syn::Expr;

use super::{checks, Kind};
use crate::emit::rust::action::Inputs;
use crate::emit::rust::syntax::{array, call_path, reference, string, tuple, var};
use crate::emit::catalog::markdown::code;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};

pub const WORD: &str = "list_filter";
pub(crate) const KEYS: &[&str] = &["service", "path", "items", "filters", "allow_empty"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ListFilter {
    pub service: String,
    /// With `{input}` placeholders.
    pub path: String,
    /// Dotted path of the list in each page (`images`).
    pub items: String,
    /// Inputs sent as query parameters of their name when not null.
    pub filters: Vec<String>,
    /// An empty list is an answer, not an error (`retry:` cannot then wait for a match).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub allow_empty: bool,
}

pub(crate) fn read(ctx: &mut Ctx, f: &mut Fields, inputs: &[Input]) -> Option<ListFilter> {
    let service = checks::text(ctx, f, "service");
    let path = checks::text(ctx, f, "path");
    let items = checks::text(ctx, f, "items");
    let filters_node = f.require(ctx, "filters");
    let allow_empty = f
        .get("allow_empty")
        .and_then(|n| ctx.bool(n, "allow_empty"))
        .unwrap_or(false);
    let mut filters = Vec::new();
    for n in ctx.seq(filters_node?, "filters") {
        if let Some(name) = ctx.string(n, "filters") {
            checks::input_ref(ctx, &name, n.pos, inputs, "filters");
            filters.push(name);
        }
    }
    let path = path?;
    checks::path(ctx, &path.0, path.1, inputs);
    Some(ListFilter {
        service: service?.0,
        path: path.0,
        items: items?.0,
        filters,
        allow_empty,
    })
}

impl Kind for ListFilter {
    fn service(&self) -> Option<&str> {
        Some(&self.service)
    }

    fn line(&self) -> String {
        let empty = if self.allow_empty {
            "an empty list when none matches"
        } else {
            "fail when empty"
        };
        format!(
            "{}: GET {} from the {} service with {} as query filters, return {}, {empty}",
            code(WORD),
            code(&self.path),
            code(&self.service),
            self.filters
                .iter()
                .map(|f| code(f))
                .collect::<Vec<_>>()
                .join(", "),
            code(&self.items)
        )
    }

    fn call(&self, inputs: &Inputs) -> Expr {
        let pairs = self.filters.iter().map(|name| {
            let value = call_path("rt::helpers::query_value", [inputs.value(name)]);
            tuple([string(name), value])
        });
        let function = if self.allow_empty {
            "rt::helpers::list"
        } else {
            "rt::helpers::list_filter"
        };
        call_path(
            function,
            [
                var("ctx"),
                string(&self.service),
                inputs.path(&self.path),
                string(&self.items),
                reference(array(pairs)),
            ],
        )
    }
}
