//! The plan: what apply would change to make Mistral hold what the tree asks, computed
//! from the tree and the listings alone (no request), so it is tested without a server.
//!
//! Steps come in the order apply runs them: creates and updates in dependency order
//! (environments, actions, workflows), then the cron triggers (deletes first, so a
//! renamed schedule does not collide with its old self in Mistral's unique key; then
//! replaces; then creates), then deletes in reverse order (workflows, actions,
//! environments). Only resources carrying our marks are changed; a foreign resource
//! holding one of the tree's names is a [`Foreign`] conflict, and apply writes nothing
//! while there is one.

mod compare;
pub mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

pub use compare::{environment_variables, usable_first_time, FIRST_TIME_MARGIN};

use crate::listed::Listed;
use crate::secrets::Resolved;
use crate::tree::Tree;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Environment,
    Action,
    Workflow,
    Trigger,
}

impl Kind {
    pub fn word(self) -> &'static str {
        match self {
            Kind::Environment => "environment",
            Kind::Action => "action",
            Kind::Workflow => "workflow",
            Kind::Trigger => "cron trigger",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    Update,
    /// Delete, then create (cron triggers: Mistral has no update for them).
    Replace,
    Delete,
}

/// One difference, as a plan shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A definition: Mistral's text, the tree's text and the tree's file.
    Text {
        old: String,
        new: String,
        file: String,
    },
    /// A field: as Mistral has it and as the tree wants it, shown (`None`: absent).
    Field {
        field: String,
        old: Option<String>,
        new: Option<String>,
    },
    Note(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    pub op: Op,
    pub kind: Kind,
    pub name: String,
    /// Mistral's id of the resource changed (none for a create).
    pub id: Option<String>,
    pub changes: Vec<Change>,
}

impl Step {
    /// `create workflow flow`, as progress and reports say it.
    pub fn describe(&self) -> String {
        format!("{} {} {}", self.op.word(), self.kind.word(), self.name)
    }

    /// `created workflow flow`, once done.
    pub fn done(&self) -> String {
        format!("{}d {} {}", self.op.word(), self.kind.word(), self.name)
    }
}

impl Op {
    pub fn word(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Replace => "replace",
            Op::Delete => "delete",
        }
    }
}

/// A resource someone else made holding a name of the tree: in the project without our
/// mark, or (environments, which Mistral finds by name) another project's public one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    /// The other project, for another project's public environment.
    pub project: Option<String>,
}

/// Ours, dropped by the tree, that `--prune` leaves, and why: a workflow cron triggers
/// that stay use; an environment another project's public one shares a name with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    pub kind: Kind,
    pub name: String,
    pub id: String,
    pub why: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
    pub conflicts: Vec<Foreign>,
    /// Ours, not in the tree, left without `--prune`.
    pub kept: Vec<(Kind, String)>,
    pub blocked: Vec<Blocked>,
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether apply would write anything.
    pub fn changes(&self) -> bool {
        !self.steps.is_empty()
    }

    /// How many steps of each op: (create, update, replace, delete).
    pub fn counts(&self) -> [usize; 4] {
        let n = |op| self.steps.iter().filter(|s| s.op == op).count();
        [n(Op::Create), n(Op::Update), n(Op::Replace), n(Op::Delete)]
    }
}

#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Delete what we made that the tree no longer has.
    pub prune: bool,
    /// Now, in unix seconds (first execution times are judged against it).
    pub now: i64,
}

/// Steps by phase, in the order apply runs them.
#[derive(Default)]
struct Phases {
    write: [Vec<Step>; 3],
    trigger_deletes: Vec<Step>,
    trigger_replaces: Vec<Step>,
    trigger_creates: Vec<Step>,
    delete: [Vec<Step>; 3],
}

fn step(op: Op, kind: Kind, name: &str, id: Option<&str>, changes: Vec<Change>) -> Step {
    Step {
        op,
        kind,
        name: name.to_string(),
        id: id.map(str::to_string),
        changes,
    }
}

/// One kind of resource, the tree's and the listed, by name: creates, updates (through
/// `compare`), conflicts, and ours that the tree dropped.
struct Matched<'a> {
    /// (name, listed id) of ours not in the tree.
    orphans: Vec<(&'a str, &'a str)>,
}

