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
use std::sync::{Arc, OnceLock};

pub use script::{Step, Target};
pub use statements::plain_inserts;

use crate::model::Model;
use crate::output::{content_key, FileSet, Lazy, Wanted};
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

/// The migrations (recorded ones kept, a new one per target when the rows changed),
/// `verify.sql` per target, the state and the integrity file. Everything large is
/// rendered lazily, from rows shared between the files ([`migrations::Rows`]).
pub fn emit(model: &Model, prior: &Prior) -> Result<FileSet, Error> {
    let desired = migrations::Rows::made_from(desired(model)?, &model.digests().actions);
    let mut migrations = FileSet::default();
    let mut checks = FileSet::default();
    let mut counts = BTreeMap::new();
    // The digests every verify.sql lists, taken once for all targets, by whichever
    // renders first.
    let expected = Arc::new(OnceLock::new());
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
        let key = content_key("sql-verify", &(target.dir(), &desired.digest));
        let (rows, expected) = (desired.clone(), expected.clone());
        let path = format!("{}/{}", target.dir(), verify::FILE);
        checks.insert_lazy(
            path,
            Lazy::new(key, move |w| {
                let expected = expected.get_or_init(|| verify::expected_all(&rows.rows));
                w.write_all(verify::render(&target, expected).as_bytes())
            }),
        );
    }
    let mut set = FileSet::default();
    // The sums of kept migrations are known; new ones are hashed as the file is written.
    let listed: Vec<(String, Result<String, Lazy>)> = migrations
        .files
        .iter()
        .map(|(path, wanted)| {
            let sum = match wanted {
                Wanted::Kept(f) => Ok(f.sha256.clone()),
                Wanted::Lazy(l) => Err(l.clone()),
                Wanted::Text(t) => Ok(crate::output::sha256_hex(t.as_bytes())),
            };
            (path.clone(), sum)
        })
        .collect();
    let key = content_key(
        "sql-integrity",
        &listed
            .iter()
            .map(|(p, s)| (p, s.as_ref().unwrap_or_else(|l| &l.key)))
            .collect::<Vec<_>>(),
    );
    // Written after the migrations, whose sums are then known (taken as they were
    // written), so no migration is rendered twice.
    set.insert_lazy(
        SQL_INTEGRITY,
        Lazy::new(key, move |w| {
            let sums = crate::parallel::map(&listed, |(_, sum)| match sum {
                Ok(s) => s.clone(),
                Err(lazy) => lazy.sha256(),
            });
            let paths = listed.iter().map(|(p, _)| p.as_str());
            w.write_all(migrations::render_integrity(paths.zip(sums)).as_bytes())
        })
        .after_others(),
    );
    let key = content_key("sql-state", &(&counts, &desired.digest));
    set.insert_lazy(
        SQL_STATE,
        Lazy::new(key, move |w| {
            migrations::render_state_into(&counts, &desired.rows, w)
        }),
    );
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
