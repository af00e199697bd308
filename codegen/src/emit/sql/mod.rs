//! SQL that registers the actions in Mistral's own database (`action_definitions_v2`),
//! for every engine and table shape `specs/project.yaml` selects:
//! `generated/sql/<dialect>/<generation>/NNNN_<slug>.{up,down}.sql`, append-only
//! ([`migrations`]), plus the scripts behind `cargo xtask sql …` ([`register`],
//! [`unregister`], [`clear`], [`sync`]).
//!
//! Each script writes [`crate::registration`] rows: the row Mistral writes for an ad-hoc
//! action based on `std.http` that POSTs the input to the action server.

mod literal;
mod migrations;
mod report;
pub mod script;
mod statements;
mod verify;

use std::collections::BTreeMap;

pub use script::{Step, Target};
pub use statements::plain_inserts;

use crate::model::{Action, Model, Project};
use crate::output::{Derived, FileSet, List, Sha256Of};
use crate::prior::{Prior, SQL_INTEGRITY, SQL_STATE};
use crate::registration::{registration, Row};
use crate::Error;

/// Where the migrations go, under `generated/`.
const DIR: &str = "sql";

/// Every target the project selects, in a stable order.
pub fn targets(model: &Model) -> Vec<Target> {
    let mut out = Vec::new();
    for dialect in &model.project.dialects {
        for generation in &model.project.schema_generations {
            out.push(Target {
                dialect: dialect.clone(),
                generation: generation.clone(),
            });
        }
    }
    out
}

/// Our rows as the specs want them, by name.
pub fn desired(model: &Model) -> Result<BTreeMap<String, Row>, Error> {
    rows(&model.project, &model.actions)
}

fn rows(project: &Project, actions: &[Action]) -> Result<BTreeMap<String, Row>, Error> {
    crate::parallel::map(actions, |a| Ok((a.name.clone(), registration(project, a)?)))
        .into_iter()
        .collect()
}

/// What our rows are made from (they are a function of it), so files made of the rows
/// are keyed on it rather than on the rows themselves (tens of MB).
#[derive(serde::Serialize)]
pub(crate) struct RowsSource {
    project: Project,
    actions: List<Action>,
}

/// Our rows as the specs want them, made once, shared by every file that lists them.
pub(crate) type Desired = Derived<RowsSource, Result<BTreeMap<String, Row>, String>>;

fn desired_rows(source: &RowsSource) -> Result<BTreeMap<String, Row>, String> {
    rows(&source.project, &source.actions).map_err(|e| e.to_string())
}

/// The rows of a [`Desired`] that `emit` has checked.
pub(crate) fn rows_of(desired: &Desired) -> &BTreeMap<String, Row> {
    desired
        .get()
        .as_ref()
        .expect("emit checked the rows can be made")
}

/// `verify.sql` of one target.
#[derive(serde::Serialize)]
struct Verify {
    target: Target,
    expected: Derived<Desired, Vec<verify::Expected>>,
}

/// `state.json`.
#[derive(serde::Serialize)]
struct State {
    migrations: BTreeMap<String, u32>,
    rows: Desired,
}

/// The migrations (recorded ones kept, a new one per target when the rows changed),
/// `verify.sql` per target, the state and the integrity file. Everything large is
/// rendered when needed, from rows made once and shared between the files.
pub fn emit(model: &Model, prior: &Prior) -> Result<FileSet, Error> {
    let source = RowsSource {
        project: model.project.clone(),
        actions: List::of(&model.actions),
    };
    let desired: Desired = Derived::new(source, desired_rows);
    if let Err(message) = desired.get() {
        return Err(Error::State(message.clone()));
    }
    let mut migrations = FileSet::default();
    let mut checks = FileSet::default();
    let mut counts = BTreeMap::new();
    // The digests every verify.sql lists, taken once for all targets, when first needed.
    let expected = Derived::new(desired.clone(), |d| verify::expected_all(rows_of(d)));
    for target in targets(model) {
        let n = migrations::extend(
            &target,
            &prior.sql_state,
            &prior.sql_migrations,
            &desired,
            model.project.sql_takeover,
            &mut migrations,
        )?;
        counts.insert(target.dir(), n);
        // Rewritten whenever the specs change: not a migration, not in the integrity file.
        let path = format!("{}/{}", target.dir(), verify::FILE);
        let inputs = Verify {
            target,
            expected: expected.clone(),
        };
        checks.render(path, inputs, |v, w| {
            w.write_all(verify::render(&v.target, v.expected.get()).as_bytes())
        });
    }
    let mut set = FileSet::default();
    // Kept migrations' sums are known; new ones are taken as the files are written, and
    // the list is written after them, so no migration is rendered twice.
    let paths: Vec<String> = migrations.paths().map(str::to_string).collect();
    let listed: Vec<(String, Sha256Of)> = paths
        .into_iter()
        .map(|path| {
            let sum = migrations.sha256_of(&path);
            (path, sum)
        })
        .collect();
    set.render_after_others(SQL_INTEGRITY, listed, |listed, w| {
        let sums = crate::parallel::map(listed, |(_, sum)| sum.get());
        let paths = listed.iter().map(|(p, _)| p.as_str());
        w.write_all(migrations::render_integrity(paths.zip(sums)).as_bytes())
    });
    let state = State {
        migrations: counts,
        rows: desired,
    };
    set.render(SQL_STATE, state, |s, w| {
        migrations::render_state_into(&s.migrations, rows_of(&s.rows), w)
    });
    set.merge_under(DIR, migrations);
    set.merge_under(DIR, checks);
    Ok(set)
}

