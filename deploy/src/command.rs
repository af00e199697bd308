//! `mistral-actions plan` and `apply` (and `cargo xtask plan|apply`, which run them): the
//! options, what is printed, the exit codes.
//!
//! - `plan`: 0 when Mistral holds what the tree asks, 2 when apply would change something,
//!   1 on an error (terraform's `plan -detailed-exitcode`); a foreign resource holding
//!   one of our names is an error.
//! - `apply`: 0 when done (or nothing to do), 1 on an error: nothing is written while a
//!   foreign resource holds one of our names or a value to read when applying is missing;
//!   a failed step stops it, saying what was done and what is left.

use std::path::PathBuf;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use clap::{Args, ValueEnum};

use crate::apply::{self, Report};
use crate::listed::Listed;
use crate::mistral::{Client, Identity, Source};
use crate::plan::{self, render, Kind, Op, Options, Plan};
use crate::secrets::Resolved;
use crate::tree::{self, Tree};
use crate::Error;

/// How actions are registered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Actions {
    /// Through Mistral's API (`/v2/actions`), as ours, in the project: for everyone
    /// without access to Mistral's database.
    #[default]
    Api,
    /// Left to the SQL migrations (`generated/sql/`): neither planned nor pruned here.
    Sql,
}

/// Where Mistral is: the login options `plan`, `apply` and `schedules` share.
#[derive(Args, Debug, Clone, Default)]
pub struct LoginArgs {
    /// Mistral's API root (`http://host:8989/v2`). Default: $MISTRAL_URL, else the
    /// `workflowv2` endpoint of the Keystone catalog of $OS_CLOUD (clouds.yaml) or of the
    /// cloud the $OS_* variables describe (password, application credential or
    /// $OS_TOKEN; $OS_CACERT or clouds.yaml `cacert` for a private CA).
    #[arg(long)]
    pub url: Option<String>,
}

impl LoginArgs {
    /// Logs in and finds Mistral.
    pub fn connect(&self) -> Result<Client, Error> {
        Source::from_env(self.url.clone()).and_then(|s| Client::connect(&s))
    }
}

/// The options of `plan` and `apply`.
#[derive(Args, Debug, Clone)]
pub struct DeployArgs {
    /// The generated tree: a project's generated/ (cargo xtask passes it), or the
    /// packaged one.
    #[arg(long, value_name = "DIR", default_value = tree::PACKAGED)]
    pub generated: PathBuf,
    #[command(flatten)]
    pub login: LoginArgs,
    /// `api`: register the actions through Mistral's API; `sql`: leave them to the SQL
    /// migrations (operators with database access).
    #[arg(long, value_enum, default_value_t = Actions::Api)]
    pub actions: Actions,
    /// Delete what apply made that the specs no longer have (without it, they are
    /// listed and kept).
    #[arg(long)]
    pub prune: bool,
}

/// What planning found, with what apply needs to carry it out.
struct Planned {
    client: Client,
    tree: Tree,
    resolved: Resolved,
    listed: Listed,
    plan: Plan,
}

pub(crate) fn print_errors(errors: &[Error]) {
    for e in errors {
        eprintln!("error: {e}");
    }
}

pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

fn header(client: &Client, tree: &Tree) -> String {
    format!(
        "{}; namespace '{}', scope {}; from {}",
        whom(client),
        tree.settings.namespace,
        tree.settings.scope,
        tree.dir.display()
    )
}

/// Which Mistral, project and user a command acts on: the first line of its output.
pub(crate) fn whom(client: &Client) -> String {
    let who = client.identity();
    let project = match (&who.project_name, &who.project_id) {
        (Some(n), Some(i)) => format!("project {n} ({i})"),
        (None, Some(i)) => format!("project {i}"),
        _ => "no Keystone project".to_string(),
    };
    let user = who
        .user_name
        .as_deref()
        .map(|u| format!(" as {u}"))
        .unwrap_or_default();
    format!("Mistral {}, {project}{user}", client.api_root())
}

/// Reads the tree and the values to read when applying, logs in, lists, plans.
fn plan_from(args: &DeployArgs) -> Result<Planned, Vec<Error>> {
    let with_actions = args.actions == Actions::Api;
    let tree = Tree::read(&args.generated, with_actions).map_err(|e| vec![e])?;
    let resolved = Resolved::read(&tree, &|k| std::env::var(k).ok())?;
    let client = args.login.connect().map_err(|e| vec![e])?;
    let raw = Listed::read(&client, with_actions).map_err(|e| vec![e])?;
    let listed = Listed::of_project(
        raw,
        client.identity().project_id.as_deref(),
        &tree.settings.namespace,
        &|name| tree.actions.contains_key(name),
    )
    .map_err(|e| vec![e])?;
    let plan = plan::plan(
        &tree,
        &resolved,
        &listed,
        &Options {
            prune: args.prune,
            now: now(),
        },
    );
    Ok(Planned {
        client,
        tree,
        resolved,
        listed,
        plan,
    })
}

