//! `cargo xtask sql …` (ready-to-apply registration SQL, the original tool's register /
//! unregister / clear) and `cargo xtask action-list` (what a live Mistral has registered,
//! compared with the specs).

use std::collections::BTreeMap;
use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use codegen::emit::sql::{self, Target};
use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::{Row, OWNER_TAG};
use codegen::Error;
use serde_json::Value;

#[derive(Clone, Copy, ValueEnum)]
pub enum DialectArg {
    Postgresql,
    Mysql,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum GenerationArg {
    PikeToTrain,
    Ussuri,
    VictoriaTo2026,
}

#[derive(Args)]
pub struct TargetArgs {
    /// SQL dialect of Mistral's database.
    #[arg(long, value_enum, default_value_t = DialectArg::Postgresql)]
    dialect: DialectArg,
    /// Shape of action_definitions_v2: pike-to-train (no namespace column), ussuri,
    /// victoria-to-2026 (Victoria and later).
    #[arg(long, value_enum, default_value_t = GenerationArg::VictoriaTo2026)]
    generation: GenerationArg,
}

impl TargetArgs {
    fn target(&self) -> Target {
        Target {
            dialect: match self.dialect {
                DialectArg::Postgresql => Dialect::Postgresql,
                DialectArg::Mysql => Dialect::Mysql,
            },
            generation: match self.generation {
                GenerationArg::PikeToTrain => SchemaGeneration::PikeToTrain,
                GenerationArg::Ussuri => SchemaGeneration::Ussuri,
                GenerationArg::VictoriaTo2026 => SchemaGeneration::VictoriaTo2026,
            },
        }
    }
}

#[derive(Subcommand)]
pub enum SqlCommand {
    /// Print SQL that registers these actions (all by default), or updates them.
    Register {
        /// Replace same-name actions that mistral-actions did not register (they are
        /// deleted). Without it the SQL aborts, changing nothing, if one exists.
        #[arg(long = "override")]
        takeover: bool,
        names: Vec<String>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Print SQL that unregisters these actions (only rows mistral-actions registered).
    Unregister {
        #[arg(required = true)]
        names: Vec<String>,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Print SQL that unregisters every action mistral-actions registered.
    Clear {
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Print SQL that makes the registered actions exactly the specs' (idempotent).
    Sync {
        #[arg(long = "override")]
        takeover: bool,
        #[command(flatten)]
        target: TargetArgs,
    },
    /// Start the PostgreSQL and MariaDB servers the SQL tests use, print their
    /// MA_TEST_*_URL variables and keep them running until Enter is pressed.
    TestDatabases,
}

pub fn run(root: &Path, command: SqlCommand) -> Result<bool, Error> {
    // Only the specs: a broken generated/ must not keep an operator from printing SQL.
    let model = || codegen::spec::load(root).map(|(model, _)| model);
    let text = match command {
        SqlCommand::Register {
            takeover,
            names,
            target,
        } => sql::register(&model()?, &target.target(), &names, takeover)?,
        SqlCommand::Unregister { names, target } => sql::unregister(&target.target(), &names),
        SqlCommand::Clear { target } => sql::clear(&target.target()),
        SqlCommand::Sync { takeover, target } => sql::sync(&model()?, &target.target(), takeover)?,
        SqlCommand::TestDatabases => return test_databases(root),
    };
    print!("{text}");
    Ok(true)
}

fn test_databases(root: &Path) -> Result<bool, Error> {
    let databases = match crate::services::databases::Databases::start(root) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(false);
        }
    };
    for key in [
        crate::services::postgres::URL_ENV,
        crate::services::mariadb::URL_ENV,
    ] {
        println!("export {key}={}", std::env::var(key).unwrap_or_default());
    }
    eprintln!("press Enter to stop the servers");
    let mut line = String::new();
    let _ = std::io::stdin().read_line(&mut line);
    databases.stop();
    Ok(true)
}

/// Options of `cargo xtask action-list`.
#[derive(Args)]
pub struct ActionListArgs {
    /// Mistral's API root (`http://host:8989/v2`). Default: $MISTRAL_URL, else the
    /// `workflowv2` endpoint of the Keystone catalog when $OS_AUTH_URL is set.
    #[arg(long)]
    url: Option<String>,
    /// Show every action, not only ours and those the specs define.
    #[arg(long)]
    all: bool,
}

/// A Keystone token and Mistral's URL, from $OS_* (password auth, v3) if $OS_AUTH_URL is set.
fn keystone(url: Option<String>) -> Result<(Option<String>, String), String> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    let Some(auth_url) = env("OS_AUTH_URL") else {
        let url = url
            .or_else(|| env("MISTRAL_URL"))
            .ok_or("no Mistral URL: pass --url, or set MISTRAL_URL, or OS_AUTH_URL and the other OS_* variables")?;
        return Ok((env("OS_TOKEN"), url));
    };
    let domain = |k: &str| env(k).unwrap_or_else(|| "Default".into());
    let body = serde_json::json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": env("OS_USERNAME").ok_or("OS_USERNAME is not set")?,
            "domain": {"name": domain("OS_USER_DOMAIN_NAME")},
            "password": env("OS_PASSWORD").ok_or("OS_PASSWORD is not set")?,
        }}},
        "scope": {"project": {
            "name": env("OS_PROJECT_NAME").ok_or("OS_PROJECT_NAME is not set")?,
            "domain": {"name": domain("OS_PROJECT_DOMAIN_NAME")},
        }},
    }});
    let endpoint = format!("{}/auth/tokens", auth_url.trim_end_matches('/'));
    let response = ureq::post(&endpoint)
        .set("Content-Type", "application/json")
        .send_string(&body.to_string())
        .map_err(|e| format!("Keystone ({endpoint}): {e}"))?;
    let token = response
        .header("X-Subject-Token")
        .ok_or("Keystone answered without X-Subject-Token")?
        .to_string();
    let catalog: Value = serde_json::from_str(&response.into_string().map_err(|e| e.to_string())?)
        .map_err(|e| format!("Keystone's answer is not JSON: {e}"))?;
    let url = match url.or_else(|| env("MISTRAL_URL")) {
        Some(u) => u,
        None => catalog["token"]["catalog"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| s["type"] == "workflowv2")
            .flat_map(|s| s["endpoints"].as_array().cloned().unwrap_or_default())
            .find(|e| {
                e["interface"]
                    == env("OS_INTERFACE")
                        .unwrap_or_else(|| "public".into())
                        .as_str()
            })
            .and_then(|e| e["url"].as_str().map(str::to_string))
            .ok_or("no workflowv2 endpoint in the Keystone catalog; pass --url")?,
    };
    Ok((Some(token), url))
}

