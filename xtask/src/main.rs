//! `cargo xtask`: the command line over the `codegen` library.

mod action_list;
mod allocator;
mod bench;
mod bench_server;
mod catalog_diff;
mod ci;
mod completions;
mod dist;
mod e2e;
mod openstack_cmd;
#[cfg(test)]
mod readme_commands;
mod report;
mod services;
mod sql_cmd;
mod test_venvs;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use codegen::{Change, Error};

/// Generates Mistral actions, SQL registrations, workflows and the Action Catalog from the
/// specs under specs/, into generated/.
#[derive(Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask", version)]
struct Cli {
    /// Project root (holds specs/ and generated/). Defaults to this workspace.
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate the specs and write generated/ (only files whose bytes change).
    Generate {
        /// Write nothing; print a diff per stale file and exit 1 if generated/ is not
        /// exactly what the specs produce.
        #[arg(long)]
        check: bool,
        /// Treat warnings (undeclared `$.var`, deprecated actions, …) as errors.
        #[arg(long)]
        strict: bool,
    },
    /// List the actions the specs define, with their Mistral signatures.
    Discover {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print the Action Catalog (markdown) to stdout.
    Catalog,
    /// Print a shell completion script for `cargo xtask` (bash: `source <(cargo xtask
    /// completions bash)` makes `cargo xtask <TAB>` complete).
    Completions { shell: clap_complete::Shell },
    /// Everything CI checks: fmt, clippy, `generate --check`, all tests.
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
        /// `cargo xtask openstack`).
        #[arg(long)]
        check: bool,
    },
    /// Start the tests' real OpenStack (Keystone, Glance, Cinder, Placement, Nova, Trove)
    /// with its databases and RabbitMQ on loopback; print the variables to use it; keep it
    /// running until Ctrl-C.
    Openstack,
    /// Compare the specs at a git revision with the working tree: actions and inputs
    /// added, removed, retyped; breaking changes fail unless --allow-breaking.
    CatalogDiff {
        /// The base revision (e.g. `origin/main`).
        rev: String,
        #[arg(long, value_enum, default_value_t = catalog_diff::DiffFormat::Markdown)]
        format: catalog_diff::DiffFormat,
        /// Exit 0 even when a change breaks existing workflows.
        #[arg(long)]
        allow_breaking: bool,
    },
    /// Time generate (cold, warm, --check) beside the floor on a synthetic project, with a
    /// release build; optionally the SQL on real databases and a sweep over sizes.
    Bench {
        /// Number of synthetic actions.
        #[arg(long, default_value_t = 10_000)]
        actions: usize,
        /// Number of synthetic workflows (four tasks each).
        #[arg(long, default_value_t = 1_000)]
        workflows: usize,
        /// Runs of each measurement (the median is shown).
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Also apply the newest up migration (and the down) to PostgreSQL and MariaDB,
        /// beside the same rows as 500-row INSERTs.
        #[arg(long)]
        sql: bool,
        /// 1,000 / 10,000 / 50,000 actions (a tenth as many workflows), to show growth.
        #[arg(long)]
        sweep: bool,
        /// Synthesise into DIR and keep it (for profiling) instead of a temporary directory.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
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
    /// Print ready-to-apply SQL that registers actions in Mistral's database.
    #[command(subcommand)]
    Sql(sql_cmd::SqlCommand),
    /// List the actions a live Mistral has (REST API), marking ours and drift from the specs.
    ActionList(action_list::ActionListArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

fn main() -> ExitCode {
    allocator::tune();
    let cli = Cli::parse();
    let root = cli.root.unwrap_or_else(workspace_root);
    let result = match cli.command {
        Command::Generate { check, strict } => generate_with(&root, check, strict),
        Command::Discover { format } => discover(&root, format),
        Command::Catalog => catalog(&root),
        Command::Completions { shell } => {
            completions::print(shell, Cli::command());
            Ok(true)
        }
        Command::Ci => ci::run(&root),
        Command::E2e => e2e::run(&root),
        Command::Dist { check } => dist::run(&root, check),
        Command::Openstack => openstack_cmd::run(&root),
        Command::CatalogDiff {
            rev,
            format,
            allow_breaking,
        } => catalog_diff::run(&root, &rev, format, allow_breaking),
        Command::Bench {
            actions,
            workflows,
            runs,
            sql,
            sweep,
            keep,
        } => bench::run(
            &root,
            &bench::Options {
                actions,
                workflows,
                runs,
                sql,
                sweep,
                keep,
            },
        ),
        Command::BenchServer {
            requests,
            connections,
        } => bench_server::run(&root, requests, connections),
        Command::Sql(command) => sql_cmd::run(&root, command),
        Command::ActionList(args) => action_list::action_list(&root, args),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            if let Error::Spec(diags) = &e {
                report::print(&root, diags);
            } else {
                eprintln!("error: {e}");
            }
            ExitCode::FAILURE
        }
    }
}

pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits in the workspace")
        .to_path_buf()
}

fn load(root: &Path) -> Result<(codegen::Model, codegen::FileSet), Error> {
    load_with(root, false)
}

/// `strict`: warnings fail the run like errors do.
fn load_with(root: &Path, strict: bool) -> Result<(codegen::Model, codegen::FileSet), Error> {
    let (model, warnings, files) = codegen::generate(root)?;
    if strict && !warnings.0.is_empty() {
        return Err(Error::Spec(warnings.strict()));
    }
    if !warnings.0.is_empty() {
        report::print(root, &warnings);
    }
    Ok((model, files))
}

/// Returns whether generated/ is (now) up to date.
pub fn generate(root: &Path, check: bool) -> Result<bool, Error> {
    generate_with(root, check, false)
}

pub fn generate_with(root: &Path, check: bool, strict: bool) -> Result<bool, Error> {
    let (model, files) = load_with(root, strict)?;
    if check {
        let drift = codegen::output::check(root, &files)?;
        for change in &drift {
            match change {
                Change::Updated { diff, .. } => print!("{diff}"),
                Change::Created(p) => println!("missing: generated/{p}"),
                Change::Removed(p) => println!("stale: generated/{p} (no longer produced)"),
                Change::Unowned(p) => println!("extra: generated/{p} (not produced by the specs)"),
            }
        }
        if drift.is_empty() {
            eprintln!(
                "generated/ is up to date ({} actions, {} files)",
                model.actions.len(),
                files.len()
            );
            return Ok(true);
        }
        eprintln!(
            "error: generated/ differs from what the specs produce in {} file(s); run `cargo xtask generate`",
            drift.len()
        );
        return Ok(false);
    }
    let done = codegen::output::apply(root, &files)?;
    for change in &done {
        let verb = match change {
            Change::Created(_) => "created",
            Change::Updated { .. } => "updated",
            Change::Removed(_) => "removed",
            Change::Unowned(_) => continue,
        };
        eprintln!("  {verb} generated/{}", change.path());
    }
    eprintln!(
        "{} actions; {} file(s) changed of {}",
        model.actions.len(),
        done.len(),
        files.len()
    );
    Ok(true)
}

fn discover(root: &Path, format: Format) -> Result<bool, Error> {
    let (model, warnings) = codegen::spec::load(root)?;
    if !warnings.0.is_empty() {
        report::print(root, &warnings);
    }
    match format {
        Format::Json => {
            let list: Vec<_> = model
                .actions
                .iter()
                .map(|a| {
                    serde_json::json!({
                        "name": a.name,
                        "description": a.summary(),
                        "input_str": a.signature(),
                        "spec": a.origin.file,
                    })
                })
                .collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&list).expect("JSON of strings")
            );
        }
        Format::Table => {
            let rows: Vec<[String; 3]> = model
                .actions
                .iter()
                .map(|a| [a.name.clone(), a.summary().to_string(), a.signature()])
                .collect();
            print!("{}", table(["name", "description", "input_str"], &rows));
        }
    }
    Ok(true)
}

/// A boxed text table like the original tool's prettytable output.
fn table(header: [&str; 3], rows: &[[String; 3]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let rule = format!("+{}+\n", widths.map(|w| "-".repeat(w + 2)).join("+"));
    let line = |cells: [&str; 3]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!(" {c}{} ", " ".repeat(w - c.chars().count())))
            .collect();
        format!("|{}|\n", padded.join("|"))
    };
    let mut out = rule.clone();
    out.push_str(&line(header));
    out.push_str(&rule);
    for row in rows {
        out.push_str(&line([&row[0], &row[1], &row[2]]));
    }
    out.push_str(&rule);
    out
}

fn catalog(root: &Path) -> Result<bool, Error> {
    let (_, files) = load(root)?;
    print!(
        "{}",
        files
            .get(codegen::emit::catalog::PATH)
            .expect("the catalog emitter always runs")
    );
    Ok(true)
}
