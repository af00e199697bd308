//! `cargo xtask`: the command line over the `codegen` library, and nothing else: what
//! needs services, an async runtime or an HTTP client (ci, e2e, the package, the
//! operator's `action-list`, `plan` and `apply`) lives in other packages, which [`forward`] runs, so that
//! building the generator compiles none of it.

#[cfg(feature = "mimalloc")]
mod allocator;
mod bench;
mod catalog_diff;
mod completions;
mod report;
mod sql_cmd;

use std::ffi::OsString;
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
    /// Everything CI checks: fmt, clippy, `generate --check`, all tests, the package, e2e
    /// (runs `cargo harness ci`).
    Ci,
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
    /// release build; optionally a sweep over sizes.
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
        /// 1,000 / 10,000 / 50,000 actions (a tenth as many workflows), to show growth.
        #[arg(long)]
        sweep: bool,
        /// Synthesise into DIR and keep it (for profiling) instead of a temporary directory.
        #[arg(long, value_name = "DIR")]
        keep: Option<PathBuf>,
    },
    /// Print ready-to-apply SQL that registers actions in Mistral's database.
    #[command(subcommand)]
    Sql(sql_cmd::SqlCommand),
    /// List the actions a live Mistral has (REST API), marking ours and drift from the specs
    /// (runs the operator CLI's `mistral-actions action-list`; `--help` shows its options).
    #[command(disable_help_flag = true)]
    ActionList {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Show what `apply` would change in a live Mistral, with diffs; exit 0 (nothing), 2
    /// (changes) or 1 (runs `mistral-actions plan --generated <root>/generated`; `--help`
    /// shows its options).
    #[command(disable_help_flag = true)]
    Plan {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Make a live Mistral hold generated/ through its REST API (runs `mistral-actions
    /// apply --generated <root>/generated`; `--help` shows its options).
    #[command(disable_help_flag = true)]
    Apply {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
    /// Check that the cron triggers apply made really fire: each expected slot, its
    /// execution or MISSED; exit 1 on a missed slot or a last run in ERROR (runs
    /// `mistral-actions schedules`; `--help` shows its options).
    #[command(disable_help_flag = true)]
    Schedules {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<OsString>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Table,
    Json,
}

fn main() -> ExitCode {
    #[cfg(feature = "mimalloc")]
    allocator::tune();
    let cli = Cli::parse();
    let command = match cli.command {
        Command::Ci => {
            let mut args: Vec<OsString> = Vec::new();
            if let Some(root) = &cli.root {
                args.extend(["--root".into(), root.clone().into_os_string()]);
            }
            args.push("ci".into());
            return forward("harness", &args);
        }
        Command::ActionList { args } => return forward_cli("action-list", args),
        // Reads Mistral only: no generated tree to pass.
        Command::Schedules { args } => return forward_cli("schedules", args),
        Command::Plan { args } => return forward_deploy(cli.root.as_deref(), "plan", args),
        Command::Apply { args } => return forward_deploy(cli.root.as_deref(), "apply", args),
        command => command,
    };
    let root = cli.root.unwrap_or_else(workspace_root);
    let result = match command {
        Command::Generate { check, strict } => generate_with(&root, check, strict),
        Command::Discover { format } => discover(&root, format),
        Command::Catalog => catalog(&root),
        Command::Completions { shell } => {
            completions::print(shell, Cli::command());
            Ok(true)
        }
        Command::CatalogDiff {
            rev,
            format,
            allow_breaking,
        } => catalog_diff::run(&root, &rev, format, allow_breaking),
        Command::Bench {
            actions,
            workflows,
            runs,
            sweep,
            keep,
        } => bench::run(
            &root,
            &bench::Options {
                actions,
                workflows,
                runs,
                sweep,
                keep,
            },
        ),
        Command::Sql(command) => sql_cmd::run(&root, command),
        Command::Ci
        | Command::ActionList { .. }
        | Command::Plan { .. }
        | Command::Apply { .. }
        | Command::Schedules { .. } => {
            unreachable!("forwarded above")
        }
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

/// `mistral-actions plan|apply --generated <root>/generated <args>`.
fn forward_deploy(root: Option<&Path>, command: &str, args: Vec<OsString>) -> ExitCode {
    let root = root.map_or_else(workspace_root, Path::to_path_buf);
    let generated = root.join(codegen::output::GENERATED_DIR);
    let args: Vec<OsString> = [
        command.into(),
        "--generated".into(),
        generated.into_os_string(),
    ]
    .into_iter()
    .chain(args)
    .collect();
    forward("mistral-actions-cli", &args)
}

/// `mistral-actions <command> <args>`, through [`forward`].
fn forward_cli(command: &str, args: Vec<OsString>) -> ExitCode {
    let args: Vec<OsString> = std::iter::once(command.into()).chain(args).collect();
    forward("mistral-actions-cli", &args)
}

/// Runs `cargo run --quiet --package <package> -- <args>` in this workspace and exits
/// with its status: the commands of `cargo xtask` whose code is another package's (ci,
/// the operator CLI's), without their dependencies compiled into the generator.
fn forward(package: &str, args: &[OsString]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(&cargo)
        .current_dir(workspace_root())
        .args(["run", "--quiet", "--package", package, "--"])
        .args(args)
        .status();
    match status {
        Ok(status) => status
            .code()
            .map_or(ExitCode::FAILURE, |code| ExitCode::from(code as u8)),
        Err(e) => {
            eprintln!(
                "error: cannot run {} for {package}: {e}",
                cargo.to_string_lossy()
            );
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

#[cfg(test)]
mod readme_tests {
    use clap::Parser;

    use crate::Cli;

    fn parse(args: &[String]) -> Result<(), clap::Error> {
        Cli::try_parse_from(std::iter::once("cargo xtask".to_string()).chain(args.iter().cloned()))
            .map(|_| ())
    }

    #[test]
    fn every_command_line_the_readme_shows_is_accepted() {
        let problems =
            xtask::readme_commands::problems(&crate::workspace_root(), "cargo xtask", 20, parse);
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    #[test]
    fn every_generation_and_dialect_the_readme_names_is_accepted() {
        let readme = std::fs::read_to_string(crate::workspace_root().join("README.md")).unwrap();
        for g in codegen::model::SchemaGeneration::ALL {
            assert!(
                readme.contains(g.as_str()),
                "the README names {}",
                g.as_str()
            );
            for d in codegen::model::Dialect::ALL {
                let args: Vec<String> = [
                    "sql",
                    "clear",
                    "--generation",
                    g.as_str(),
                    "--dialect",
                    d.as_str(),
                ]
                .map(String::from)
                .to_vec();
                parse(&args).unwrap_or_else(|e| panic!("{}", e.render()));
            }
        }
    }
}