#[allow(clippy::too_many_arguments)]
fn match_kind<'a, S, L>(
    plan: &mut Plan,
    out: &mut Vec<Step>,
    kind: Kind,
    wanted: &BTreeMap<String, S>,
    listed: &'a [L],
    key: impl Fn(&'a L) -> (&'a str, &'a str, bool),
    created: impl Fn(&S) -> Vec<Change>,
    compare: impl Fn(&S, &L) -> Vec<Change>,
    op_when_changed: Op,
) -> Matched<'a> {
    let by_name: BTreeMap<&str, &L> = listed.iter().map(|l| (key(l).0, l)).collect();
    for (name, spec) in wanted {
        match by_name.get(name.as_str()) {
            None => out.push(step(Op::Create, kind, name, None, created(spec))),
            Some(l) => {
                let (_, id, ours) = key(l);
                if !ours {
                    plan.conflicts.push(Foreign {
                        kind,
                        name: name.clone(),
                        id: id.to_string(),
                        project: None,
                    });
                    continue;
                }
                let changes = compare(spec, l);
                if !changes.is_empty() {
                    out.push(step(op_when_changed, kind, name, Some(id), changes));
                }
            }
        }
    }
    Matched {
        orphans: listed
            .iter()
            .map(&key)
            .filter(|(name, _, ours)| *ours && !wanted.contains_key(*name))
            .map(|(name, id, _)| (name, id))
            .collect(),
    }
}

/// What apply would do. `listed` is the caller's project as [`Listed::of_project`] keeps
/// it; `resolved` holds the values read when applying.
pub fn plan(tree: &Tree, resolved: &Resolved, listed: &Listed, options: &Options) -> Plan {
    let mut plan = Plan::default();
    let mut phases = Phases::default();
    let now = options.now;

    let envs = match_kind(
        &mut plan,
        &mut phases.write[0],
        Kind::Environment,
        &tree.environments,
        &listed.environments,
        |l| (l.name.as_str(), l.name.as_str(), l.ours()),
        |s| compare::environment_created(s, resolved),
        |s, l| compare::environment(s, resolved, l),
        Op::Update,
    );
    let actions = match_kind(
        &mut plan,
        &mut phases.write[1],
        Kind::Action,
        &tree.actions,
        &listed.actions,
        |l| (l.name.as_str(), l.id.as_str(), l.ours()),
        |_| Vec::new(),
        |s, l| compare::action(s, l, &tree.settings),
        Op::Update,
    );
    let workflows = match_kind(
        &mut plan,
        &mut phases.write[2],
        Kind::Workflow,
        &tree.workflows,
        &listed.workflows,
        |l| (l.name.as_str(), l.id.as_str(), l.ours()),
        |_| Vec::new(),
        |s, l| compare::workflow(s, l, &tree.settings),
        Op::Update,
    );
    // A trigger names its workflow by id: the one the listed workflow of that name has,
    // none for a workflow this apply creates.
    let workflow_ids: BTreeMap<&str, &str> = listed
        .workflows
        .iter()
        .map(|w| (w.name.as_str(), w.id.as_str()))
        .collect();
    let id_of = |name: &str| workflow_ids.get(name).copied();
    let triggers = match_kind(
        &mut plan,
        &mut phases.trigger_replaces,
        Kind::Trigger,
        &tree.triggers,
        &listed.triggers,
        |l| (l.name.as_str(), l.id.as_str(), l.ours()),
        |s| compare::trigger_created(s, id_of(&s.workflow_name), now),
        |s, l| compare::trigger(s, l, id_of(&s.workflow_name), now),
        Op::Replace,
    );
    let creates: Vec<Step> = phases.trigger_replaces.drain(..).collect();
    for s in creates {
        match s.op {
            Op::Create => phases.trigger_creates.push(s),
            _ => phases.trigger_replaces.push(s),
        }
    }

    let prune = options.prune;
    orphans(
        &mut plan,
        prune,
        Kind::Trigger,
        triggers.orphans,
        &mut phases.trigger_deletes,
    );
    // A workflow is deleted only when no trigger staying in Mistral uses it (Mistral
    // refuses it then, and the trigger is someone else's or kept).
    let going: BTreeSet<&str> = phases
        .trigger_deletes
        .iter()
        .chain(&phases.trigger_replaces)
        .filter_map(|s| s.id.as_deref())
        .collect();
    let mut deletable = Vec::new();
    for (name, id) in workflows.orphans {
        let users: Vec<String> = listed
            .triggers
            .iter()
            .filter(|t| t.workflow_id.as_deref() == Some(id) && !going.contains(t.id.as_str()))
            .map(|t| {
                let whose = if t.ours() { "" } else { ", not ours" };
                format!("cron trigger {} ({}{whose})", t.name, t.id)
            })
            .collect();
        if users.is_empty() || !options.prune {
            deletable.push((name, id));
        } else {
            plan.blocked.push(Blocked {
                kind: Kind::Workflow,
                name: name.to_string(),
                id: id.to_string(),
                why: format!(
                    "{} uses it, so both stay (Mistral refuses to delete a workflow a cron trigger uses)",
                    users.join(", ")
                ),
            });
        }
    }
    // Mistral deletes an environment by name, the project's and every public one of that
    // name alike: another project's public one would go with ours.
    let shadowed = |name: &str| listed.public_environments.iter().find(|e| e.name == name);
    let mut env_orphans = Vec::new();
    for (name, id) in envs.orphans {
        match shadowed(name).filter(|_| options.prune) {
            None => env_orphans.push((name, id)),
            Some(other) => plan.blocked.push(Blocked {
                kind: Kind::Environment,
                name: name.to_string(),
                id: id.to_string(),
                why: format!(
                    "project {}'s public environment {} has its name, and Mistral deletes environments by name: it would go too",
                    other.project_id.as_deref().unwrap_or("?"),
                    other.id
                ),
            }),
        }
    }
    for name in tree.environments.keys() {
        if let Some(other) = shadowed(name) {
            plan.conflicts.push(Foreign {
                kind: Kind::Environment,
                name: name.clone(),
                id: other.id.clone(),
                project: other.project_id.clone(),
            });
            phases.write[0].retain(|s| s.name != *name);
        }
    }
    orphans(
        &mut plan,
        prune,
        Kind::Workflow,
        deletable,
        &mut phases.delete[0],
    );
    orphans(
        &mut plan,
        prune,
        Kind::Action,
        actions.orphans,
        &mut phases.delete[1],
    );
    orphans(
        &mut plan,
        prune,
        Kind::Environment,
        env_orphans,
        &mut phases.delete[2],
    );

    plan.notes
        .extend(repeated_triggers(tree, listed, &going, &id_of));
    for a in &listed.elsewhere {
        plan.notes.push(format!(
            "action {} is also registered outside this project ({}, project {}){}",
            a.name,
            a.scope.as_deref().unwrap_or("?"),
            a.project_id.as_deref().unwrap_or("none: Mistral's own"),
            if a.project_id.as_deref() == Some("<default-project>") {
                ": by the SQL migrations; pick one way (`apply --actions sql` leaves actions to them)"
            } else {
                ""
            }
        ));
    }

    let Phases {
        write,
        trigger_deletes,
        trigger_replaces,
        trigger_creates,
        delete,
    } = phases;
    plan.steps = write
        .into_iter()
        .flatten()
        .chain(trigger_deletes)
        .chain(trigger_replaces)
        .chain(trigger_creates)
        .chain(delete.into_iter().flatten())
        .collect();
    plan
}