/// Every action Mistral lists, following its `next` links.
fn list_actions(url: &str, token: Option<&str>) -> Result<Vec<Value>, String> {
    let mut next = Some(format!("{}/actions", url.trim_end_matches('/')));
    let mut all = Vec::new();
    while let Some(page) = next.take() {
        let mut request = ureq::get(&page);
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

/// How one listed action compares with the specs.
pub fn compare(listed: &Value, wanted: Option<&Row>) -> String {
    let tags: Vec<&str> = listed["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let ours = tags.contains(&OWNER_TAG);
    match (ours, wanted) {
        (false, None) => "not ours".into(),
        (false, Some(_)) => {
            "CONFLICT: same name as a spec, not registered by mistral-actions".into()
        }
        (true, None) => {
            "ours, STALE: no longer in the specs (`cargo xtask sql sync` removes it)".into()
        }
        (true, Some(row)) => {
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
                MATCHES.into()
            } else {
                format!("ours, DRIFT: {} differ from the specs", differs.join(", "))
            }
        }
    }
}

pub fn action_list(root: &Path, args: ActionListArgs) -> Result<bool, Error> {
    let (model, _) = codegen::spec::load(root)?;
    let wanted: BTreeMap<String, Row> = sql::desired(&model)?;
    let listed =
        match keystone(args.url).and_then(|(token, url)| list_actions(&url, token.as_deref())) {
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
    let bad = rows.values().filter(|v| needs_fixing(v)).count();
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
) -> BTreeMap<String, String> {
    let mut rows: BTreeMap<String, String> = BTreeMap::new();
    for action in listed {
        let Some(name) = action["name"].as_str() else {
            continue;
        };
        let verdict = compare(action, wanted.get(name));
        if all || verdict != "not ours" {
            rows.insert(name.to_string(), verdict);
        }
    }
    for name in wanted.keys() {
        rows.entry(name.clone()).or_insert_with(|| MISSING.into());
    }
    rows
}

const MISSING: &str = "MISSING: in the specs, not registered";
pub const MATCHES: &str = "ours, matches the specs";

/// Whether a verdict is something an operator has to act on.
pub fn needs_fixing(verdict: &str) -> bool {
    verdict.contains("CONFLICT")
        || verdict.contains("DRIFT")
        || verdict.contains("STALE")
        || verdict == MISSING
}

/// `cargo xtask action-list` against the Mistral at `api_root` (`…/v2`), without auth.
pub fn live_verdicts(root: &Path, api_root: &str) -> Result<BTreeMap<String, String>, String> {
    let (model, _) = codegen::spec::load(root).map_err(|e| e.to_string())?;
    let wanted = sql::desired(&model).map_err(|e| e.to_string())?;
    Ok(verdicts(&list_actions(api_root, None)?, &wanted, false))
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
            "ours, matches the specs"
        );
        assert!(compare(&listed(&["a", OWNER_TAG], "e"), Some(&r)).contains("DRIFT: description"));
        assert!(compare(&listed(&[], "d"), Some(&r)).starts_with("CONFLICT"));
        assert!(compare(&listed(&[OWNER_TAG], "d"), None).contains("STALE"));
        assert_eq!(compare(&listed(&[], "d"), None), "not ours");
    }
}
