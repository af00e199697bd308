use serde_json::{json, Value};

use super::*;
use crate::listed::{Listed, Raw};
use crate::tree::{ActionSpec, EnvironmentSpec, Reference, Settings, TriggerSpec, WorkflowSpec};

const SECRET: &str = "s3cret-token-value";
/// 2029-12-31 00:00:00 UTC.
const NOW: i64 = 1_893_369_600;

fn tree() -> Tree {
    let env = EnvironmentSpec {
        name: "env1".into(),
        description: "d".into(),
        scope: "private".into(),
        variables: json!({"a": 1, "mistral_actions_managed": true})
            .as_object()
            .unwrap()
            .clone(),
        resolve_when_applying: [("token".to_string(), Reference::FromEnv("TOKEN".into()))].into(),
    };
    let trigger = TriggerSpec {
        name: "nightly".into(),
        pattern: "0 2 * * *".into(),
        workflow_name: "flow".into(),
        workflow_input: json!({"x": 1}),
        workflow_params: json!({"env": "env1", "mistral_actions": "managed"})
            .as_object()
            .unwrap()
            .clone(),
        scope: "private".into(),
        first_execution_time: None,
    };
    Tree {
        dir: "/t".into(),
        settings: Settings {
            namespace: String::new(),
            scope: "private".into(),
        },
        environments: [("env1".to_string(), env)].into(),
        actions: [(
            "p.x.y".to_string(),
            ActionSpec {
                name: "p.x.y".into(),
                definition: "version: '2.0'\np.x.y:\n  base: std.http\n".into(),
            },
        )]
        .into(),
        workflows: [(
            "flow".to_string(),
            WorkflowSpec {
                name: "flow".into(),
                file: "workflows/flow.yaml".into(),
                text: "version: '2.0'\nflow:\n  tags: [\"mistral-actions:managed\"]\n".into(),
            },
        )]
        .into(),
        triggers: [("nightly".to_string(), trigger)].into(),
    }
}

fn resolved() -> Resolved {
    Resolved::from_values(&[("env1", "token", SECRET)])
}

const OURS: &str = "mistral-actions:managed";

/// What Mistral lists once the tree is applied.
fn applied(tree: &Tree) -> Vec<Vec<Value>> {
    let envs = tree
        .environments
        .values()
        .map(|e| {
            json!({"id": format!("id-{}", e.name), "name": e.name, "description": e.description,
                   "scope": e.scope, "project_id": "p1",
                   "variables": environment_variables(e, &resolved())})
        })
        .collect();
    let actions = tree
        .actions
        .values()
        .map(|a| {
            json!({"id": format!("id-{}", a.name), "name": a.name, "definition": a.definition,
                   "tags": [OURS], "scope": "private", "project_id": "p1", "namespace": ""})
        })
        .collect();
    let workflows = tree
        .workflows
        .values()
        .map(|w| {
            json!({"id": format!("id-{}", w.name), "name": w.name, "definition": w.text,
                   "tags": [OURS], "scope": "private", "project_id": "p1", "namespace": ""})
        })
        .collect();
    let triggers = tree
        .triggers
        .values()
        .map(|t| {
            json!({"id": format!("id-{}", t.name), "name": t.name, "pattern": t.pattern,
                   "workflow_name": t.workflow_name,
                   "workflow_id": format!("id-{}", t.workflow_name),
                   "workflow_input": t.workflow_input.to_string(),
                   "workflow_params": Value::Object(t.workflow_params.clone()).to_string(),
                   "scope": "private", "project_id": "p1"})
        })
        .collect();
    vec![envs, actions, workflows, triggers]
}

fn listed(lists: Vec<Vec<Value>>) -> Listed {
    let mut l = lists.into_iter();
    let raw = Raw {
        environments: l.next().unwrap(),
        actions: Some(l.next().unwrap()),
        workflows: l.next().unwrap(),
        triggers: l.next().unwrap(),
    };
    Listed::of_project(raw, Some("p1"), "", &|_| true).unwrap()
}

fn run(tree: &Tree, lists: Vec<Vec<Value>>, prune: bool) -> Plan {
    plan(
        tree,
        &resolved(),
        &listed(lists),
        &Options { prune, now: NOW },
    )
}

fn described(p: &Plan) -> Vec<String> {
    p.steps.iter().map(Step::describe).collect()
}

#[test]
fn from_nothing_everything_is_created_in_dependency_order() {
    let p = run(&tree(), vec![vec![]; 4], false);
    assert_eq!(
        described(&p),
        [
            "create environment env1",
            "create action p.x.y",
            "create workflow flow",
            "create cron trigger nightly"
        ]
    );
    assert!(p.conflicts.is_empty() && p.kept.is_empty());
}

#[test]
fn once_applied_nothing_changes() {
    let t = tree();
    let p = run(&t, applied(&t), true);
    assert_eq!(p, Plan::default());
}

