//! The validated model. Every emitter reads this, never the YAML: once a `Model` exists,
//! names are unique and legal, inputs are well-formed and defaults match their types.

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value;

use crate::signature;

pub use crate::kinds::Implementation;

mod deployment;
pub use deployment::{Environment, Schedule, Scope, Variable};

/// Cheap to clone (shared lists).
#[derive(Debug, Clone, Serialize)]
pub struct Model {
    pub project: Project,
    /// Sorted by name.
    pub actions: Arc<Vec<Action>>,
    /// Sorted by name (`specs/workflows/**.yaml`).
    pub workflows: Arc<Vec<Workflow>>,
    /// Sorted by name (`specs/environments/**.yaml`).
    pub environments: Arc<Vec<Environment>>,
    /// Sorted by name (`specs/schedules/**.yaml`).
    pub schedules: Arc<Vec<Schedule>>,
}

impl Model {
    pub fn new(project: Project, actions: Vec<Action>, workflows: Vec<Workflow>) -> Model {
        Model {
            project,
            actions: Arc::new(actions),
            workflows: Arc::new(workflows),
            environments: Arc::default(),
            schedules: Arc::default(),
        }
    }

    /// The model with the environments and schedules of the specs (each sorted by name).
    pub fn with_deployment(
        mut self,
        environments: Vec<Environment>,
        schedules: Vec<Schedule>,
    ) -> Model {
        self.environments = Arc::new(environments);
        self.schedules = Arc::new(schedules);
        self
    }

    pub fn action(&self, name: &str) -> Option<&Action> {
        self.actions
            .binary_search_by(|a| a.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.actions[i])
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    Postgresql,
    Mysql,
}

impl Dialect {
    pub const ALL: [Dialect; 2] = [Dialect::Postgresql, Dialect::Mysql];

    pub fn as_str(&self) -> &'static str {
        match self {
            Dialect::Postgresql => "postgresql",
            Dialect::Mysql => "mysql",
        }
    }
}

/// The three shapes `action_definitions_v2` has had (see `fixtures/mistral/schema`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub enum SchemaGeneration {
    /// Pike–Train: no `namespace` column.
    #[serde(rename = "pike-to-train")]
    PikeToTrain,
    /// Ussuri: adds `namespace`.
    #[serde(rename = "ussuri")]
    Ussuri,
    /// Victoria and later: adds `workbook_name`.
    #[serde(rename = "victoria-to-2026")]
    VictoriaTo2026,
}

impl SchemaGeneration {
    pub const ALL: [SchemaGeneration; 3] = [
        SchemaGeneration::PikeToTrain,
        SchemaGeneration::Ussuri,
        SchemaGeneration::VictoriaTo2026,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            SchemaGeneration::PikeToTrain => "pike-to-train",
            SchemaGeneration::Ussuri => "ussuri",
            SchemaGeneration::VictoriaTo2026 => "victoria-to-2026",
        }
    }
}

/// `specs/project.yaml`.
#[derive(Debug, Clone, Serialize)]
pub struct Project {
    /// First segment of every action name (`int32bit`).
    pub prefix: String,
    /// Action server base URL baked into registrations; deployments override it through
    /// Mistral's environment (`mistral_actions_url`).
    pub server_url: String,
    pub schema_generations: Vec<SchemaGeneration>,
    pub dialects: Vec<Dialect>,
    pub catalog_title: String,
    /// Spec files larger than this are refused.
    pub max_file_bytes: u64,
    /// Let SQL registrations replace same-name actions that mistral-actions does not own
    /// (the original tool's `--override`). Off: such a registration aborts unchanged.
    pub sql_takeover: bool,
    /// The project's release version; the catalog marks each action with the version it
    /// first appeared in (`generated/action-history.json`).
    pub version: String,
    /// The Mistral namespace `apply` puts workflows in (`''`, Mistral's default).
    pub namespace: String,
    /// The scope of everything `apply` creates.
    pub scope: Scope,
}

