//! How each action Mistral lists compares with the rows the specs want.

use std::collections::BTreeMap;
use std::fmt;

use mistral_actions_contract::OWNER_TAG;
use serde_json::Value;

use crate::Wanted;

/// How one action Mistral lists compares with the specs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Someone else's action the specs do not define.
    NotOurs,
    /// Same name as a spec, not registered by mistral-actions.
    Conflict,
    /// Ours, no longer in the specs.
    Stale,
    Matches,
    /// Ours, with these columns differing from the specs.
    Drift(Vec<&'static str>),
    /// In the specs, not registered.
    Missing,
}

impl Verdict {
    /// Whether an operator has to act on it.
    pub fn needs_fixing(&self) -> bool {
        !matches!(self, Verdict::NotOurs | Verdict::Matches)
    }

    /// One word for machines (`--format json`).
    pub fn word(&self) -> &'static str {
        match self {
            Verdict::NotOurs => "not_ours",
            Verdict::Conflict => "conflict",
            Verdict::Stale => "stale",
            Verdict::Matches => "matches",
            Verdict::Drift(_) => "drift",
            Verdict::Missing => "missing",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::NotOurs => f.write_str("not ours"),
            Verdict::Conflict => {
                f.write_str("CONFLICT: same name as a spec, not registered by mistral-actions")
            }
            Verdict::Stale => f.write_str(
                "ours, STALE: no longer in the specs (`cargo xtask sql sync` removes it)",
            ),
            Verdict::Matches => f.write_str("ours, matches the specs"),
            Verdict::Drift(columns) => write!(
                f,
                "ours, DRIFT: {} differ from the specs",
                columns.join(", ")
            ),
            Verdict::Missing => f.write_str("MISSING: in the specs, not registered"),
        }
    }
}

/// How one listed action compares with the specs.
pub fn compare(listed: &Value, wanted: Option<&Wanted>) -> Verdict {
    let tags: Vec<&str> = listed["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let ours = tags.contains(&OWNER_TAG);
    let row = match (ours, wanted) {
        (false, None) => return Verdict::NotOurs,
        (false, Some(_)) => return Verdict::Conflict,
        (true, None) => return Verdict::Stale,
        (true, Some(row)) => row,
    };
    let wanted_tags: Vec<String> = serde_json::from_str(&row.tags).unwrap_or_default();
    let mut differs = Vec::new();
    if listed["definition"].as_str() != Some(row.definition.as_str()) {
        differs.push("definition");
    }
    if listed["description"].as_str() != Some(row.description.as_str()) {
        differs.push("description");
    }
    if listed["input"].as_str().filter(|s| !s.is_empty()) != row.input.as_deref() {
        differs.push("input");
    }
    if tags != wanted_tags.iter().map(String::as_str).collect::<Vec<_>>() {
        differs.push("tags");
    }
    if differs.is_empty() {
        Verdict::Matches
    } else {
        Verdict::Drift(differs)
    }
}

/// The verdict on every action that is ours or in the specs (every listed one with `all`),
/// by name.
pub fn verdicts(
    listed: &[Value],
    wanted: &BTreeMap<String, Wanted>,
    all: bool,
) -> BTreeMap<String, Verdict> {
    let mut rows: BTreeMap<String, Verdict> = BTreeMap::new();
    for action in listed {
        let Some(name) = action["name"].as_str() else {
            continue;
        };
        let verdict = compare(action, wanted.get(name));
        if all || verdict != Verdict::NotOurs {
            rows.insert(name.to_string(), verdict);
        }
    }
    for name in wanted.keys() {
        rows.entry(name.clone()).or_insert(Verdict::Missing);
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Wanted {
        Wanted {
            description: "d".into(),
            input: Some("x".into()),
            tags: format!("[\"a\", \"{OWNER_TAG}\"]"),
            definition: "def".into(),
        }
    }

    fn listed(tags: &[&str], description: &str) -> Value {
        json!({"name": "p.a", "tags": tags, "definition": "def", "description": description, "input": "x"})
    }

    #[test]
    fn each_verdict() {
        let r = row();
        assert_eq!(
            compare(&listed(&["a", OWNER_TAG], "d"), Some(&r)),
            Verdict::Matches
        );
        let drift = compare(&listed(&["a", OWNER_TAG], "e"), Some(&r));
        assert_eq!(drift, Verdict::Drift(vec!["description"]));
        assert!(drift.to_string().contains("DRIFT: description") && drift.needs_fixing());
        assert!(compare(&listed(&[], "d"), Some(&r))
            .to_string()
            .starts_with("CONFLICT"));
        assert!(compare(&listed(&[OWNER_TAG], "d"), None)
            .to_string()
            .contains("STALE"));
        assert_eq!(compare(&listed(&[], "d"), None), Verdict::NotOurs);
        assert!(!Verdict::Matches.needs_fixing() && Verdict::Missing.needs_fixing());
    }

    #[test]
    fn unlisted_specs_are_missing_and_others_hidden_unless_all() {
        let wanted = BTreeMap::from([("p.a".to_string(), row()), ("p.b".to_string(), row())]);
        let listed = [
            listed(&["a", OWNER_TAG], "d"),
            json!({"name": "std.echo", "tags": []}),
        ];
        let v = verdicts(&listed, &wanted, false);
        assert_eq!(v.len(), 2);
        assert_eq!(v["p.a"], Verdict::Matches);
        assert_eq!(v["p.b"].word(), "missing");
        assert_eq!(
            verdicts(&listed, &wanted, true)["std.echo"],
            Verdict::NotOurs
        );
    }
}
