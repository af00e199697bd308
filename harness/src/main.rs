//! `cargo harness`: everything around the generator that needs real parts. It installs and
//! starts the services the tests use (PostgreSQL, MariaDB, RabbitMQ, the real OpenStack,
//! Mistral, HAProxy), runs the end-to-end chain and the package checks, measures on real
//! parts, and runs ci. The generator's own command line is `cargo xtask`, kept apart so
//! that building it compiles none of this (no async runtime, no HTTP stack).

mod bench_deploy;
mod bench_server;
mod bench_sql;
mod ci;
mod dist;
mod e2e;
mod openstack_cmd;
mod operator_cli;
#[cfg(test)]
mod readme_commands;
mod services;
mod test_databases;
mod test_venvs;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Starts the services the tests need, runs the end-to-end chain, builds and checks the
/// Debian package, benchmarks on real parts, and runs ci.
#[derive(Parser)]
#[command(name = "cargo harness", bin_name = "cargo harness", version)]
struct Cli {
    /// Project root (holds specs/ and generated/). Defaults to this workspace.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything CI checks: fmt, clippy, `generate --check`, all tests, the package, e2e
    /// (what `cargo xtask ci` runs).
    Ci,
    /// End to end on a real Mistral with Keystone auth and the real OpenStack (ci's, or
    /// started here): our SQL and action server, the generated workflows run with a
    /// user's token on real resources; stops all it started.
    E2e,
    /// Build the Debian package (release binaries built here, the hardened systemd unit,
    /// the commented configuration, the migrations and catalog) into target/dist/.
    Dist {
        /// Also run lintian, systemd-analyze verify/security, and the packaged server
        /// unpacked into a scratch root (needs the tests' OpenStack: run in ci or after
        /// `cargo harness openstack`).
        #[arg(long)]
        check: bool,
    },
    /// Start the tests' real OpenStack (Keystone, Glance, Cinder, Placement, Nova, Trove)
    /// with its databases and RabbitMQ on loopback; print the variables to use it; keep it
    /// running until Ctrl-C.
    Openstack,
    /// Start the PostgreSQL and MariaDB servers the SQL tests use, print their
    /// MA_TEST_*_URL variables and keep them running until Enter is pressed.
    TestDatabases,
    /// Throughput and added latency of the action server against the stub OpenStack
    /// (release builds, loopback).
    BenchServer {
        /// Sequential requests per latency measurement.
        #[arg(long, default_value_t = 5_000)]
        requests: usize,
        /// Concurrent connections for the throughput measurement.
        #[arg(long, default_value_t = 8)]
        connections: usize,
    },
    /// `plan` and `apply` of the operator CLI (release) on a synthetic project against
    /// the tests' Mistral (`MA_TEST_MISTRAL`, else started here), beside the same writes
    /// sent by a bare client; works in (and prunes) a project of its own, `ma-bench`.
    BenchDeploy {
        /// Number of synthetic actions.
        #[arg(long, default_value_t = 1_000)]
        actions: usize,
        /// Number of synthetic workflows (four tasks each).
        #[arg(long, default_value_t = 100)]
        workflows: usize,
        /// Number of schedules (cron triggers) on those workflows.
        #[arg(long, default_value_t = 100)]
        schedules: usize,
    },
    /// The newest up migration of a synthetic project applied to PostgreSQL and MariaDB
    /// (the down too), beside the same rows as 500-row INSERTs.
    BenchSql {
        /// Number of synthetic actions.
        #[arg(long, default_value_t = 10_000)]
        actions: usize,
        /// Number of synthetic workflows (four tasks each).
        #[arg(long, default_value_t = 1_000)]
        workflows: usize,
        /// Runs of each measurement (the median is shown).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Synthesise into DIR and keep it instead of a temporary directory.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Ci => ci::run(&root),
        Command::E2e => e2e::run(&root),
        Command::Dist { check } => dist::run(&root, check),
        Command::Openstack => openstack_cmd::run(&root),
        Command::TestDatabases => test_databases::run(&root),
        Command::BenchServer {
            requests,
            connections,
        } => bench_server::run(&root, requests, connections),
        Command::BenchDeploy {
            actions,
            workflows,
            schedules,
        } => bench_deploy::run(
            &root,
            &bench_deploy::Options {
                actions,
                workflows,
                schedules,
            },
        ),
        Command::BenchSql {
            actions,
            workflows,
            runs,
            keep,
        } => bench_sql::run(
            &root,
            &bench_sql::Options {
                actions,
                workflows,
                runs,
                keep,
            },
        ),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness sits in the workspace")
        .to_path_buf()
}

/// `cargo <args>` in `root`, with the cargo that runs this (ci's steps, the builds of
/// the release binaries and the generator).
pub fn cargo(root: &Path) -> std::process::Command {
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root);
    cmd
}
