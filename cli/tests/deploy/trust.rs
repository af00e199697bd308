//! A trigger apply made fires as deployments fire it: Mistral's periodic task (its own
//! process) runs it through the Keystone trust of the user who applied, and the
//! execution names the trigger in its description.

use std::time::{Duration, Instant};

use harness_contract::USER_CLOUD;
use serde_json::Value;

use super::support::{cli, schedule, workflow, Env, Project};

#[test]
fn a_trigger_fires_through_the_trust_of_the_user_who_applied() {
    let env = Env::get();
    let member = env.member();
    member.clean("dttrust");
    let p = Project::new("dttrust", "private");
    p.file("workflows/flow.yaml", &workflow("dttrust_flow", None, ""))
        .file(
            "schedules/s.yaml",
            &format!(
                "schedules:\n{}",
                schedule("dttrust_minutely", "dttrust_flow", "* * * * *", None)
            ),
        )
        .generate();
    let apply = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    let trigger = member.find("cron_triggers", "dttrust_minutely").unwrap();
    let id = trigger["id"].as_str().unwrap().to_string();
    let started = Instant::now();
    let execution = loop {
        let found = member.get(&format!("/executions?description=has:{id}"))["executions"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let done = found
            .into_iter()
            .find(|e| matches!(e["state"].as_str(), Some("SUCCESS" | "ERROR")));
        if let Some(e) = done {
            break e;
        }
        assert!(
            started.elapsed() < Duration::from_secs(180),
            "no execution of trigger {id} ended within 180 s (next fire was {}); see the periodic task's log in {}",
            trigger["next_execution_time"],
            env.mistral.logs.display()
        );
        std::thread::sleep(Duration::from_secs(3));
    };
    eprintln!(
        "trigger fired; its execution ended {} after {:.0}s",
        execution["state"],
        started.elapsed().as_secs_f32()
    );
    assert_eq!(execution["state"], "SUCCESS", "{execution}");
    assert_eq!(execution["workflow_id"], trigger["workflow_id"]);
    let description: Value =
        serde_json::from_str(execution["description"].as_str().unwrap()).unwrap();
    assert_eq!(
        description["triggered_by"]["id"],
        id.as_str(),
        "{description}"
    );
    member.clean("dttrust");
}