impl Default for Project {
    fn default() -> Self {
        Project {
            prefix: "int32bit".into(),
            server_url: "http://127.0.0.1:8989".into(),
            schema_generations: SchemaGeneration::ALL.to_vec(),
            dialects: Dialect::ALL.to_vec(),
            catalog_title: "Action Catalog".into(),
            max_file_bytes: 1024 * 1024,
            sql_takeover: false,
            version: "0.1.0".into(),
            namespace: String::new(),
            scope: Scope::Private,
        }
    }
}

/// Where a definition came from, for headers and "generated from" notes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Relative to the project root, `/`-separated (`specs/actions/cinder/backups.yaml`).
    pub file: String,
    pub line: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Full name, `<prefix>.<service>[.<resource>].<action>`.
    pub name: String,
    pub origin: Origin,
    /// The full description; its first line is the summary.
    pub description: String,
    pub inputs: Vec<Input>,
    pub output: Output,
    /// Sorted, deduplicated.
    pub tags: Vec<String>,
    pub deprecated: Option<Deprecation>,
    pub implementation: Implementation,
    /// Sorted by service; see [`Microversion`].
    pub microversions: Vec<Microversion>,
    pub examples: Vec<Example>,
}

/// An API microversion an action relies on: every request it makes to `service` (a
/// catalog service type) names `version`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Microversion {
    pub service: String,
    pub version: String,
}

impl Action {
    pub fn summary(&self) -> &str {
        self.description.lines().next().unwrap_or("").trim()
    }

    /// The input string exactly as Mistral shows it (`backup_id, status="available"`).
    pub fn signature(&self) -> String {
        signature::input_string(&self.inputs)
    }

    /// The catalog service types the action calls: the declarative kind's `service`, the
    /// services of its `microversions` and a custom implementation's `services`; sorted,
    /// deduplicated. The action server's readiness checks the catalog has each.
    pub fn services(&self) -> Vec<&str> {
        let imp = &self.implementation;
        let mut all: Vec<&str> = imp
            .service()
            .into_iter()
            .chain(imp.more_services().iter().map(String::as_str))
            .chain(self.microversions.iter().map(|m| m.service.as_str()))
            .collect();
        all.sort_unstable();
        all.dedup();
        all
    }

