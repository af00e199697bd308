//! `cargo harness ci` (what `cargo xtask ci` runs): exactly what CI runs, in order,
//! stopping at the first failure.

use std::cell::RefCell;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result};

use crate::services::databases::Databases;
use crate::services::mistral_for_tests::Mistral;
use crate::services::openstack::OpenStack;
use crate::services::rabbitmq::RabbitMq;

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = crate::cargo(root);
    cmd.args(args);
    cmd
}

/// Runs a step; an error fails it, printed.
fn step(name: &str, run: impl FnOnce() -> Result<bool>) -> bool {
    eprintln!("==> {name}");
    let started = Instant::now();
    let ok = run().unwrap_or_else(|e| {
        eprintln!("error: {e:#}");
        false
    });
    let secs = started.elapsed().as_secs_f32();
    if ok {
        eprintln!("==> {name}: ok ({secs:.1}s)");
    } else {
        eprintln!("==> {name}: FAILED ({secs:.1}s)");
    }
    ok
}

fn status(mut cmd: Command) -> Result<bool> {
    let status = cmd
        .status()
        .with_context(|| format!("cannot run {:?}", cmd.get_program()))?;
    Ok(status.success())
}

/// What ci starts for the tests; fields drop (stop) in declaration order: OpenStack first,
/// the broker and the databases it uses last.
#[derive(Default)]
struct Services {
    mistral: Option<Mistral>,
    openstack: Option<OpenStack>,
    rabbit: Option<RabbitMq>,
    databases: Option<Databases>,
}

/// PostgreSQL and MariaDB for the SQL registration tests (`MA_TEST_*_URL`).
fn start_databases(root: &Path, slot: &RefCell<Services>) -> Result<bool> {
    slot.borrow_mut().databases = Some(Databases::start(root)?);
    Ok(true)
}

/// RabbitMQ (`MA_TEST_RABBITMQ_URL`) and the real OpenStack services on their own vhost
/// (`MA_TEST_OPENSTACK`), both reused by e2e.
fn start_openstack(root: &Path, slot: &RefCell<Services>) -> Result<bool> {
    let mut services = slot.borrow_mut();
    let rabbit = services.rabbit.insert(RabbitMq::start(root)?);
    rabbit.export();
    let databases = services
        .databases
        .as_ref()
        .context("the databases did not start")?;
    let openstack = OpenStack::start(
        root,
        &databases.postgres.url(""),
        &databases.mariadb.url(""),
        services.rabbit.as_ref().expect("just started"),
    )?;
    openstack.export();
    eprintln!("    services resident memory: {} MiB", openstack.rss_mib());
    services.openstack = Some(openstack);
    Ok(true)
}

/// Mistral 23 on that OpenStack, as deployed (`MA_TEST_MISTRAL`), reused by e2e.
fn start_mistral(root: &Path, slot: &RefCell<Services>) -> Result<bool> {
    let mut services = slot.borrow_mut();
    let openstack = services
        .openstack
        .as_ref()
        .context("OpenStack did not start")?;
    let mistral = Mistral::start(
        root,
        &openstack.env_file,
        &services
            .rabbit
            .as_ref()
            .context("RabbitMQ did not start")?
            .transport_url(),
        &services
            .databases
            .as_ref()
            .context("the databases did not start")?
            .postgres
            .url(""),
    )?;
    mistral.export();
    services.mistral = Some(mistral);
    Ok(true)
}

/// Installs a checker's venv and exports its interpreter to the tests.
fn export_venv(root: &Path, venv: &crate::test_venvs::Venv) -> Result<bool> {
    let py = crate::test_venvs::ensure(root, venv)?;
    std::env::set_var(venv.env, &py);
    eprintln!("    {}={}", venv.env, py.display());
    Ok(true)
}

/// A named ci step.
type Step<'a> = (&'a str, Box<dyn FnOnce() -> Result<bool> + 'a>);

/// Never an error: a step's error fails that step, printed.
pub fn run(root: &Path) -> Result<bool> {
    crate::services::process::stop_all_on_interrupt();
    // Started by their step; stopped when ci returns, however it ends.
    let services = RefCell::new(Services::default());
    let generate_check = || {
        let mut cmd = cargo(
            root,
            &["run", "--quiet", "--package", "xtask", "--", "--root"],
        );
        cmd.arg(root).args(["generate", "--check"]);
        status(cmd)
    };
    let steps: [Step; 12] = [
        (
            "rustfmt --check",
            Box::new(|| status(cargo(root, &["fmt", "--all", "--", "--check"]))),
        ),
        (
            "clippy (warnings denied)",
            Box::new(|| {
                status(cargo(
                    root,
                    &[
                        "clippy",
                        "--workspace",
                        "--all-targets",
                        "--quiet",
                        "--",
                        "-D",
                        "warnings",
                    ],
                ))
            }),
        ),
        ("generate --check", Box::new(generate_check)),
        (
            "start databases",
            Box::new(|| start_databases(root, &services)),
        ),
        (
            "start OpenStack (real services)",
            Box::new(|| start_openstack(root, &services)),
        ),
        (
            "mistral venv (MA_MISTRAL_PYTHON for the tests)",
            Box::new(|| crate::services::mistral::export(root).map(|_| true)),
        ),
        (
            "start Mistral (Keystone auth, trusts, periodic task; MA_TEST_MISTRAL)",
            Box::new(|| start_mistral(root, &services)),
        ),
        (
            "OpenAPI validator venv (MA_OPENAPI_PYTHON for the tests)",
            Box::new(|| export_venv(root, &crate::test_venvs::OPENAPI)),
        ),
        (
            "metrics parser venv (MA_METRICS_PYTHON for the tests)",
            Box::new(|| export_venv(root, &crate::test_venvs::METRICS)),
        ),
        (
            "tests",
            Box::new(|| status(cargo(root, &["test", "--workspace", "--no-fail-fast"]))),
        ),
        (
            "package: build, lintian, systemd-analyze, the packaged server (cargo harness dist --check)",
            Box::new(|| crate::dist::run(root, true)),
        ),
        (
            "end to end on a real Mistral and OpenStack (cargo harness e2e)",
            Box::new(|| crate::e2e::run(root)),
        ),
    ];
    for (name, run) in steps {
        if !step(name, run) {
            eprintln!("ci: failed at `{name}`");
            return Ok(false);
        }
    }
    eprintln!("ci: all checks passed");
    Ok(true)
}
