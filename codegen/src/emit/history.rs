//! `generated/action-history.json`: the project version each action first appeared in.
//!
//! Git cannot say which release an action arrived in before that release exists, and a
//! timestamp would change on every run; so the generator records `project.version` the
//! first time it emits an action and keeps that entry as long as the action exists.
//! Like the SQL state, the file is read back from `generated/` on the next run.

use std::collections::BTreeMap;
use std::path::Path;

use crate::model::Model;
use crate::output::FileSet;
use crate::Error;

pub const PATH: &str = "action-history.json";

/// Action name → version it first appeared in.
pub type History = BTreeMap<String, String>;

pub fn emit(model: &Model, generated: &Path, set: &mut FileSet) -> Result<History, Error> {
    let previous = read(&generated.join(PATH))?;
    let history: History = model
        .actions
        .iter()
        .map(|a| {
            let since = previous
                .get(&a.name)
                .cloned()
                .unwrap_or_else(|| model.project.version.clone());
            (a.name.clone(), since)
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&history).expect("strings serialise");
    text.push('\n');
    set.insert(PATH, text);
    Ok(history)
}

fn read(path: &Path) -> Result<History, Error> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(History::new()),
        Err(source) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        Error::State(format!(
            "generated/{PATH} is not a JSON object of action name to version ({e}); restore it from version control"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_keep_their_version_new_ones_get_the_current_one() {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let (mut model, _) = crate::spec::load(root).unwrap();
        std::fs::write(
            dir.path().join(PATH),
            r#"{"int32bit.system.exec": "0.0.1", "int32bit.gone": "0.0.1"}"#,
        )
        .unwrap();
        model.project.version = "9.9.9".into();
        let mut set = FileSet::default();
        let history = emit(&model, dir.path(), &mut set).unwrap();
        assert_eq!(history["int32bit.system.exec"], "0.0.1");
        assert_eq!(history["int32bit.nova.servers.get_status"], "9.9.9");
        assert!(!history.contains_key("int32bit.gone"));
        assert_eq!(history.len(), model.actions.len());
    }
}