#[test]
fn a_value_read_when_applying_is_never_in_the_plan() {
    let t = tree();
    let created = run(&t, vec![vec![]; 4], false);
    let mut lists = applied(&t);
    lists[0][0]["variables"]["token"] = json!("an older value");
    let updated = run(&t, lists, false);
    assert_eq!(described(&updated), ["update environment env1"]);
    for p in [created, updated] {
        let text = render::text(&p, "");
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains("an older value"), "{text}");
        assert!(text.contains("variables.token"), "{text}");
        assert!(text.contains("(from $TOKEN)"), "{text}");
    }
}

#[test]
fn a_changed_workflow_is_updated_in_place_and_a_changed_pattern_replaces() {
    let mut t = tree();
    t.workflows
        .get_mut("flow")
        .unwrap()
        .text
        .push_str("# changed\n");
    let lists = applied(&tree());
    t.triggers.get_mut("nightly").unwrap().pattern = "0 3 * * *".into();
    let p = run(&t, lists, false);
    assert_eq!(
        described(&p),
        ["update workflow flow", "replace cron trigger nightly"]
    );
    assert_eq!(
        p.steps[0].id.as_deref(),
        Some("id-flow"),
        "updated by id: kept"
    );
    assert_eq!(p.steps[1].id.as_deref(), Some("id-nightly"));
}

#[test]
fn foreign_resources_under_our_names_are_conflicts() {
    let t = tree();
    let mut lists = applied(&t);
    lists[2][0]["tags"] = json!([]);
    lists[3][0]["workflow_params"] = json!({});
    let p = run(&t, lists, true);
    let conflicts: Vec<(Kind, &str, &str)> = p
        .conflicts
        .iter()
        .map(|c| (c.kind, c.name.as_str(), c.id.as_str()))
        .collect();
    assert_eq!(
        conflicts,
        [
            (Kind::Workflow, "flow", "id-flow"),
            (Kind::Trigger, "nightly", "id-nightly")
        ]
    );
    assert!(p.steps.is_empty(), "{:?}", described(&p));
}

#[test]
fn prune_deletes_in_reverse_order_and_leaves_a_workflow_a_foreign_trigger_uses() {
    let mut t = tree();
    let lists = applied(&t);
    t.triggers.clear();
    t.workflows.clear();
    t.actions.clear();
    t.environments.clear();
    let p = run(&t, lists.clone(), true);
    assert_eq!(
        described(&p),
        [
            "delete cron trigger nightly",
            "delete workflow flow",
            "delete action p.x.y",
            "delete environment env1"
        ]
    );
    let without = run(&t, lists.clone(), false);
    assert!(without.blocked.is_empty());
    assert!(without.steps.is_empty());
    assert_eq!(without.kept.len(), 4);

    let mut lists = lists;
    lists[3].push(
        json!({"id": "t-foreign", "name": "theirs", "pattern": "0 5 * * *",
        "workflow_id": "id-flow", "workflow_name": "flow", "workflow_params": {},
        "workflow_input": {}, "project_id": "p1"}),
    );
    let p = run(&t, lists, true);
    assert_eq!(
        described(&p),
        [
            "delete cron trigger nightly",
            "delete action p.x.y",
            "delete environment env1"
        ]
    );
    assert_eq!(p.blocked.len(), 1, "{:?}", p.blocked);
    let b = &p.blocked[0];
    assert_eq!(
        (b.kind, b.name.as_str(), b.id.as_str()),
        (Kind::Workflow, "flow", "id-flow")
    );
    assert!(
        b.why
            .starts_with("cron trigger theirs (t-foreign, not ours) uses it, so both stay"),
        "{}",
        b.why
    );
}

#[test]
fn another_project_s_public_environment_of_our_name_stops_apply_and_prune() {
    let t = tree();
    let mut lists = applied(&t);
    lists[0].push(json!({"id": "e-theirs", "name": "env1", "project_id": "p2",
        "scope": "public", "variables": {}}));
    let p = run(&t, lists.clone(), true);
    assert_eq!(
        p.conflicts,
        [Foreign {
            kind: Kind::Environment,
            name: "env1".into(),
            id: "e-theirs".into(),
            project: Some("p2".into()),
        }]
    );
    let mut dropped = t.clone();
    dropped.environments.clear();
    let p = run(&dropped, lists, true);
    assert!(p.steps.is_empty(), "{:?}", described(&p));
    assert_eq!(p.blocked[0].kind, Kind::Environment);
    assert!(p.blocked[0]
        .why
        .contains("project p2's public environment e-theirs"));
}

#[test]
fn other_projects_and_namespaces_are_not_ours_to_judge() {
    let t = tree();
    let mut lists = applied(&t);
    for list in &mut lists {
        for item in list.iter_mut() {
            item["project_id"] = json!("p2");
        }
    }
    let p = run(&t, lists, true);
    assert_eq!(p.steps.len(), 4, "all created: {:?}", described(&p));
    assert!(p.conflicts.is_empty());
}
