//! Applying from nothing, then again; many actions; values read when applying.

use harness_contract::USER_CLOUD;

use super::proxy::Proxy;
use super::support::{actions, cli, schedule, workflow, Env, Project};

fn env_spec(name: &str, var: &str) -> String {
    format!(
        "environments:\n  {name}:\n    description: Test.\n    variables:\n      mistral_actions_url: http://127.0.0.1:1\n      mistral_actions_token: {{from_env: {var}}}\n"
    )
}

#[test]
fn apply_from_nothing_then_plan_is_clean_and_a_second_apply_writes_nothing() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtfirst");
    let p = Project::new("dtfirst", "private");
    p.file("actions/vol.yaml", &actions(2))
        .file(
            "workflows/flows.yaml",
            &workflow("dtfirst_flow", Some("dtfirst.vol.get0"), ""),
        )
        .file(
            "environments/env.yaml",
            &env_spec("dtfirst_env", "DTFIRST_TOKEN"),
        )
        .file(
            "schedules/s.yaml",
            &format!(
                "schedules:\n{}",
                schedule(
                    "dtfirst_yearly",
                    "dtfirst_flow",
                    "0 0 1 1 *",
                    Some("dtfirst_env")
                )
            ),
        )
        .generate();
    let proxy = Proxy::to(&env.mistral.api_root);
    let vars = [("DTFIRST_TOKEN", "t-dtfirst")];
    let apply = ["apply", "--url", &proxy.api_root];

    let first = cli(&env, USER_CLOUD, &p, &apply, &vars);
    assert_eq!(first.code, 0, "{}", first.all());
    let mut writes = proxy.take_writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            "POST /v2/actions?scope=private",
            "POST /v2/actions?scope=private",
            "POST /v2/cron_triggers",
            "POST /v2/environments",
            "POST /v2/workflows?scope=private",
        ],
        "{}",
        first.all()
    );
    eprintln!("apply from nothing (5 resources): {:.2}s", first.secs);

    let plan = cli(
        &env,
        USER_CLOUD,
        &p,
        &["plan", "--url", &proxy.api_root],
        &vars,
    );
    assert_eq!(plan.code, 0, "{}", plan.all());
    assert!(plan.stdout.contains("No changes"), "{}", plan.all());
    let mut reads = proxy.take();
    reads.sort();
    assert_eq!(
        reads,
        [
            "GET /v2/actions",
            "GET /v2/cron_triggers",
            "GET /v2/environments",
            "GET /v2/workflows"
        ],
        "one list call per collection, no limit"
    );
    eprintln!("plan after apply: {:.2}s", plan.secs);

    let second = cli(&env, USER_CLOUD, &p, &apply, &vars);
    assert_eq!(second.code, 0, "{}", second.all());
    assert_eq!(
        proxy.take_writes(),
        Vec::<String>::new(),
        "{}",
        second.all()
    );
    eprintln!("second apply: {:.2}s", second.secs);

    // What Mistral holds: private, ours, the trigger on the workflow's id, in the env.
    let wf = member.find("workflows", "dtfirst_flow").unwrap();
    assert_eq!(wf["scope"], "private");
    let trigger = member.find("cron_triggers", "dtfirst_yearly").unwrap();
    assert_eq!(trigger["workflow_id"], wf["id"]);
    assert!(trigger["workflow_params"]
        .to_string()
        .contains("dtfirst_env"));
    let e = member.get("/environments/dtfirst_env");
    assert!(e["variables"].to_string().contains("t-dtfirst"), "{e}");
    member.clean("dtfirst");
}

#[test]
fn a_value_read_when_applying_reaches_mistral_and_no_output() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtsecret");
    let p = Project::new("dtsecret", "private");
    p.file(
        "environments/env.yaml",
        &env_spec("dtsecret_env", "DTSECRET_TOKEN"),
    )
    .generate();
    let secret = format!("v4lue-{}", std::process::id());
    let runs = [
        cli(
            &env,
            USER_CLOUD,
            &p,
            &["plan"],
            &[("DTSECRET_TOKEN", &secret)],
        ),
        cli(
            &env,
            USER_CLOUD,
            &p,
            &["apply"],
            &[("DTSECRET_TOKEN", &secret)],
        ),
        cli(
            &env,
            USER_CLOUD,
            &p,
            &["plan"],
            &[("DTSECRET_TOKEN", "another")],
        ),
        cli(
            &env,
            USER_CLOUD,
            &p,
            &["apply"],
            &[("DTSECRET_TOKEN", "another")],
        ),
        cli(&env, USER_CLOUD, &p, &["plan"], &[]),
    ];
    assert_eq!(runs[0].code, 2, "{}", runs[0].all());
    assert!(
        runs[0].stdout.contains("(from $DTSECRET_TOKEN)"),
        "{}",
        runs[0].all()
    );
    assert_eq!(runs[1].code, 0, "{}", runs[1].all());
    assert_eq!(
        runs[2].code,
        2,
        "a changed value is a change: {}",
        runs[2].all()
    );
    assert!(
        runs[2]
            .stdout
            .contains("variables.mistral_actions_token: (a value) → (from $DTSECRET_TOKEN)"),
        "{}",
        runs[2].all()
    );
    assert_eq!(runs[3].code, 0, "{}", runs[3].all());
    assert_eq!(
        runs[4].code,
        1,
        "an unset variable is an error: {}",
        runs[4].all()
    );
    assert!(
        runs[4].stderr.contains("$DTSECRET_TOKEN is not set"),
        "{}",
        runs[4].all()
    );
    for run in &runs {
        let text = run.all();
        assert!(
            !text.contains(&secret) && !text.contains("another"),
            "{text}"
        );
    }
    let e = member.get("/environments/dtsecret_env");
    let variables: serde_json::Value =
        serde_json::from_str(e["variables"].as_str().unwrap()).unwrap();
    assert_eq!(variables["mistral_actions_token"], "another", "{e}");
    member.clean("dtsecret");
}

#[test]
fn plan_sees_more_actions_than_a_page_holds() {
    const ACTIONS: usize = 250;
    let env = Env::get();
    let member = env.member();
    member.clean("dtpage");
    let p = Project::new("dtpage", "private");
    codegen::synthetic::write(p.root(), ACTIONS, 0).unwrap();
    // The synthetic project's own prefix, replaced: names unique to this test.
    p.file(
        "project.yaml",
        "prefix: dtpage\nschema_generations: [victoria-to-2026]\ndialects: [postgresql]\n",
    )
    .generate();
    let before = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(before.code, 2, "{}", before.all());
    assert!(
        before
            .stdout
            .contains(&format!("Plan: {ACTIONS} to create, 0 to update")),
        "{}",
        before.all()
    );
    eprintln!(
        "plan of {ACTIONS} actions from nothing: {:.2}s",
        before.secs
    );
    let apply = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    eprintln!("apply of {ACTIONS} actions: {:.2}s", apply.secs);
    let after = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(
        after.code,
        0,
        "every action seen as applied: {}",
        after.all()
    );
    eprintln!("plan of {ACTIONS} applied actions: {:.2}s", after.secs);
    let listed = member
        .list("actions")
        .iter()
        .filter(|a| a["name"].as_str().unwrap_or("").starts_with("dtpage."))
        .count();
    assert_eq!(listed, ACTIONS);
    member.clean("dtpage");
}
