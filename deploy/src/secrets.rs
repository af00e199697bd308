//! The environments' variables read when applying (`from_env`, `from_file`), read before
//! anything is listed or written. Their values live in [`Secret`]s, which print as
//! `<redacted>`: plans show where a value comes from, and whether it changed, never the value.

use std::collections::BTreeMap;

use mistral_actions_runtime::Secret;

use crate::tree::{Reference, Tree};
use crate::Error;

/// Every value read, by environment and variable.
#[derive(Debug, Default)]
pub struct Resolved {
    values: BTreeMap<(String, String), Secret<String>>,
}

impl Resolved {
    /// Reads every reference of `tree`: `vars` stands for the environment; files are read
    /// from the working directory. All problems at once, each naming the variable or file.
    pub fn read(
        tree: &Tree,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Resolved, Vec<Error>> {
        let mut values = BTreeMap::new();
        let mut errors = Vec::new();
        for env in tree.environments.values() {
            for (variable, reference) in &env.resolve_when_applying {
                let read = match reference {
                    Reference::FromEnv(name) => vars(name).ok_or_else(|| {
                        format!("${name} is not set (apply reads it from its environment)")
                    }),
                    Reference::FromFile(path) => std::fs::read_to_string(path)
                        .map(|text| text.strip_suffix('\n').unwrap_or(&text).to_string())
                        .map_err(|e| format!("cannot read {}: {e}", path.display())),
                };
                match read {
                    Ok(value) => {
                        values.insert((env.name.clone(), variable.clone()), Secret::new(value));
                    }
                    Err(why) => errors.push(Error::Unresolved {
                        environment: env.name.clone(),
                        variable: variable.clone(),
                        why,
                    }),
                }
            }
        }
        if errors.is_empty() {
            Ok(Resolved { values })
        } else {
            Err(errors)
        }
    }

    /// The value of `variable` of `environment`.
    pub fn get(&self, environment: &str, variable: &str) -> Option<&str> {
        self.values
            .get(&(environment.to_string(), variable.to_string()))
            .map(|s| s.expose().as_str())
    }

    /// Values for tests: (environment, variable, value).
    pub fn from_values(values: &[(&str, &str, &str)]) -> Resolved {
        Resolved {
            values: values
                .iter()
                .map(|(e, v, x)| ((e.to_string(), v.to_string()), Secret::new(x.to_string())))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tree::{EnvironmentSpec, Settings};

    fn tree(references: &[(&str, Reference)]) -> Tree {
        let env = EnvironmentSpec {
            name: "env1".into(),
            description: String::new(),
            scope: "private".into(),
            variables: Default::default(),
            resolve_when_applying: references
                .iter()
                .map(|(k, r)| (k.to_string(), r.clone()))
                .collect(),
        };
        Tree {
            dir: "/nowhere".into(),
            settings: Settings {
                namespace: String::new(),
                scope: "private".into(),
            },
            environments: [("env1".to_string(), env)].into(),
            actions: Default::default(),
            workflows: Default::default(),
            triggers: Default::default(),
        }
    }

    #[test]
    fn values_come_from_the_environment_and_files() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("token");
        std::fs::write(&file, "from-file\n").unwrap();
        let t = tree(&[
            ("a", Reference::FromEnv("A_VALUE".into())),
            ("b", Reference::FromFile(file)),
        ]);
        let resolved = Resolved::read(&t, &|k| (k == "A_VALUE").then(|| "s3cret".into())).unwrap();
        assert_eq!(resolved.get("env1", "a"), Some("s3cret"));
        assert_eq!(resolved.get("env1", "b"), Some("from-file"));
        assert!(!format!("{resolved:?}").contains("s3cret"), "never shown");
    }

    #[test]
    fn every_missing_value_is_named_without_a_value() {
        let t = tree(&[
            ("a", Reference::FromEnv("UNSET_ONE".into())),
            ("b", Reference::FromFile("/nonexistent/file".into())),
        ]);
        let errors = Resolved::read(&t, &|_| None).unwrap_err();
        let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        assert_eq!(text.len(), 2, "{text:?}");
        assert!(
            text[0].contains("`a`") && text[0].contains("$UNSET_ONE"),
            "{text:?}"
        );
        assert!(text[1].contains("/nonexistent/file"), "{text:?}");
    }
}
