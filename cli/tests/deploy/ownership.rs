//! Others' resources: under our names they stop apply before any write; on our workflows
//! they survive `--prune`, and keep the workflow they use.

use harness_contract::{ALT_CLOUD, USER_CLOUD};
use serde_json::json;

use super::proxy::Proxy;
use super::support::{cli, schedule, workflow, Env, Project};

#[test]
fn foreign_resources_under_our_names_stop_apply_before_any_write() {
    let env = Env::get();
    let member = env.member();
    let other = env.other();
    member.clean("dtforeign");
    // The other member of the project makes a workflow, and a trigger on one of theirs,
    // under names our specs use.
    other.post_text(
        "/workflows",
        "version: '2.0'\ndtforeign_flow:\n  tasks:\n    t:\n      action: std.noop\n",
    );
    let theirs = other.post_text(
        "/workflows",
        "version: '2.0'\ndtforeign_theirs:\n  tasks:\n    t:\n      action: std.noop\n",
    );
    other.post_json(
        "/cron_triggers",
        &json!({"name": "dtforeign_nightly", "pattern": "0 0 1 1 *",
                "workflow_id": theirs["workflows"][0]["id"], "workflow_input": {}}),
    );
    let p = Project::new("dtforeign", "private");
    p.file("workflows/flow.yaml", &workflow("dtforeign_flow", None, ""))
        .file(
            "workflows/other.yaml",
            &workflow("dtforeign_mine", None, ""),
        )
        .file(
            "environments/e.yaml",
            "environments:\n  dtforeign_env:\n    description: Ours.\n    variables: {a: 1}\n",
        )
        .file(
            "schedules/s.yaml",
            &format!(
                "schedules:\n{}",
                schedule("dtforeign_nightly", "dtforeign_mine", "0 0 1 1 *", None)
            ),
        )
        .generate();
    let before = member.find("workflows", "dtforeign_flow").unwrap();
    let proxy = Proxy::to(&env.mistral.api_root);
    let apply = cli(
        &env,
        USER_CLOUD,
        &p,
        &["apply", "--url", &proxy.api_root],
        &[],
    );
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert_eq!(proxy.take_writes(), Vec::<String>::new(), "{}", apply.all());
    for named in [
        format!(
            "error: workflow dtforeign_flow ({}) is not ours",
            before["id"].as_str().unwrap()
        ),
        "error: cron trigger dtforeign_nightly (".to_string(),
    ] {
        assert!(apply.stderr.contains(&named), "{named}: {}", apply.all());
    }
    assert!(
        apply.stderr.contains("nothing was changed"),
        "{}",
        apply.all()
    );
    let plan = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(plan.code, 1, "{}", plan.all());
    assert!(
        member.find("environments", "dtforeign_env").is_none(),
        "nothing made"
    );
    assert!(
        member.find("workflows", "dtforeign_mine").is_none(),
        "nothing made"
    );
    let after = member.find("workflows", "dtforeign_flow").unwrap();
    assert_eq!(after["definition"], before["definition"]);
    assert_eq!(after["updated_at"], before["updated_at"]);
    member.clean("dtforeign");
}