/// The warnings a plan and an apply both give (stderr).
fn warn(who: &Identity, tree: &Tree, plan: &Plan) {
    let triggers = plan
        .steps
        .iter()
        .filter(|s| s.kind == Kind::Trigger && matches!(s.op, Op::Create | Op::Replace))
        .count();
    if who.is_admin() && triggers > 0 {
        eprintln!(
            "warning: you hold the `admin` role ({}). Each cron trigger this apply creates runs through a Keystone trust with every role of your token, admin included, for as long as it exists. Apply with a dedicated user holding only the roles the workflows need (member), and keep it: its triggers fail once it loses a role.",
            who.roles.join(", ")
        );
    }
    let public = tree.settings.scope == "public"
        || tree.environments.values().any(|e| e.scope == "public")
        || tree.triggers.values().any(|t| t.scope == "public");
    let writes = plan.steps.iter().any(|s| s.op != Op::Delete);
    if public && writes && !who.is_admin() && !who.roles.is_empty() {
        eprintln!(
            "warning: the specs ask for scope public, and you do not hold the `admin` role: Mistral (since March 2026) lets only admins make resources public, so it will refuse (403). Set `scope: private` in specs/project.yaml and regenerate, or apply as an admin."
        );
    }
}

/// Conflicts stop plan and apply: each named, with what to do.
fn report_conflicts(plan: &Plan) -> bool {
    for c in &plan.conflicts {
        match &c.project {
            None => eprintln!(
                "error: {} {} ({}) is not ours (it lacks mistral-actions' mark) and holds a name the specs use: rename or delete it, or rename ours in the specs; nothing was changed",
                c.kind.word(),
                c.name,
                c.id
            ),
            Some(project) => eprintln!(
                "error: {} {} is also project {project}'s public one ({}): Mistral finds environments by name among the project's and every public one, so it would change or delete that one too; rename ours in the specs; nothing was changed",
                c.kind.word(),
                c.name,
                c.id
            ),
        }
    }
    !plan.conflicts.is_empty()
}

/// `plan`: the exit code.
pub fn run_plan(args: &DeployArgs) -> u8 {
    let planned = match plan_from(args) {
        Ok(p) => p,
        Err(errors) => {
            print_errors(&errors);
            return 1;
        }
    };
    print!(
        "{}",
        render::text(&planned.plan, &header(&planned.client, &planned.tree))
    );
    warn(planned.client.identity(), &planned.tree, &planned.plan);
    if report_conflicts(&planned.plan) {
        return 1;
    }
    if planned.plan.changes() {
        2
    } else {
        0
    }
}

/// `apply`: the exit code.
pub fn run_apply(args: &DeployArgs) -> u8 {
    let started = Instant::now();
    let planned = match plan_from(args) {
        Ok(p) => p,
        Err(errors) => {
            print_errors(&errors);
            return 1;
        }
    };
    let Planned {
        client,
        tree,
        resolved,
        listed,
        plan,
    } = planned;
    println!("{}", header(&client, &tree));
    warn(client.identity(), &tree, &plan);
    if report_conflicts(&plan) {
        return 1;
    }
    let summary = render::text(
        &Plan {
            steps: Vec::new(),
            ..plan.clone()
        },
        "",
    );
    for line in summary
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("No changes"))
    {
        println!("{line}");
    }
    if !plan.changes() {
        println!("No changes: Mistral holds what the specs ask.");
        return 0;
    }
    let [c, u, r, d] = plan.counts();
    println!("Applying: {c} to create, {u} to update, {r} to replace, {d} to delete.");
    let ids = listed
        .workflows
        .iter()
        .map(|w| (w.name.clone(), w.id.clone()))
        .collect();
    let report = apply::apply(&client, &tree, &resolved, &plan, ids, &mut |step, secs| {
        println!("  {} ({secs:.2}s)", step.done());
    });
    finish(&report, started)
}

fn finish(report: &Report, started: Instant) -> u8 {
    let secs = started.elapsed().as_secs_f64();
    match &report.failed {
        None => {
            println!(
                "Apply complete in {secs:.1}s: {} step(s), {} write request(s).",
                report.done.len(),
                report.writes
            );
            0
        }
        Some((step, why)) => {
            eprintln!("error: {step} failed: {why}");
            eprintln!(
                "Stopped after {} of {} step(s) ({secs:.1}s); what was done is listed above.",
                report.done.len(),
                report.done.len() + 1 + report.left.len()
            );
            let mut left = vec![step.clone()];
            left.extend(report.left.iter().cloned());
            const SHOWN: usize = 20;
            let more = left.len().saturating_sub(SHOWN);
            left.truncate(SHOWN);
            eprintln!(
                "Left: {}{}",
                left.join(", "),
                if more > 0 {
                    format!(", and {more} more")
                } else {
                    String::new()
                }
            );
            eprintln!("Apply again once fixed: it plans from what Mistral holds and carries on.");
            1
        }
    }
}
