//! `kind: custom`: hand-written logic, a function in the runtime crate
//! (`runtime/src/custom/`) taking the context and one parameter per input (MA042 checks
//! it exists: `spec::custom_fns`).

use serde::Serialize;
use syn::Expr;

use super::{checks, Kind};
use crate::emit::rust::action::Inputs;
use crate::emit::rust::syntax::call_path;
use crate::diagnostics::Code;
use crate::emit::catalog::markdown::code;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};
use crate::yaml::Node;

pub const WORD: &str = "custom";
pub(crate) const KEYS: &[&str] = &["function", "services"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Custom {
    /// `module::function` under `runtime/src/custom/`.
    pub function: String,
    /// The catalog service types it calls besides those its microversions name (sorted,
    /// deduplicated).
    pub services: Vec<String>,
}

pub(crate) fn read(ctx: &mut Ctx, f: &mut Fields, _inputs: &[Input]) -> Option<Custom> {
    let function = checks::text(ctx, f, "function");
    let services = f
        .get("services")
        .map(|n| services(ctx, n))
        .unwrap_or_default();
    let (function, pos) = function?;
    if !crate::spec::names::is_rust_path(&function) {
        ctx.error(
            Code::InvalidImplementation,
            pos,
            format!("`{function}` is not a Rust path"),
            "name a function as `module::function` in the runtime crate",
        );
    }
    Some(Custom { function, services })
}

/// `services`: catalog service types (the action server's readiness checks the catalog
/// has them).
fn services(ctx: &mut Ctx, node: &Node) -> Vec<String> {
    let mut services = Vec::new();
    for n in ctx.seq(node, "services") {
        let Some(service) = ctx.string(n, "services") else {
            continue;
        };
        let catalog_type = !service.is_empty()
            && service
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !catalog_type {
            ctx.error(
                Code::InvalidValue,
                n.pos,
                format!("`{service}` is not a service type"),
                "name the service as its type in the Keystone catalog, e.g. `database`",
            );
            continue;
        }
        services.push(service);
    }
    services.sort();
    services.dedup();
    services
}

impl Kind for Custom {
    fn service(&self) -> Option<&str> {
        None
    }

    fn more_services(&self) -> &[String] {
        &self.services
    }

    fn line(&self) -> String {
        if self.services.is_empty() {
            return format!("{}: hand-written {}", code(WORD), code(&self.function));
        }
        format!(
            "{}: hand-written {}, calling {}",
            code(WORD),
            code(&self.function),
            self.services
                .iter()
                .map(|s| code(s))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }

    fn call(&self, inputs: &Inputs) -> Expr {
        call_path(
            &format!("rt::custom::{}", self.function),
            inputs.custom_args(),
        )
    }
}
