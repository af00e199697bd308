//! `cargo xtask ci`: exactly what CI runs, in order, stopping at the first failure.

use std::cell::RefCell;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

use codegen::Error;

use crate::services::databases::Databases;
use crate::services::openstack::OpenStack;
use crate::services::rabbitmq::RabbitMq;

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

fn step(name: &str, run: impl FnOnce() -> Result<bool, Error>) -> Result<bool, Error> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let ok = run()?;
    let secs = started.elapsed().as_secs_f32();
    if ok {
        eprintln!("==> {name}: ok ({secs:.1}s)");
    } else {
        eprintln!("==> {name}: FAILED ({secs:.1}s)");
    }
    Ok(ok)
}

fn status(mut cmd: Command) -> Result<bool, Error> {
    let status = cmd.status().map_err(|source| Error::Io {
        path: "cargo".into(),
        source,
    })?;
    Ok(status.success())
}

/// What ci starts for the tests; fields drop (stop) in declaration order: OpenStack first,
/// the broker and the databases it uses last.
#[derive(Default)]
struct Services {
    openstack: Option<OpenStack>,
    rabbit: Option<RabbitMq>,
    databases: Option<Databases>,
}

/// PostgreSQL and MariaDB for the SQL registration tests (`MA_TEST_*_URL`).
fn start_databases(root: &Path, slot: &RefCell<Services>) -> Result<bool, Error> {
    setup(Databases::start(root).map(|d| slot.borrow_mut().databases = Some(d)))
}

/// RabbitMQ (`MA_TEST_RABBITMQ_URL`) and the real OpenStack services on their own vhost
/// (`MA_TEST_OPENSTACK`), both reused by e2e.
fn start_openstack(root: &Path, slot: &RefCell<Services>) -> Result<bool, Error> {
    let mut services = slot.borrow_mut();
    let started = RabbitMq::start(root).and_then(|rabbit| {
        rabbit.export();
        let databases = services
            .databases
            .as_ref()
            .ok_or("the databases did not start")?;
        let openstack = OpenStack::start(
            root,
            &databases.postgres.url(""),
            &databases.mariadb.url(""),
            &rabbit,
        );
        services.rabbit = Some(rabbit);
        openstack
    });
    setup(started.map(|openstack| {
        openstack.export();
        eprintln!("    services resident memory: {} MiB", openstack.rss_mib());
        services.openstack = Some(openstack);
    }))
}

/// Installs a checker's venv and exports its interpreter to the tests.
fn export_venv(root: &Path, venv: &crate::test_venvs::Venv) -> Result<(), String> {
    let py = crate::test_venvs::ensure(root, venv)?;
    std::env::set_var(venv.env, &py);
    eprintln!("    {}={}", venv.env, py.display());
    Ok(())
}

/// A step that installs or starts something: its error is printed and the step fails.
fn setup<T>(result: Result<T, String>) -> Result<bool, Error> {
    match result {
        Ok(_) => Ok(true),
        Err(e) => {
            eprintln!("error: {e}");
            Ok(false)
        }
    }
}

/// A named ci step.
type Step<'a> = (&'a str, Box<dyn FnOnce() -> Result<bool, Error> + 'a>);

pub fn run(root: &Path) -> Result<bool, Error> {
    crate::services::process::stop_all_on_interrupt();
    // Started by their step; stopped when ci returns, however it ends.
    let services = RefCell::new(Services::default());
    let steps: [Step; 11] = [
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
        ("generate --check", Box::new(|| crate::generate(root, true))),
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
            Box::new(|| setup(crate::services::mistral::export(root))),
        ),
        (
            "OpenAPI validator venv (MA_OPENAPI_PYTHON for the tests)",
            Box::new(|| setup(export_venv(root, &crate::test_venvs::OPENAPI))),
        ),
        (
            "metrics parser venv (MA_METRICS_PYTHON for the tests)",
            Box::new(|| setup(export_venv(root, &crate::test_venvs::METRICS))),
        ),
        (
            "tests",
            Box::new(|| status(cargo(root, &["test", "--workspace"]))),
        ),
        (
            "package: build, lintian, systemd-analyze, the packaged server (cargo xtask dist --check)",
            Box::new(|| crate::dist::run(root, true)),
        ),
        (
            "end to end on a real Mistral and OpenStack (cargo xtask e2e)",
            Box::new(|| crate::e2e::run(root)),
        ),
    ];
    for (name, run) in steps {
        if !step(name, run)? {
            eprintln!("ci: failed at `{name}`");
            return Ok(false);
        }
    }
    eprintln!("ci: all checks passed");
    Ok(true)
}