/// In the second test project: pruning deletes everything of ours the specs lack there.
#[test]
fn prune_removes_a_dropped_schedule_and_leaves_a_foreign_trigger_and_its_workflow() {
    let env = Env::get();
    let member = env.api(&env.os.user, &env.os.project_alt);
    let other = env.api(&env.os.other_user, &env.os.project_alt);
    member.clean("dtprune");
    let p = Project::new("dtprune", "private");
    let both = format!(
        "schedules:\n{}{}",
        schedule("dtprune_dropped", "dtprune_flow", "0 0 1 1 *", None),
        schedule("dtprune_kept", "dtprune_flow", "0 0 1 2 *", None)
    );
    p.file("workflows/flow.yaml", &workflow("dtprune_flow", None, ""))
        .file("schedules/s.yaml", &both)
        .generate();
    let first = cli(&env, ALT_CLOUD, &p, &["apply", "--prune"], &[]);
    assert_eq!(first.code, 0, "{}", first.all());
    let wf = member.find("workflows", "dtprune_flow").unwrap();
    other.post_json(
        "/cron_triggers",
        &json!({"name": "dtprune_theirs", "pattern": "0 0 1 3 *",
                "workflow_id": wf["id"], "workflow_input": {"volume": "v"}}),
    );

    // A schedule dropped: without --prune it is listed and kept; with it, deleted.
    p.file(
        "schedules/s.yaml",
        &format!(
            "schedules:\n{}",
            schedule("dtprune_kept", "dtprune_flow", "0 0 1 2 *", None)
        ),
    )
    .generate();
    let plan = cli(&env, ALT_CLOUD, &p, &["plan"], &[]);
    assert_eq!(plan.code, 0, "kept without --prune: {}", plan.all());
    assert!(
        plan.stdout.contains("Kept (ours, no longer in the specs; `--prune` deletes them): cron trigger dtprune_dropped"),
        "{}",
        plan.all()
    );
    let pruned = cli(&env, ALT_CLOUD, &p, &["apply", "--prune"], &[]);
    assert_eq!(pruned.code, 0, "{}", pruned.all());
    assert!(
        pruned
            .stdout
            .contains("deleted cron trigger dtprune_dropped"),
        "{}",
        pruned.all()
    );
    assert!(member.find("cron_triggers", "dtprune_dropped").is_none());
    assert!(
        member.find("cron_triggers", "dtprune_theirs").is_some(),
        "not ours"
    );
    assert!(member.find("cron_triggers", "dtprune_kept").is_some());

    // The workflow dropped too: their trigger uses it, so it stays, and says why.
    p.remove("workflows/flow.yaml")
        .remove("schedules/s.yaml")
        .generate();
    let pruned = cli(&env, ALT_CLOUD, &p, &["apply", "--prune"], &[]);
    assert_eq!(pruned.code, 0, "{}", pruned.all());
    assert!(
        pruned.stdout.contains("deleted cron trigger dtprune_kept"),
        "{}",
        pruned.all()
    );
    assert!(
        pruned.stdout.contains(&format!(
            "Not deleted: workflow dtprune_flow ({}): cron trigger dtprune_theirs (",
            wf["id"].as_str().unwrap()
        )) && pruned.stdout.contains(", not ours) uses it, so both stay"),
        "{}",
        pruned.all()
    );
    assert!(member.find("workflows", "dtprune_flow").is_some());
    assert!(member.find("cron_triggers", "dtprune_theirs").is_some());
    member.clean("dtprune");
}

/// Mistral finds an environment by name among the project's and every public one: a
/// member deleting its own `x` deletes another project's public `x` too (checked by hand
/// on Mistral 23.0.0), and reads it for `env: x`. So a public environment of another
/// project under one of our names is a conflict too.
#[test]
fn another_project_s_public_environment_under_our_name_stops_apply() {
    let env = Env::get();
    let admin = env.api(&env.os.project_admin, &env.os.project);
    let alt = env.api(&env.os.user, &env.os.project_alt);
    admin.clean("dtshadow");
    alt.clean("dtshadow");
    let theirs = admin.post_json(
        "/environments",
        &json!({"name": "dtshadow_env", "description": "Theirs.", "scope": "public",
                "variables": {"who": "them"}}),
    );
    let p = Project::new("dtshadow", "private");
    p.file(
        "environments/e.yaml",
        "environments:\n  dtshadow_env:\n    description: Ours.\n    variables: {who: us}\n",
    )
    .generate();
    let proxy = Proxy::to(&env.mistral.api_root);
    let apply = cli(
        &env,
        ALT_CLOUD,
        &p,
        &["apply", "--url", &proxy.api_root],
        &[],
    );
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert_eq!(proxy.take_writes(), Vec::<String>::new());
    assert!(
        apply.stderr.contains(&format!(
            "error: environment dtshadow_env is also project {}'s public one ({})",
            env.os.project.id,
            theirs["id"].as_str().unwrap()
        )),
        "{}",
        apply.all()
    );
    let still = admin.find("environments", "dtshadow_env").unwrap();
    assert_eq!(still["id"], theirs["id"]);
    admin.clean("dtshadow");
}
