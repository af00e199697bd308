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

use std::collections::BTreeMap;

pub use script::{Step, Target};

use crate::model::Model;
use crate::output::FileSet;
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
    crate::parallel::map(&model.actions, |a| {
        Ok((a.name.clone(), registration(&model.project, a)?))
    })
    .into_iter()
    .collect()
}

pub fn emit(model: &Model, prior: &Prior) -> Result<FileSet, Error> {
    let desired = desired(model)?;
    let mut migrations = FileSet::default();
    let mut counts = BTreeMap::new();
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
    }
    let mut set = FileSet::default();
    set.insert(SQL_INTEGRITY, migrations::render_integrity(&migrations));
    set.insert(SQL_STATE, migrations::render_state(counts, desired));
    set.merge_under(DIR, migrations);
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
    steps.extend(chosen.iter().map(|r| Step::Upsert(r)));
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
    let mut steps = vec![Step::Report(listed.clone())];
    steps.extend(listed.iter().map(|n| Step::Delete(n)));
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
    steps.extend(rows.values().map(Step::Upsert));
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
