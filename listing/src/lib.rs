//! `action-list`: what a live Mistral has registered (`GET /v2/actions`), each of ours and
//! each the specs define with a [`Verdict`]. One implementation, the operator CLI's
//! `mistral-actions action-list` (rows built into it from `generated/sql/state.json`),
//! which `cargo xtask action-list` runs. Mistral is reached through the one client of the
//! operator CLI, `mistral_actions_deploy::mistral`.

mod verdict;
mod wanted;

use std::collections::BTreeMap;

use clap::{Args, ValueEnum};
use serde_json::{json, Value};

pub use mistral_actions_deploy::mistral::{Client, Source, SERVICE_TYPE as MISTRAL};
pub use verdict::{compare, verdicts, Verdict};
pub use wanted::{from_state_json, Wanted};

/// Options of `action-list`, the same in both command lines.
#[derive(Args, Debug, Default)]
pub struct ActionListArgs {
    /// Mistral's API root (`http://host:8989/v2`). Default: $MISTRAL_URL, else the
    /// `workflowv2` endpoint of the Keystone catalog of $OS_CLOUD (clouds.yaml) or of the
    /// cloud the $OS_* variables describe (password, application credential or
    /// $OS_TOKEN; $OS_CACERT or clouds.yaml `cacert` for a private CA).
    #[arg(long)]
    pub url: Option<String>,
    /// Show every action, not only ours and those the specs define.
    #[arg(long)]
    pub all: bool,
    /// `table` (one line per action) or `json` (a list of {name, verdict, ours_to_fix}).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

#[derive(Clone, Copy, Debug, Default, ValueEnum, PartialEq, Eq)]
pub enum Format {
    #[default]
    Table,
    Json,
}

/// Lists Mistral's actions through `source`, prints each verdict on stdout and a summary
/// on stderr; whether none needs fixing. An error (Mistral or Keystone unreachable,
/// refused) is printed and is a failure.
pub fn run(
    args: &ActionListArgs,
    source: Result<Source, mistral_actions_deploy::Error>,
    wanted: &BTreeMap<String, Wanted>,
) -> bool {
    let listed = match source
        .and_then(|s| Client::connect(&s))
        .and_then(|c| c.list("/actions", &[], "actions"))
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return false;
        }
    };
    let rows = verdicts(&listed, wanted, args.all);
    match args.format {
        Format::Table => {
            let width = rows.keys().map(|n| n.len()).max().unwrap_or(0);
            for (name, verdict) in &rows {
                println!("{name:width$}  {verdict}");
            }
        }
        Format::Json => {
            let list: Vec<Value> = rows
                .iter()
                .map(|(name, v)| {
                    json!({"name": name, "verdict": v.word(), "says": v.to_string(), "needs_fixing": v.needs_fixing()})
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("JSON of strings")
            );
        }
    }
    let bad = rows.values().filter(|v| v.needs_fixing()).count();
    eprintln!(
        "{} action(s) listed by Mistral; {} of ours to fix",
        listed.len(),
        bad
    );
    bad == 0
}
