//! `generated/action-history.json`: the project version each action first appeared in.
//!
//! Git cannot say which release an action arrived in before that release exists, and a
//! timestamp would change on every run; so the generator records `project.version` the
//! first time it emits an action and keeps that entry as long as the action exists. The
//! next run reads it back as part of [`Prior`].

use std::collections::BTreeMap;

use crate::model::Model;
use crate::output::FileSet;
use crate::prior::{Prior, ACTION_HISTORY};
use crate::Error;

pub fn emit(model: &Model, prior: &Prior) -> Result<FileSet, Error> {
    let history: BTreeMap<&str, &str> = model
        .actions
        .iter()
        .map(|a| {
            let since = prior.first_version(&a.name, &model.project.version);
            (a.name.as_str(), since)
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&history).expect("strings serialise");
    text.push('\n');
    let mut set = FileSet::default();
    set.insert(ACTION_HISTORY, text);
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_actions_keep_their_version_new_ones_get_the_current_one() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .unwrap();
        let (mut model, _) = crate::spec::load(root).unwrap();
        model.project.version = "9.9.9".into();
        let prior = Prior {
            action_history: [
                ("int32bit.system.exec", "0.0.1"),
                ("int32bit.gone", "0.0.1"),
            ]
            .map(|(a, v)| (a.to_string(), v.to_string()))
            .into(),
            ..Prior::default()
        };
        let set = emit(&model, &prior).unwrap();
        let history: BTreeMap<String, String> =
            serde_json::from_str(set.get(ACTION_HISTORY).unwrap()).unwrap();
        assert_eq!(history["int32bit.system.exec"], "0.0.1");
        assert_eq!(history["int32bit.nova.servers.get_status"], "9.9.9");
        assert!(!history.contains_key("int32bit.gone"));
        assert_eq!(history.len(), model.actions.len());
    }
}