    pub fn input(&self, name: &str) -> Option<&Input> {
        self.inputs.iter().find(|i| i.name == name)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum InputType {
    String,
    Integer,
    Number,
    Boolean,
    Object,
    Array,
    Uuid,
    Any,
}

impl InputType {
    pub const ALL: [InputType; 8] = [
        InputType::String,
        InputType::Integer,
        InputType::Number,
        InputType::Boolean,
        InputType::Object,
        InputType::Array,
        InputType::Uuid,
        InputType::Any,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            InputType::String => "string",
            InputType::Integer => "integer",
            InputType::Number => "number",
            InputType::Boolean => "boolean",
            InputType::Object => "object",
            InputType::Array => "array",
            InputType::Uuid => "uuid",
            InputType::Any => "any",
        }
    }

    pub fn parse(s: &str) -> Option<InputType> {
        InputType::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether a JSON value is of this type. `null` is accepted by the caller where the
    /// input is optional, not here.
    pub fn accepts(self, value: &Value) -> bool {
        match self {
            InputType::String => value.is_string(),
            InputType::Integer => value.is_i64() || value.is_u64(),
            InputType::Number => value.is_number(),
            InputType::Boolean => value.is_boolean(),
            InputType::Object => value.is_object(),
            InputType::Array => value.is_array(),
            InputType::Uuid => value.as_str().is_some_and(is_uuid),
            InputType::Any => true,
        }
    }
}

/// The canonical 8-4-4-4-12 hex form (the form OpenStack APIs return).
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

#[derive(Debug, Clone, Serialize)]
pub struct Input {
    pub name: String,
    pub ty: InputType,
    /// `None` for a required input; `Some(Value::Null)` for an optional input without a value.
    pub default: Option<Value>,
    pub enum_values: Option<Vec<Value>>,
    pub secret: bool,
    pub description: String,
}

impl Input {
    pub fn required(&self) -> bool {
        self.default.is_none()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Output {
    pub ty: InputType,
    pub description: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Deprecation {
    pub since: Option<String>,
    pub replaced_by: Option<String>,
    pub message: Option<String>,
}

/// A piece of a REST path: literal text or an `{input}` placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathPart<'a> {
    Text(&'a str),
    Input(&'a str),
}

/// The pieces of a REST `path` in order, without empty texts. An unclosed `{` and all
/// after it are one last text (the spec reader refuses such a path).
pub fn path_parts(path: &str) -> Vec<PathPart<'_>> {
    let mut parts = Vec::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        if open > 0 {
            parts.push(PathPart::Text(&rest[..open]));
        }
        parts.push(PathPart::Input(&rest[open + 1..open + close]));
        rest = &rest[open + close + 1..];
    }
    if !rest.is_empty() {
        parts.push(PathPart::Text(rest));
    }
    parts
}

#[derive(Debug, Clone, Serialize)]
pub struct Example {
    pub title: String,
    /// A Mistral workflow snippet (YAML), shown verbatim.
    pub workflow: String,
}

/// A Mistral DSL v2 workflow from `specs/workflows/`, checked against the actions and
/// the other workflows.
#[derive(Debug, Clone, Serialize)]
pub struct Workflow {
    pub name: String,
    pub origin: Origin,
    pub kind: WorkflowKind,
    pub description: Option<String>,
    pub inputs: Vec<WorkflowInput>,
    /// Names of the `output` entries, in spec order.
    pub outputs: Vec<String>,
    /// In spec order.
    pub tasks: Vec<Task>,
    /// The workflow body (everything under its name) in canonical key order, as uploaded
    /// to Mistral.
    pub definition: Value,
}

impl Workflow {
    /// Actions the tasks call, sorted and deduplicated.
    pub fn actions_used(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .tasks
            .iter()
            .filter_map(|t| match &t.call {
                Some(Call::Action(a)) => Some(a.as_str()),
                _ => None,
            })
            .collect();
        names.sort();
        names.dedup();
        names
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowKind {
    Direct,
    Reverse,
}

impl WorkflowKind {
    pub fn as_str(self) -> &'static str {
        match self {
            WorkflowKind::Direct => "direct",
            WorkflowKind::Reverse => "reverse",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct WorkflowInput {
    pub name: String,
    /// `None` for a required input.
    pub default: Option<Value>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Task {
    pub name: String,
    /// `None` for a task without `action` or `workflow` (Mistral runs `std.noop`), or
    /// when the name is an expression.
    pub call: Option<Call>,
    /// Direct workflows: `on-success`, `on-error`, `on-complete`, `on-skip` targets.
    pub transitions: Vec<Transition>,
    /// Reverse workflows: the tasks this one requires.
    pub requires: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Call {
    Action(String),
    Workflow(String),
}

#[derive(Debug, Clone, Serialize)]
pub struct Transition {
    /// `on-success`, `on-error`, `on-complete` or `on-skip`.
    pub on: String,
    /// A task name or an engine command (`fail`, `succeed`, `pause`, `noop`).
    pub target: String,
    /// Whether the transition has a condition.
    pub conditional: bool,
}

#[cfg(test)]
mod tests {
    use super::{path_parts, PathPart};

    #[test]
    fn path_parts_split_texts_and_placeholders() {
        use PathPart::{Input, Text};
        assert_eq!(
            path_parts("/v/{a}{b}/x"),
            [Text("/v/"), Input("a"), Input("b"), Text("/x")]
        );
        assert_eq!(path_parts("/v"), [Text("/v")]);
        assert_eq!(
            path_parts("/v/{a}/{b"),
            [Text("/v/"), Input("a"), Text("/{b")]
        );
    }
}
