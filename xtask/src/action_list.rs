//! `cargo xtask action-list`: what a live Mistral has registered (`GET /v2/actions`),
//! each of ours and each the specs define with a [`Verdict`].

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use clap::Args;
use codegen::registration::{Row, OWNER_TAG};
use codegen::Error;
use mistral_actions_runtime::openstack::{CloudConfig, OpenStack};
use serde_json::Value;

/// Options of `cargo xtask action-list`.
#[derive(Args)]
pub struct ActionListArgs {
    /// Mistral's API root (`http://host:8989/v2`). Default: $MISTRAL_URL, else the
    /// `workflowv2` endpoint of the Keystone catalog of $OS_CLOUD (clouds.yaml) or of the
    /// cloud the $OS_* variables describe (password, application credential or
    /// $OS_TOKEN; $OS_CACERT or clouds.yaml `cacert` for a private CA).
    #[arg(long)]
    url: Option<String>,
    /// Show every action, not only ours and those the specs define.
    #[arg(long)]
    all: bool,
}

/// Where Mistral is and how to authenticate to it.
pub enum Source {
    /// A cloud (`OS_CLOUD`/clouds.yaml, or `OS_AUTH_URL` and the other `OS_*` variables:
    /// password, application credential or `OS_TOKEN`), through the action server's own
    /// Keystone client: its CA trust, its catalog lookup of `workflowv2`.
    Cloud(Box<CloudConfig>),
    /// Mistral without Keystone (`auth_enable = False`): `--url`/`MISTRAL_URL`, with
    /// `OS_TOKEN` passed as it is when set.
    Plain {
        api_root: String,
        token: Option<String>,
    },
}

impl Source {
    /// From the environment; `url` (`--url`) names Mistral's API root and wins over the
    /// catalog.
    pub fn from_env(url: Option<String>) -> Result<Source, String> {
        Source::from_vars(url, &|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] with `vars` standing for the environment.
    pub fn from_vars(
        url: Option<String>,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Source, String> {
        let env = |k: &str| vars(k).filter(|v| !v.is_empty());
        let url = url.or_else(|| env("MISTRAL_URL"));
        let cloud = CloudConfig::discover(None, &env).map_err(|e| e.to_string())?;
        match cloud {
            Some(mut cloud) => {
                if let Some(url) = url {
                    cloud.endpoint_overrides.insert(MISTRAL.into(), url);
                }
                Ok(Source::Cloud(Box::new(cloud)))
            }
            None => Ok(Source::Plain {
                api_root: url.ok_or(
                    "no Mistral URL: pass --url, or set MISTRAL_URL, or OS_CLOUD (or OS_AUTH_URL and the other OS_* variables) to find it in the Keystone catalog",
                )?,
                token: env("OS_TOKEN"),
            }),
        }
    }

    /// Every action Mistral lists.
    pub fn list(&self) -> Result<Vec<Value>, String> {
        match self {
            Source::Plain { api_root, token } => {
                list_actions(&ureq::Agent::new(), api_root, token.as_deref())
            }
            Source::Cloud(cloud) => {
                let os = OpenStack::new((**cloud).clone()).map_err(|e| e.to_string())?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start an async runtime: {e}"))?;
                runtime
                    .block_on(os.scoped(None, None, &[]).get_all(
                        MISTRAL,
                        "/actions",
                        &[],
                        "actions",
                    ))
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Mistral's service type in the Keystone catalog.
const MISTRAL: &str = "workflowv2";

/// Every action Mistral lists at `api_root` (`…/v2`), following its `next` links (a link
/// back to the page just read ends the walk).
pub fn list_actions(
    agent: &ureq::Agent,
    api_root: &str,
    token: Option<&str>,
) -> Result<Vec<Value>, String> {
    let mut next = Some(format!("{}/actions", api_root.trim_end_matches('/')));
    let mut all = Vec::new();
    while let Some(page) = next.take() {
        let mut request = agent.get(&page);
        if let Some(token) = token {
            request = request.set("X-Auth-Token", token);
        }
        let text = request
            .call()
            .map_err(|e| format!("GET {page}: {e}"))?
            .into_string()
            .map_err(|e| format!("GET {page}: {e}"))?;
        let body: Value =
            serde_json::from_str(&text).map_err(|e| format!("GET {page}: not JSON: {e}"))?;
        all.extend(body["actions"].as_array().cloned().unwrap_or_default());
        next = body["next"]
            .as_str()
            .map(str::to_string)
            .filter(|n| *n != page);
    }
    Ok(all)
}

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
pub fn compare(listed: &Value, wanted: Option<&Row>) -> Verdict {
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

pub fn action_list(root: &Path, args: ActionListArgs) -> Result<bool, Error> {
    let (model, _) = codegen::spec::load(root)?;
    let wanted: BTreeMap<String, Row> = codegen::emit::sql::desired(&model)?;
    let listed = match Source::from_env(args.url).and_then(|source| source.list()) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(false);
        }
    };
    let rows = verdicts(&listed, &wanted, args.all);
    let width = rows.keys().map(|n| n.len()).max().unwrap_or(0);
    for (name, verdict) in &rows {
        println!("{name:width$}  {verdict}");
    }
    let bad = rows.values().filter(|v| v.needs_fixing()).count();
    eprintln!(
        "{} action(s) listed by Mistral; {} of ours to fix",
        listed.len(),
        bad
    );
    Ok(bad == 0)
}

/// The verdict on every action that is ours or in the specs (every listed one with `all`),
/// by name.
pub fn verdicts(
    listed: &[Value],
    wanted: &BTreeMap<String, Row>,
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

/// `cargo xtask action-list` against the Mistral `source` names.
pub fn live_verdicts(root: &Path, source: &Source) -> Result<BTreeMap<String, Verdict>, String> {
    let (model, _) = codegen::spec::load(root).map_err(|e| e.to_string())?;
    let wanted = codegen::emit::sql::desired(&model).map_err(|e| e.to_string())?;
    let listed = source.list()?;
    Ok(verdicts(&listed, &wanted, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Row {
        Row {
            id: "i".into(),
            name: "p.a".into(),
            description: "d".into(),
            input: Some("x".into()),
            tags: format!("[\"a\", \"{OWNER_TAG}\"]"),
            definition: "def".into(),
            spec: "{}".into(),
        }
    }

    fn listed(tags: &[&str], description: &str) -> Value {
        json!({"name": "p.a", "tags": tags, "definition": "def", "description": description, "input": "x"})
    }

    #[test]
    fn verdicts() {
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
}
