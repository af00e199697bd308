//! `cargo xtask sql …`: ready-to-apply registration SQL (the original tool's register /
//! unregister / clear).

use std::path::Path;

use clap::builder::PossibleValue;
use clap::{Args, Subcommand, ValueEnum};
use codegen::emit::sql::{self, Target};
use codegen::model::{Dialect, SchemaGeneration};
use codegen::Error;

/// A dialect as `specs/project.yaml` and the README name it.
#[derive(Clone)]
pub struct DialectArg(Dialect);

/// A schema generation as `specs/project.yaml` and the README name it
/// (`victoria-to-2026`; clap's own spelling of a variant would be `victoria-to2026`).
#[derive(Clone)]
pub struct GenerationArg(SchemaGeneration);

impl ValueEnum for DialectArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [DialectArg; 2] = [DialectArg(Dialect::Postgresql), DialectArg(Dialect::Mysql)];
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

impl ValueEnum for GenerationArg {
    fn value_variants<'a>() -> &'a [Self] {
        const ALL: [GenerationArg; 3] = [
            GenerationArg(SchemaGeneration::PikeToTrain),
            GenerationArg(SchemaGeneration::Ussuri),
            GenerationArg(SchemaGeneration::VictoriaTo2026),
        ];
        &ALL
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.as_str()))
    }
}

#[derive(Args)]
pub struct TargetArgs {
    /// SQL dialect of Mistral's database.
    #[arg(long, value_enum, default_value = "postgresql")]
    dialect: DialectArg,
    /// Shape of action_definitions_v2: pike-to-train (no namespace column), ussuri,
    /// victoria-to-2026 (Victoria and later).
    #[arg(long, value_enum, default_value = "victoria-to-2026")]
    generation: GenerationArg,
}

impl TargetArgs {
    fn target(&self) -> Target {
        Target {
            dialect: self.dialect.0.clone(),
            generation: self.generation.0.clone(),
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
        SqlCommand::Unregister { names, target } => {
            if let Some(bad) = names.iter().find(|n| n.chars().any(char::is_control)) {
                return Err(Error::Usage(format!(
                    "not an action name (control character): {bad:?}"
                )));
            }
            eprint!("{}", unregister_note(root, &names));
            sql::unregister(&target.target(), &names)
        }
        SqlCommand::Clear { target } => sql::clear(&target.target()),
        SqlCommand::Sync { takeover, target } => sql::sync(&model()?, &target.target(), takeover)?,
    };
    print!("{text}");
    Ok(true)
}

/// What `sql unregister` will and will not touch, said before the SQL (on stderr, so the
/// SQL can be piped); the script itself says per name what it did when it runs.
fn unregister_note(root: &Path, names: &[String]) -> String {
    let specs: Option<Vec<String>> = codegen::spec::load(root)
        .ok()
        .map(|(model, _)| model.actions.iter().map(|a| a.name.clone()).collect());
    let mut note = String::from(
        "sql unregister: removes the row of each name below that mistral-actions registered \
         (tagged \"mistral-actions:managed\"); a row of the same name that someone else \
         registered is left alone. Applied, the script lists each name as `removed`, \
         `left alone` or `NOT FOUND`.\n",
    );
    for name in names {
        let what = match &specs {
            Some(s) if s.contains(name) => "an action of the specs: its row is removed",
            Some(_) => "not an action of the specs: removed only if mistral-actions registered it before (an earlier version of the specs); another's row is left alone",
            None => "removed if mistral-actions registered it (the specs did not load, so not checked against them)",
        };
        note.push_str(&format!("  {name}: {what}\n"));
    }
    note
}