fn command_header(target: &Target, what: String, names: &[&str]) -> Vec<String> {
    let mut h = vec![
        format!("Printed by `cargo xtask sql`: {what}"),
        format!("For {}.", target.describe()),
    ];
    if !names.is_empty() {
        h.push("Actions:".into());
        h.extend(names.iter().map(|n| format!("  {n}")));
    }
    h.push(format!("Apply: {}", target.apply_command("FILE.sql")));
    h.push("One transaction; only rows tagged \"mistral-actions:managed\" are changed.".into());
    h
}

fn select<'a>(
    model: &Model,
    rows: &'a BTreeMap<String, Row>,
    names: &[String],
) -> Result<Vec<&'a Row>, Error> {
    if names.is_empty() {
        return Ok(rows.values().collect());
    }
    let unknown: Vec<&str> = names
        .iter()
        .filter(|n| !rows.contains_key(*n))
        .map(String::as_str)
        .collect();
    if !unknown.is_empty() {
        return Err(Error::Usage(format!(
            "no such action in the specs: {} ({} actions defined under specs/actions)",
            unknown.join(", "),
            model.actions.len()
        )));
    }
    Ok(names.iter().map(|n| &rows[n]).collect())
}

fn guard<'a>(names: &[&'a str], takeover: bool) -> Vec<Step<'a>> {
    if names.is_empty() {
        return Vec::new();
    }
    vec![Step::Guard {
        names: names.to_vec(),
        takeover,
    }]
}

/// `sql register [--override] [NAME…]`: insert or update these actions (all by default).
pub fn register(
    model: &Model,
    target: &Target,
    names: &[String],
    takeover: bool,
) -> Result<String, Error> {
    let rows = desired(model)?;
    let chosen = select(model, &rows, names)?;
    let listed: Vec<&str> = chosen.iter().map(|r| r.name.as_str()).collect();
    let mut steps = guard(&listed, takeover);
    steps.push(Step::Upsert(chosen));
    let what = format!(
        "register {} action(s){}.",
        listed.len(),
        if takeover {
            ", taking over same-name actions of others (--override)"
        } else {
            ""
        }
    );
    Ok(script::render(
        target,
        &command_header(target, what, &listed),
        &steps,
    ))
}

/// `sql unregister NAME…`: delete our rows of these names (other rows stay).
pub fn unregister(target: &Target, names: &[String]) -> String {
    let listed: Vec<&str> = names.iter().map(String::as_str).collect();
    let steps = [Step::Report(listed.clone()), Step::Delete(listed.clone())];
    let what = format!("unregister {} action(s).", listed.len());
    script::render(target, &command_header(target, what, &listed), &steps)
}

/// `sql clear`: delete every row of ours.
pub fn clear(target: &Target) -> String {
    let what = "unregister every action registered by mistral-actions.".to_string();
    script::render(
        target,
        &command_header(target, what, &[]),
        &[Step::DeleteOursExcept(Vec::new())],
    )
}

/// `sql sync`: make our rows exactly the specs' (register, update, unregister the rest).
pub fn sync(model: &Model, target: &Target, takeover: bool) -> Result<String, Error> {
    let rows = desired(model)?;
    let listed: Vec<&str> = rows.keys().map(String::as_str).collect();
    let mut steps = guard(&listed, takeover);
    steps.push(Step::DeleteOursExcept(listed.clone()));
    steps.push(Step::Upsert(rows.values().collect()));
    let what = format!(
        "make the registered actions exactly the {} of the specs.",
        listed.len()
    );
    Ok(script::render(
        target,
        &command_header(target, what, &listed),
        &steps,
    ))
}
