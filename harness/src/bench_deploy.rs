//! `cargo harness bench-deploy`: `plan` and `apply` of the packaged CLI (release build) at
//! scale against the tests' Mistral 23 (ci's when `MA_TEST_MISTRAL` says where, else
//! started here), beside Mistral's own floor: the same writes sent one after another by a
//! bare HTTP client in the same run. A benchmark, not a test: it prints a table.
//!
//! It works as the test user in a Keystone project of its own (`ma-bench`, made by the
//! admin when missing), and starts and ends by pruning everything apply owns there, so the
//! tests' projects are never touched.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use harness_contract::{MistralEnv, OpenStackEnv, MISTRAL_ENV};
use mistral_actions_deploy::tree::Tree;
use serde_json::{json, Value};

use crate::operator_cli;
use crate::services::mistral_for_tests;
use crate::services::openstack::api::Api;

pub struct Options {
    pub actions: usize,
    pub workflows: usize,
    pub schedules: usize,
}

/// A run of the CLI: its exit code, wall time and what it printed.
struct Run {
    code: i32,
    took: Duration,
    stdout: String,
}

impl Run {
    /// Write requests, as apply's last line reports them (none when nothing changed).
    fn writes(&self) -> Result<usize> {
        if self.stdout.contains("No changes:") {
            return Ok(0);
        }
        let line = self
            .stdout
            .lines()
            .find(|l| l.starts_with("Apply complete"))
            .with_context(|| format!("apply reported no completion:\n{}", self.tail()))?;
        let count = line
            .rsplit(", ")
            .next()
            .and_then(|w| w.split_whitespace().next())
            .and_then(|n| n.parse().ok())
            .with_context(|| format!("no write count in `{line}`"))?;
        Ok(count)
    }

