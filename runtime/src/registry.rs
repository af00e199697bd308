//! The shape of the action table the generated crate exports.

use std::future::Future;
use std::pin::Pin;

use serde_json::Value;

use crate::{ActionError, Context};

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Parses the JSON input, runs the action, returns its result.
pub type Handler = for<'a> fn(&'a Context, Value) -> BoxFuture<'a, Result<Value, ActionError>>;

/// One action as the server sees it.
#[derive(Clone, Copy)]
pub struct ActionDef {
    pub name: &'static str,
    /// First line of the spec's description.
    pub summary: &'static str,
    /// The input string exactly as Mistral shows it (`backup_id, status="available"`).
    pub input: &'static str,
    /// Catalog service types the action calls (its spec's implementation service,
    /// microversions and custom `services`); readiness checks the catalog has them.
    pub services: &'static [&'static str],
    pub handler: Handler,
}

impl std::fmt::Debug for ActionDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActionDef")
            .field("name", &self.name)
            .field("input", &self.input)
            .field("services", &self.services)
            .finish_non_exhaustive()
    }
}

/// Finds `name` in a table sorted by name.
pub fn find<'t>(table: &'t [ActionDef], name: &str) -> Option<&'t ActionDef> {
    table
        .binary_search_by(|a| a.name.cmp(name))
        .ok()
        .map(|i| &table[i])
}
