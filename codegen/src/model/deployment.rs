//! What `mistral-actions apply` puts into a Mistral besides the actions and workflows:
//! environments (`specs/environments/`) and schedules, which become cron triggers
//! (`specs/schedules/`).

use serde::Serialize;
use serde_json::{Map, Value};

use super::Origin;

/// Who may see what apply creates in Mistral (`scope` of every resource).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Only the project that applied (Mistral's default).
    #[default]
    Private,
    /// Every project. Mistral lets only admins publicise since March 2026.
    Public,
}

impl Scope {
    pub const ALL: [Scope; 2] = [Scope::Private, Scope::Public];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Private => "private",
            Scope::Public => "public",
        }
    }
}

/// A Mistral environment: variables an execution reads with `env()`.
#[derive(Debug, Clone, Serialize)]
pub struct Environment {
    pub name: String,
    pub origin: Origin,
    pub description: String,
    /// Sorted by name.
    pub variables: Vec<(String, Variable)>,
}

impl Environment {
    /// The variables written as they are (the rest are resolved by apply).
    pub fn literals(&self) -> Map<String, Value> {
        self.variables
            .iter()
            .filter_map(|(k, v)| match v {
                Variable::Literal(v) => Some((k.clone(), v.clone())),
                _ => None,
            })
            .collect()
    }

    /// The variables apply reads from its own environment or from files.
    pub fn references(&self) -> impl Iterator<Item = (&str, &Variable)> {
        self.variables
            .iter()
            .filter(|(_, v)| !matches!(v, Variable::Literal(_)))
            .map(|(k, v)| (k.as_str(), v))
    }
}

/// One environment variable's value.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variable {
    /// Written in the spec, so in generated/ and in every plan.
    Literal(Value),
    /// `{from_env: NAME}`: read from apply's environment variable `NAME`; never written
    /// into generated/ nor printed.
    FromEnv(String),
    /// `{from_file: PATH}`: read from a file when applying (trailing newline dropped);
    /// never written into generated/ nor printed.
    FromFile(String),
}

/// A recurring run of a workflow: one Mistral cron trigger.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    pub name: String,
    pub origin: Origin,
    pub description: String,
    /// A workflow of the specs.
    pub workflow: String,
    /// In spec order.
    pub input: Map<String, Value>,
    /// A cron pattern as Mistral 23's croniter reads it (UTC).
    pub pattern: String,
    /// The pattern in words ("at 02:00 UTC every day").
    pub pattern_words: String,
    /// `YYYY-MM-DD HH:MM`, UTC.
    pub first_execution_time: Option<String>,
    /// An environment of the specs, passed as the execution's `env`.
    pub environment: Option<String>,
}
