//! `cargo xtask sql …`: ready-to-apply registration SQL (the original tool's register /
//! unregister / clear).

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use codegen::emit::sql::{self, Target};
use codegen::model::{Dialect, SchemaGeneration};
use codegen::Error;

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