    fn tail(&self) -> String {
        let lines: Vec<&str> = self.stdout.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

pub fn run(root: &Path, opts: &Options) -> Result<bool> {
    crate::services::process::stop_all_on_interrupt();
    let temp = tempfile::tempdir().context("cannot make a temporary directory")?;
    let (project, empty) = (temp.path().join("project"), temp.path().join("empty"));
    synthesise(&project, opts)?;
    fs::create_dir_all(empty.join("specs")).context("cannot make the empty project")?;
    fs::write(empty.join("specs/project.yaml"), PROJECT_YAML)?;
    for dir in [&project, &empty] {
        crate::bench_sql::generate(root, dir)?;
    }
    eprintln!("bench-deploy: building the operator CLI (release)");
    let cli = build_cli(root)?;
    let (_stack, mistral) = services(root)?;
    let os = mistral.openstack()?;
    bench_project(&os)?;
    let cli = Cli { exe: cli, os: &os };

    eprintln!("bench-deploy: emptying the project (apply --prune of an empty tree)");
    cli.ok(&empty, &["apply", "--prune"], 0)?;
    let plan_empty = cli.ok(&project, &["plan"], 2)?;
    eprintln!(
        "bench-deploy: first apply ({} actions, {} workflows, {} schedules)",
        opts.actions, opts.workflows, opts.schedules
    );
    let first = cli.ok(&project, &["apply"], 0)?;
    let plan_applied = cli.ok(&project, &["plan"], 0)?;
    let second = cli.ok(&project, &["apply"], 0)?;
    eprintln!("bench-deploy: pruning it all, then Mistral's floor");
    let prune = cli.ok(&empty, &["apply", "--prune"], 0)?;
    let floor = floor(&os, &mistral, &project.join("generated"))?;
    cli.ok(&empty, &["apply", "--prune"], 0)?;

    let writes = first.writes()?;
    println!(
        "| run ({} actions, {} workflows, {} schedules) | wall | write requests |",
        opts.actions, opts.workflows, opts.schedules
    );
    println!("| --- | --- | --- |");
    let row = |what: &str, took: Duration, writes: String| {
        println!("| {what} | {:.2} s | {writes} |", took.as_secs_f64());
    };
    row("plan, from nothing", plan_empty.took, "0".into());
    row("apply, from nothing", first.took, writes.to_string());
    row(
        "floor: the same writes, one after another, bare client",
        floor.total(),
        floor.writes.to_string(),
    );
    row("plan, once applied", plan_applied.took, "0".into());
    row(
        "apply, once applied",
        second.took,
        second.writes()?.to_string(),
    );
    row(
        "apply --prune of an empty tree (deletes it all)",
        prune.took,
        prune.writes()?.to_string(),
    );
    println!();
    println!(
        "first apply / floor: {:.2}× (floor: actions {:.1} s, workflows {:.1} s, triggers {:.1} s)",
        first.took.as_secs_f64() / floor.total().as_secs_f64(),
        floor.actions.as_secs_f64(),
        floor.workflows.as_secs_f64(),
        floor.triggers.as_secs_f64()
    );
    ensure!(
        second.writes()? == 0,
        "the second apply wrote: {}",
        second.tail()
    );
    Ok(true)
}

const PROJECT_YAML: &str =
    "prefix: bench\nschema_generations: [victoria-to-2026]\ndialects: [postgresql]\n";

/// The synthetic project of `cargo xtask bench` with `schedules` schedules on its
/// workflows, each unique under Mistral's key (workflow, input, pattern).
fn synthesise(dir: &Path, opts: &Options) -> Result<()> {
    ensure!(
        opts.workflows > 0 || opts.schedules == 0,
        "schedules need workflows"
    );
    codegen::synthetic::write(dir, opts.actions, opts.workflows)
        .with_context(|| format!("cannot synthesise a project in {}", dir.display()))?;
    fs::write(dir.join("specs/project.yaml"), PROJECT_YAML)?;
    let mut text = String::from("schedules:\n");
    for i in 0..opts.schedules {
        // Once a year, at distinct minutes: the bench must not fire them.
        text.push_str(&format!(
            "  bench_s{i}:\n    description: Schedule {i} of the bench.\n    workflow: flow{}\n    input: {{thing_id: 0b1f5f4a-2cc1-4c53-9f6e-3d2b1c0a9e8d}}\n    pattern: \"{} {} 1 1 *\"\n",
            i % opts.workflows,
            i % 60,
            (i / 60) % 24
        ));
    }
    fs::create_dir_all(dir.join("specs/schedules"))?;
    fs::write(dir.join("specs/schedules/bench.yaml"), text)?;
    Ok(())
}

fn build_cli(root: &Path) -> Result<PathBuf> {
    let status = crate::cargo(root)
        .args(["build", "--release", "--quiet", "-p", "mistral-actions-cli"])
        .status()
        .context("cannot run cargo")?;
    ensure!(status.success(), "cannot build the operator CLI ({status})");
    Ok(root.join("target/release/mistral-actions"))
}

/// The Mistral of `MA_TEST_MISTRAL`, else the whole stack started here (kept until the
/// returned value is dropped).
fn services(root: &Path) -> Result<(Option<crate::openstack_cmd::Stack>, MistralEnv)> {
    match std::env::var(MISTRAL_ENV).ok().filter(|v| !v.is_empty()) {
        Some(file) => {
            eprintln!("bench-deploy: using the Mistral of {MISTRAL_ENV}={file}");
            Ok((None, MistralEnv::read(Path::new(&file))?))
        }
        None => {
            eprintln!("bench-deploy: no {MISTRAL_ENV}: starting the databases, RabbitMQ, OpenStack and Mistral");
            let stack = crate::openstack_cmd::start_stack(root)?;
            let env = stack.mistral.env.clone();
            Ok((Some(stack), env))
        }
    }
}

/// The bench's own project, where the test user is a member.
const PROJECT: &str = "ma-bench";

/// Makes `PROJECT` (in the test project's domain) and the test user's `member` role in it,
/// as an admin would, unless they exist.
fn bench_project(os: &OpenStackEnv) -> Result<()> {
    let admin = mistral_for_tests::admin_login(os)?;
    let v3 = format!("{}/v3", mistral_for_tests::keystone_root(os));
    let first_id = |listed: Value, what: &str| -> Result<String> {
        listed[what][0]["id"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("Keystone lists no such {what}: {listed}"))
    };
    let domain = first_id(
        admin.get(&format!("{v3}/domains?name={}", os.project.domain_name))?,
        "domains",
    )?;
    let listed = admin.get(&format!("{v3}/projects?name={PROJECT}&domain_id={domain}"))?;
    let project = match first_id(listed, "projects") {
        Ok(id) => id,
        Err(_) => {
            let made = admin.post(
                &format!("{v3}/projects"),
                &json!({"project": {"name": PROJECT, "domain_id": domain}}),
            )?;
            first_id(json!({"projects": [made["project"]]}), "projects")?
        }
    };
    let role = first_id(admin.get(&format!("{v3}/roles?name=member"))?, "roles")?;
    admin.put_empty(&format!(
        "{v3}/projects/{project}/users/{}/roles/{role}",
        os.user.id
    ))
}

struct Cli<'a> {
    exe: PathBuf,
    os: &'a OpenStackEnv,
}

impl Cli<'_> {
    /// Runs `args` on `project`'s generated tree as the test user in the bench's project
    /// (password login from `OS_*`, Mistral from the catalog); an error unless it exits
    /// `code`.
    fn ok(&self, project: &Path, args: &[&str], code: i32) -> Result<Run> {
        let mut cmd = operator_cli::command(&self.exe);
        let os = self.os;
        cmd.args(args)
            .arg("--generated")
            .arg(project.join("generated"))
            .env("OS_AUTH_URL", &os.auth_url)
            .env("OS_USERNAME", &os.user.name)
            .env("OS_PASSWORD", &os.user.password)
            .env("OS_USER_DOMAIN_NAME", &os.user.domain_name)
            .env("OS_PROJECT_NAME", PROJECT)
            .env("OS_PROJECT_DOMAIN_NAME", &os.project.domain_name)
            .env("OS_REGION_NAME", &os.region)
            .env("OS_INTERFACE", &os.interface);
        let started = Instant::now();
        let out = cmd
            .output()
            .with_context(|| format!("cannot run {}", self.exe.display()))?;
        let run = Run {
            code: out.status.code().unwrap_or(-1),
            took: started.elapsed(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        };
        if run.code != code {
            bail!(
                "`mistral-actions {}` exited {} (expected {code}):\n{}\n{}",
                args.join(" "),
                run.code,
                run.tail(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(run)
    }
}

struct Floor {
    actions: Duration,
    workflows: Duration,
    triggers: Duration,
    writes: usize,
}

impl Floor {
    fn total(&self) -> Duration {
        self.actions + self.workflows + self.triggers
    }
}

/// Apply's creates, as one bare client sends them in turn: each action's definition, each
/// workflow's text, each trigger's body with its workflow's id; no reads, no checks.
fn floor(os: &OpenStackEnv, mistral: &MistralEnv, generated: &Path) -> Result<Floor> {
    let tree = Tree::read(generated, true)?;
    let (user, _) = mistral_for_tests::user_login_to(os, PROJECT)?;
    let base = mistral.api_root.trim_end_matches('/');
    let scope = &tree.settings.scope;
    let timed = |send: &mut dyn FnMut(&Api) -> Result<()>| -> Result<Duration> {
        let started = Instant::now();
        send(&user)?;
        Ok(started.elapsed())
    };
    let actions = timed(&mut |api| {
        for a in tree.actions.values() {
            api.post_text(&format!("{base}/actions?scope={scope}"), &a.definition)?;
        }
        Ok(())
    })?;
    let mut ids = std::collections::BTreeMap::new();
    let workflows = timed(&mut |api| {
        for w in tree.workflows.values() {
            let made = api.post_text(&format!("{base}/workflows?scope={scope}"), &w.text)?;
            let id = made
                .pointer("/workflows/0/id")
                .and_then(Value::as_str)
                .with_context(|| format!("no id for workflow {}: {made}", w.name))?;
            ids.insert(w.name.clone(), id.to_string());
        }
        Ok(())
    })?;
    let triggers = timed(&mut |api| {
        for t in tree.triggers.values() {
            let body = json!({
                "name": t.name,
                "pattern": t.pattern,
                "workflow_id": ids[&t.workflow_name],
                "workflow_input": t.workflow_input,
                "workflow_params": t.workflow_params,
                "scope": t.scope,
            });
            api.post(&format!("{base}/cron_triggers"), &body)?;
        }
        Ok(())
    })?;
    Ok(Floor {
        actions,
        workflows,
        triggers,
        writes: tree.actions.len() + tree.workflows.len() + tree.triggers.len(),
    })
}
