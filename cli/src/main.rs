//! `mistral-actions`: what an operator runs beside the packaged server, with no toolchain
//! and no source tree. `plan` and `apply` make a Mistral hold what a generated tree asks
//! (the packaged one by default), through its REST API; `action-list` compares Mistral's
//! rows with the rows built into this binary; `config check` loads a server configuration
//! with the server's own code and tries its Keystone login; `token new` writes a bearer
//! token file.

mod config_check;
mod envfile;
mod token;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use mistral_actions_deploy::{DeployArgs, SchedulesArgs};
use mistral_actions_listing::{ActionListArgs, Source};

/// The operator's command line for mistral-actions-server.
#[derive(Parser)]
#[command(name = "mistral-actions", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show what `apply` would change in Mistral (environments, actions, workflows, cron
    /// triggers), with diffs, secrets redacted; exit 0 when nothing, 2 when something, 1
    /// on an error.
    Plan(DeployArgs),
    /// Make Mistral hold what the generated tree asks: create, update, replace (cron
    /// triggers) and, with --prune, delete what mistral-actions made; never touches
    /// others' resources; stops before any write when one holds our names.
    Apply(DeployArgs),
    /// Check that the cron triggers `apply` made really fire: each slot their patterns
    /// expected, the execution it started or MISSED; exit 1 on a missed slot or a last run
    /// in ERROR (or on an error), 0 otherwise.
    ///
    /// For each cron trigger carrying mistral-actions' mark (its other triggers are left
    /// out): its pattern and next fire, every slot croniter expects within --window since
    /// the trigger was created, and the execution each fire started (Mistral names the
    /// trigger in the execution's description; a fire may start up to 2 s early, or late
    /// after downtime) with its state. A slot with no execution 60 s after it is MISSED: a
    /// fire Mistral fails to start (missing environment, broken trust, bad input) leaves no
    /// row and still advances the next fire time, so only counting slots notices it.
    /// Never shows a trigger's input or environment.
    Schedules(SchedulesArgs),
    /// List the actions a live Mistral has (REST API), marking ours and drift from the
    /// rows this release registers; exit 1 if any of ours needs fixing.
    ActionList(ActionListArgs),
    /// The server's configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Bearer tokens.
    #[command(subcommand)]
    Token(TokenCommand),
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Load a server configuration as the server does (the file, MISTRAL_ACTIONS_* and
    /// OS_* variables, clouds.yaml, token files, TLS), try its Keystone login, print what
    /// the server would use, secrets redacted; exit 1 naming each problem.
    Check {
        /// The server's configuration file.
        #[arg(long, value_name = "FILE", default_value = config_check::DEFAULT_CONFIG)]
        config: PathBuf,
        /// Check with only the variables of FILE (systemd `EnvironmentFile=` syntax), as
        /// the packaged service sees them, instead of this shell's environment.
        #[arg(long, value_name = "FILE")]
        env_file: Option<PathBuf>,
        /// Do not log in to Keystone.
        #[arg(long)]
        offline: bool,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Write a new random bearer token (256 bits, hex) to FILE with mode 0600, replacing
    /// the file atomically and keeping its owner; `-` prints it instead. The server takes
    /// a replaced token file on SIGHUP or by itself within seconds.
    New {
        #[arg(value_name = "FILE", default_value = token::DEFAULT_FILE)]
        file: PathBuf,
    },
}

/// The registrations this release's migrations leave in Mistral, built in.
const STATE_JSON: &str = include_str!("../../generated/sql/state.json");

fn main() -> ExitCode {
    let ok = match Cli::parse().command {
        Command::Plan(args) => return ExitCode::from(mistral_actions_deploy::run_plan(&args)),
        Command::Apply(args) => return ExitCode::from(mistral_actions_deploy::run_apply(&args)),
        Command::Schedules(args) => {
            return ExitCode::from(mistral_actions_deploy::run_schedules(&args))
        }
        Command::ActionList(args) => match mistral_actions_listing::from_state_json(STATE_JSON) {
            Ok(wanted) => {
                mistral_actions_listing::run(&args, Source::from_env(args.url.clone()), &wanted)
            }
            Err(e) => {
                eprintln!("error: {e}");
                false
            }
        },
        Command::Config(ConfigCommand::Check {
            config,
            env_file,
            offline,
        }) => config_check::run(&config, env_file.as_deref(), !offline),
        Command::Token(TokenCommand::New { file }) => token::new(&file),
    };
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    /// `mistral-actions …` as the README shows it, in shell blocks and code spans;
    /// `[FILE]` is an optional argument, left out.
    fn readme_command_lines() -> Vec<String> {
        let readme = include_str!("../../README.md");
        let mut lines = Vec::new();
        let mut in_shell = false;
        for line in readme.lines() {
            let trimmed = line.trim_start();
            if trimmed.starts_with("```") {
                in_shell = !in_shell && trimmed.trim_start_matches('`').starts_with("sh");
                continue;
            }
            let candidates: Vec<&str> = if in_shell {
                vec![trimmed.split(" #").next().unwrap_or_default()]
            } else {
                line.split('`').skip(1).step_by(2).collect()
            };
            for c in candidates {
                if c.starts_with("mistral-actions ") {
                    let words: Vec<&str> = c
                        .split_whitespace()
                        .filter(|w| !(w.starts_with('[') && w.ends_with(']')))
                        .collect();
                    lines.push(words.join(" "));
                }
            }
        }
        lines
    }

    #[test]
    fn every_command_line_the_readme_shows_is_accepted() {
        let lines = readme_command_lines();
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("mistral-actions config check"))
                && lines
                    .iter()
                    .any(|l| l.starts_with("mistral-actions action-list")),
            "the README shows the operator's commands: {lines:?}"
        );
        for line in &lines {
            if let Err(e) = super::Cli::try_parse_from(line.split_whitespace()) {
                panic!("README: `{line}` is refused:\n{e}");
            }
        }
    }

    #[test]
    fn the_built_in_rows_parse() {
        let rows = mistral_actions_listing::from_state_json(super::STATE_JSON).unwrap();
        assert_eq!(rows.len(), mistral_actions::ACTIONS.len());
    }
}
