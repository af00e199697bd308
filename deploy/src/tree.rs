//! A generated tree (`generated/` of a project, or the packaged
//! `/usr/share/mistral-actions`) as apply reads it: what `cargo xtask generate` wrote for
//! Mistral, typed.
//!
//! - `mistral/settings.json`: the namespace and scope everything goes in;
//! - `mistral/environments/<name>.json`: each environment's body, with the variables
//!   read when applying (`resolve_when_applying`) named, not valued;
//! - `mistral/cron_triggers/<name>.json`: each cron trigger's body, naming its workflow;
//! - `workflows/<name>.yaml`: the text of each workflow, uploaded as it is;
//! - `sql/state.json`: each action's `definition`, the text the SQL migrations register.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::Error;

/// Where the packaged tree is.
pub const PACKAGED: &str = "/usr/share/mistral-actions";

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Settings {
    pub namespace: String,
    /// `private` or `public`.
    pub scope: String,
}

/// A variable apply reads when it applies, never written in the tree.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reference {
    /// Apply's environment variable of this name.
    FromEnv(String),
    /// This file's contents, one trailing newline dropped (relative paths: from the
    /// working directory).
    FromFile(PathBuf),
}

impl std::fmt::Display for Reference {
    /// How a plan shows the value: where it comes from.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reference::FromEnv(name) => write!(f, "(from ${name})"),
            Reference::FromFile(path) => write!(f, "(from file {})", path.display()),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct EnvironmentSpec {
    pub name: String,
    pub description: String,
    pub scope: String,
    /// The literal variables, the ownership mark among them.
    pub variables: Map<String, Value>,
    #[serde(default)]
    pub resolve_when_applying: BTreeMap<String, Reference>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionSpec {
    pub name: String,
    /// The ad-hoc action's YAML, as the SQL rows hold it.
    pub definition: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkflowSpec {
    pub name: String,
    /// Under the tree, for messages (`workflows/<name>.yaml`).
    pub file: String,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct TriggerSpec {
    pub name: String,
    pub pattern: String,
    /// A workflow of the tree; apply sends its id.
    pub workflow_name: String,
    pub workflow_input: Value,
    pub workflow_params: Map<String, Value>,
    pub scope: String,
    /// `YYYY-MM-DD HH:MM`, UTC.
    #[serde(default)]
    pub first_execution_time: Option<String>,
}

/// Everything a generated tree asks of Mistral.
#[derive(Clone, Debug, PartialEq)]
pub struct Tree {
    pub dir: PathBuf,
    pub settings: Settings,
    pub environments: BTreeMap<String, EnvironmentSpec>,
    /// Empty when apply leaves the actions to the SQL migrations.
    pub actions: BTreeMap<String, ActionSpec>,
    pub workflows: BTreeMap<String, WorkflowSpec>,
    pub triggers: BTreeMap<String, TriggerSpec>,
}

fn tree_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Tree {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read_text(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|e| tree_error(path, e.to_string()))
}

fn read_json<T: DeserializeOwned>(path: &Path) -> Result<T, Error> {
    serde_json::from_str(&read_text(path)?).map_err(|e| tree_error(path, e.to_string()))
}

/// The files of `dir` ending in `.ext`, sorted; none when `dir` does not exist.
fn files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>, Error> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(tree_error(dir, e.to_string())),
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.map_err(|e| tree_error(dir, e.to_string()))?.path();
        if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

impl Tree {
    /// Reads the tree at `dir`; `with_actions` false leaves the actions out (and
    /// `sql/state.json` unread).
    pub fn read(dir: &Path, with_actions: bool) -> Result<Tree, Error> {
        let settings_file = dir.join("mistral/settings.json");
        if !settings_file.exists() {
            return Err(tree_error(
                dir,
                "not a generated tree: it has no mistral/settings.json (pass the generated/ directory of a project, written by `cargo xtask generate` of this version, or the packaged /usr/share/mistral-actions)",
            ));
        }
        let settings: Settings = read_json(&settings_file)?;
        let mut environments = BTreeMap::new();
        for path in files(&dir.join("mistral/environments"), "json")? {
            let e: EnvironmentSpec = read_json(&path)?;
            environments.insert(e.name.clone(), e);
        }
        let mut triggers = BTreeMap::new();
        for path in files(&dir.join("mistral/cron_triggers"), "json")? {
            let t: TriggerSpec = read_json(&path)?;
            triggers.insert(t.name.clone(), t);
        }
        let mut workflows = BTreeMap::new();
        for path in files(&dir.join("workflows"), "yaml")? {
            let w = workflow(dir, &path)?;
            workflows.insert(w.name.clone(), w);
        }
        let actions = if with_actions {
            actions(&dir.join("sql/state.json"))?
        } else {
            BTreeMap::new()
        };
        for t in triggers.values() {
            if !workflows.contains_key(&t.workflow_name) {
                return Err(tree_error(
                    &dir.join(format!("mistral/cron_triggers/{}.json", t.name)),
                    format!(
                        "names workflow `{}`, which workflows/ does not hold (regenerate the tree)",
                        t.workflow_name
                    ),
                ));
            }
        }
        Ok(Tree {
            dir: dir.to_path_buf(),
            settings,
            environments,
            actions,
            workflows,
            triggers,
        })
    }
}

/// One workflow file: its name is the document's one key beside `version`.
fn workflow(dir: &Path, path: &Path) -> Result<WorkflowSpec, Error> {
    let text = read_text(path)?;
    let doc = mistral_actions_runtime::yaml::to_json(&text).map_err(|e| tree_error(path, e))?;
    let names: Vec<&String> = doc
        .as_object()
        .map(|m| m.keys().filter(|k| *k != "version").collect())
        .unwrap_or_default();
    let [name] = names[..] else {
        return Err(tree_error(
            path,
            format!(
                "expected one workflow in the file, found {}: apply uploads one workflow per request",
                names.len()
            ),
        ));
    };
    Ok(WorkflowSpec {
        name: name.clone(),
        file: path
            .strip_prefix(dir)
            .unwrap_or(path)
            .to_string_lossy()
            .into_owned(),
        text,
    })
}

/// The actions of `sql/state.json`: each row's definition.
fn actions(path: &Path) -> Result<BTreeMap<String, ActionSpec>, Error> {
    #[derive(Deserialize)]
    struct Row {
        definition: String,
    }
    #[derive(Deserialize)]
    struct State {
        rows: BTreeMap<String, Row>,
    }
    let state: State = read_json(path)?;
    Ok(state
        .rows
        .into_iter()
        .map(|(name, row)| {
            let spec = ActionSpec {
                name: name.clone(),
                definition: row.definition,
            };
            (name, spec)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, rel: &str, text: &str) {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn sample(dir: &Path) {
        write(
            dir,
            "mistral/settings.json",
            r#"{"namespace": "", "scope": "private"}"#,
        );
        write(
            dir,
            "mistral/environments/env1.json",
            r#"{"name": "env1", "description": "d", "scope": "private",
                "variables": {"a": 1, "mistral_actions_managed": true},
                "resolve_when_applying": {"t": {"from_env": "TOKEN"}, "f": {"from_file": "secret.txt"}}}"#,
        );
        write(
            dir,
            "mistral/cron_triggers/nightly.json",
            r#"{"name": "nightly", "pattern": "0 2 * * *", "workflow_name": "flow",
                "workflow_input": {"x": 1}, "workflow_params": {"mistral_actions": "managed"},
                "scope": "private", "first_execution_time": "2030-01-01 02:00"}"#,
        );
        write(
            dir,
            "workflows/flow.yaml",
            "# header\nversion: \"2.0\"\nflow:\n  tasks:\n    t:\n      action: std.noop\n",
        );
        write(
            dir,
            "sql/state.json",
            r#"{"rows": {"p.a.b": {"id": "i", "name": "p.a.b", "definition": "version: '2.0'\np.a.b:\n  base: std.http\n", "tags": "[]"}}}"#,
        );
    }

    #[test]
    fn a_tree_reads_typed() {
        let dir = tempfile::tempdir().unwrap();
        sample(dir.path());
        let tree = Tree::read(dir.path(), true).unwrap();
        assert_eq!(tree.settings.scope, "private");
        let env = &tree.environments["env1"];
        assert_eq!(
            env.resolve_when_applying["t"],
            Reference::FromEnv("TOKEN".into())
        );
        assert_eq!(env.resolve_when_applying["t"].to_string(), "(from $TOKEN)");
        assert_eq!(
            tree.triggers["nightly"].first_execution_time.as_deref(),
            Some("2030-01-01 02:00")
        );
        let flow = &tree.workflows["flow"];
        assert_eq!(flow.file, "workflows/flow.yaml");
        assert!(flow.text.starts_with("# header\n"), "uploaded as written");
        assert!(tree.actions["p.a.b"].definition.contains("base: std.http"));
        let without = Tree::read(dir.path(), false).unwrap();
        assert!(without.actions.is_empty());
    }

    #[test]
    fn what_is_not_a_tree_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let message = Tree::read(dir.path(), false).unwrap_err().to_string();
        assert!(message.contains("mistral/settings.json"), "{message}");
        sample(dir.path());
        write(
            dir.path(),
            "workflows/two.yaml",
            "version: '2.0'\na:\n  tasks: {}\nb:\n  tasks: {}\n",
        );
        let message = Tree::read(dir.path(), false).unwrap_err().to_string();
        assert!(
            message.contains("two.yaml") && message.contains("found 2"),
            "{message}"
        );
        fs::remove_file(dir.path().join("workflows/two.yaml")).unwrap();
        fs::remove_file(dir.path().join("workflows/flow.yaml")).unwrap();
        let message = Tree::read(dir.path(), false).unwrap_err().to_string();
        assert!(
            message.contains("nightly.json") && message.contains("`flow`"),
            "{message}"
        );
    }
}
