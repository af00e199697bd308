//! Changes after a first apply: a pattern (a replace), a workflow (an update that keeps
//! its id, so its triggers stay), and a failure midway that a rerun gets past.

use harness_contract::USER_CLOUD;

use super::proxy::Proxy;
use super::support::{cli, schedule, workflow, Env, Project};

#[test]
fn a_changed_pattern_replaces_and_a_changed_workflow_is_updated_in_place() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtchange");
    let p = Project::new("dtchange", "private");
    let schedules = |pattern: &str| {
        format!(
            "schedules:\n{}{}",
            schedule("dtchange_moved", "dtchange_flow", pattern, None),
            schedule("dtchange_still", "dtchange_flow", "0 0 1 2 *", None)
        )
    };
    p.file("workflows/flow.yaml", &workflow("dtchange_flow", None, ""))
        .file("schedules/s.yaml", &schedules("0 0 1 1 *"))
        .generate();
    let first = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(first.code, 0, "{}", first.all());
    let wf = member.find("workflows", "dtchange_flow").unwrap();
    let moved = member.find("cron_triggers", "dtchange_moved").unwrap();
    let still = member.find("cron_triggers", "dtchange_still").unwrap();

    p.file(
        "workflows/flow.yaml",
        &workflow(
            "dtchange_flow",
            None,
            "\n      on-success: [second]\n    second:\n      action: std.noop",
        ),
    )
    .file("schedules/s.yaml", &schedules("0 0 1 3 *"))
    .generate();
    let plan = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stdout.contains("  ~ workflow dtchange_flow\n"),
        "{}",
        plan.all()
    );
    assert!(
        plan.stdout.contains("+      on-success:"),
        "a diff: {}",
        plan.all()
    );
    assert!(
        plan.stdout
            .contains("  -/+ cron trigger dtchange_moved (replaced"),
        "{}",
        plan.all()
    );
    assert!(
        plan.stdout.contains("pattern: \"0 0 1 1 *\" (")
            && plan.stdout.contains("→ \"0 0 1 3 *\" ("),
        "{}",
        plan.all()
    );
    assert!(
        !plan.stdout.contains("dtchange_still"),
        "unchanged: {}",
        plan.all()
    );
    assert!(plan
        .stdout
        .contains("Plan: 0 to create, 1 to update, 1 to replace, 0 to delete."));

    let proxy = Proxy::to(&env.mistral.api_root);
    let apply = cli(
        &env,
        USER_CLOUD,
        &p,
        &["apply", "--url", &proxy.api_root],
        &[],
    );
    assert_eq!(apply.code, 0, "{}", apply.all());
    let wf_id = wf["id"].as_str().unwrap();
    let moved_id = moved["id"].as_str().unwrap();
    assert_eq!(
        proxy.take_writes(),
        [
            format!("PUT /v2/workflows/{wf_id}?scope=private"),
            format!("DELETE /v2/cron_triggers/{moved_id}"),
            "POST /v2/cron_triggers".to_string(),
        ]
    );
    let wf_after = member.find("workflows", "dtchange_flow").unwrap();
    assert_eq!(wf_after["id"], wf["id"], "updated in place");
    assert!(wf_after["definition"].as_str().unwrap().contains("second:"));
    let still_after = member.find("cron_triggers", "dtchange_still").unwrap();
    assert_eq!(still_after["id"], still["id"], "its trigger stays");
    assert_eq!(
        still_after["next_execution_time"], still["next_execution_time"],
        "with its next fire"
    );
    let moved_after = member.find("cron_triggers", "dtchange_moved").unwrap();
    assert_ne!(moved_after["id"], moved["id"], "replaced");
    assert_eq!(moved_after["pattern"], "0 0 1 3 *");
    assert_eq!(moved_after["workflow_id"], wf["id"]);
    member.clean("dtchange");
}

#[test]
fn a_failure_midway_stops_says_what_is_left_and_a_rerun_converges() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtfail");
    let p = Project::new("dtfail", "private");
    for name in ["dtfail_a", "dtfail_b", "dtfail_c"] {
        p.file(&format!("workflows/{name}.yaml"), &workflow(name, None, ""));
    }
    p.file(
        "schedules/s.yaml",
        &format!(
            "schedules:\n{}",
            schedule("dtfail_on_c", "dtfail_c", "0 0 1 1 *", None)
        ),
    )
    .generate();
    // Mistral's parser refuses what the generator would never write: a task key it does
    // not know, in the generated file of the second workflow.
    let file = p.generated().join("workflows/dtfail_b.yaml");
    let good = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        good.replace("action: std.noop", "action: std.noop\n      no-such-key: 1"),
    )
    .unwrap();

    let failed = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(failed.code, 1, "{}", failed.all());
    assert!(
        failed.stdout.contains("created workflow dtfail_a"),
        "{}",
        failed.all()
    );
    assert!(
        failed.stderr.contains(
            "error: create workflow dtfail_b failed: POST /workflows: Mistral answered 400"
        ),
        "{}",
        failed.all()
    );
    assert!(
        failed.stderr.contains("Stopped after 1 of 4 step(s)"),
        "{}",
        failed.all()
    );
    assert!(
        failed.stderr.contains("Left: create workflow dtfail_b, create workflow dtfail_c, create cron trigger dtfail_on_c"),
        "{}",
        failed.all()
    );
    assert!(member.find("workflows", "dtfail_a").is_some());
    assert!(member.find("workflows", "dtfail_c").is_none(), "stopped");

    std::fs::write(&file, good).unwrap();
    let rerun = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(rerun.code, 0, "{}", rerun.all());
    assert!(
        !rerun.stdout.contains("dtfail_a"),
        "done before: {}",
        rerun.all()
    );
    assert!(
        rerun.stdout.contains("created cron trigger dtfail_on_c"),
        "{}",
        rerun.all()
    );
    let plan = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(plan.code, 0, "converged: {}", plan.all());
    member.clean("dtfail");
}