/// Ours that the tree dropped: deleted with `--prune`, else kept (and said).
fn orphans(
    plan: &mut Plan,
    prune: bool,
    kind: Kind,
    found: Vec<(&str, &str)>,
    out: &mut Vec<Step>,
) {
    for (name, id) in found {
        if prune {
            out.push(step(Op::Delete, kind, name, Some(id), Vec::new()));
        } else {
            plan.kept.push((kind, name.to_string()));
        }
    }
}

/// Mistral keeps one trigger per workflow, input, params and pattern in a project: a
/// tree trigger repeating a trigger that stays under another name would be refused.
fn repeated_triggers<'a>(
    tree: &Tree,
    listed: &Listed,
    going: &BTreeSet<&str>,
    id_of: &dyn Fn(&str) -> Option<&'a str>,
) -> Vec<String> {
    let mut notes = Vec::new();
    for spec in tree.triggers.values() {
        let Some(wf) = id_of(&spec.workflow_name) else {
            continue;
        };
        for t in &listed.triggers {
            let same = t.name != spec.name
                && !going.contains(t.id.as_str())
                && !tree.triggers.contains_key(&t.name)
                && t.workflow_id.as_deref() == Some(wf)
                && t.pattern.as_deref() == Some(spec.pattern.as_str())
                && t.workflow_params == spec.workflow_params
                && t.workflow_input
                    == match &spec.workflow_input {
                        Value::Null => Value::Object(Default::default()),
                        v => v.clone(),
                    };
            if same {
                notes.push(format!(
                    "cron trigger {} repeats {} (same workflow, input, params and pattern), which Mistral refuses: apply with --prune to delete {} first, or delete it",
                    spec.name, t.name, t.name
                ));
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests;
