//! The workflow runs the e2e expects, and how it checks them against what Mistral reports.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::json_text;
use crate::services::mistral_api::MistralApi;

/// Longest a case may run: the seed's mismatch case retries 5 times, 5 s apart.
const TIMEOUT: Duration = Duration::from_secs(240);

/// `generated/workflows/*.yaml`, sorted by file name: (file name, text).
pub fn generated_workflows(root: &Path) -> Result<Vec<(String, String)>, String> {
    let dir = root.join("generated").join("workflows");
    let mut files: Vec<(String, String)> = Vec::new();
    let entries = fs::read_dir(&dir).map_err(|e| {
        format!("no generated workflows in generated/workflows ({e}); run `cargo xtask generate`")
    })?;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            let text = fs::read_to_string(entry.path())
                .map_err(|e| format!("cannot read generated/workflows/{name}: {e}"))?;
            files.push((name, text));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err("no generated/workflows/*.yaml; run `cargo xtask generate`".into());
    }
    Ok(files)
}

/// Ids of the resources the stub starts with, as it printed them (`STUB_FIXTURE_*`).
pub struct Fixtures {
    volume: String,
    server: String,
    image: String,
    backup: String,
    snapshot: String,
    trove_instance: String,
    trove_backup: String,
}

impl Fixtures {
    pub fn from_printed(printed: &BTreeMap<String, String>) -> Result<Fixtures, String> {
        let id = |name: &str| {
            printed
                .get(name)
                .cloned()
                .ok_or_else(|| format!("the stub did not print STUB_FIXTURE_{name}"))
        };
        Ok(Fixtures {
            volume: id("VOLUME")?,
            server: id("SERVER")?,
            image: id("IMAGE")?,
            backup: id("BACKUP")?,
            snapshot: id("SNAPSHOT")?,
            trove_instance: id("TROVE_INSTANCE")?,
            trove_backup: id("TROVE_BACKUP")?,
        })
    }
}

/// A workflow of our own beside the generated ones: every action the specs define, called
/// through Mistral at once (no transitions: all tasks start together), their results
/// gathered in the output so it can be compared whole. Created resources get ids from the
/// stub; only what is certain about them is published.
pub const ACTIONS_WORKFLOW: &str = "---
version: '2.0'
e2e_actions:
  input: [server_id, volume_id, snapshot_id, backup_id, image_id, image_name, trove_instance_id, trove_backup_id]
  output:
    server_status: <% $.server_status %>
    server_active: <% $.server_active %>
    server_running: <% $.server_running %>
    volume_available: <% $.volume_available %>
    snapshot_available: <% $.snapshot_available %>
    backup_available: <% $.backup_available %>
    image_active: <% $.image_active %>
    image_ids: <% $.image_ids %>
    trove_backup_completed: <% $.trove_backup_completed %>
    new_backup: <% $.new_backup %>
    chained_backup_volume: <% $.chained_backup_volume %>
    new_snapshot: <% $.new_snapshot %>
    trove_backup_instance: <% $.trove_backup_instance %>
    exec_output: <% $.exec_output %>
  tasks:
    get_status:
      action: int32bit.nova.servers.get_status server_id=<% $.server_id %>
      publish: {server_status: <% task().result %>}
    assert_server:
      action: int32bit.nova.servers.assert_status server_id=<% $.server_id %>
      publish: {server_active: <% task().result %>}
    assert_power:
      action: int32bit.nova.servers.assert_power_status server_id=<% $.server_id %> status=running
      publish: {server_running: <% task().result %>}
    assert_volume:
      action: int32bit.cinder.volumes.assert_status volume_id=<% $.volume_id %>
      publish: {volume_available: <% task().result %>}
    assert_snapshot:
      action: int32bit.cinder.snapshots.assert_status snapshot_id=<% $.snapshot_id %>
      publish: {snapshot_available: <% task().result %>}
    assert_backup:
      action: int32bit.cinder.backups.assert_status backup_id=<% $.backup_id %>
      publish: {backup_available: <% task().result %>}
    assert_image:
      action: int32bit.glance.images.assert_status image_id=<% $.image_id %>
      publish: {image_active: <% task().result %>}
    filter_images:
      action: int32bit.glance.images.filter_by name=<% $.image_name %> status=active
      publish: {image_ids: <% task().result.select($.id) %>}
    assert_trove_backup:
      action: int32bit.trove.backups.assert_status backup_id=<% $.trove_backup_id %>
      publish: {trove_backup_completed: <% task().result %>}
    create_backup:
      action: int32bit.cinder.backups.create
      input:
        volume_id: <% $.volume_id %>
        backup_name: e2e
        incremental: false
      publish:
        new_backup: {volume_id: <% task().result.volume_id %>, name: <% task().result.name %>}
    create_chained_backup:
      action: int32bit.cinder.backups.create_backup volume_id=<% $.volume_id %>
      publish: {chained_backup_volume: <% task().result.volume_id %>}
    create_snapshot:
      action: int32bit.cinder.snapshots.create_snapshot volume_id=<% $.volume_id %>
      publish:
        new_snapshot: {volume_id: <% task().result.volume_id %>, named_after_volume: <% task().result.name.startsWith('data_snap_') %>}
    create_trove_backup:
      action: int32bit.trove.backups.create_backup instance_id=<% $.trove_instance_id %>
      publish: {trove_backup_instance: <% task().result.instance_id %>}
    exec:
      action: int32bit.system.exec
      input:
        cmd: echo hello from mistral | wc -w
      publish: {exec_output: <% task().result %>}
";

/// Whether [`ACTIONS_WORKFLOW`] calls the action `name`.
pub fn calls(name: &str) -> bool {
    let call = format!("action: {name}");
    ACTIONS_WORKFLOW.lines().map(str::trim).any(|l| {
        l == call
            || l.strip_prefix(&call)
                .is_some_and(|rest| rest.starts_with(' '))
    })
}

/// Programs `int32bit.system.exec` may run in the e2e (the action server's allowlist).
pub const EXEC_ALLOW: [&str; 2] = ["echo", "wc"];

fn actions_input(fx: &Fixtures) -> Value {
    json!({
        "server_id": fx.server, "volume_id": fx.volume, "snapshot_id": fx.snapshot,
        "backup_id": fx.backup, "image_id": fx.image, "image_name": "cirros",
        "trove_instance_id": fx.trove_instance, "trove_backup_id": fx.trove_backup,
    })
}

pub struct Case {
    pub workflow: &'static str,
    pub why: &'static str,
    pub input: Value,
    /// Replaces the bearer token Mistral's environment gives our actions.
    pub token: Option<&'static str>,
    /// Started with the stub's token and catalog in Mistral's `X-Target-*` headers, which
    /// Mistral's own OpenStack actions (`nova.*`, `cinder.*`) need.
    pub target_cloud: bool,
    pub expect: Expect,
}

pub enum Expect {
    /// SUCCESS, and each (task, JSON pointer into its result, wanted value) holds; task `*`
    /// is the workflow's output.
    Success(Vec<(&'static str, &'static str, Want)>),
    /// ERROR after `task` ran its action `attempts` times (its retries), its result
    /// mentioning each of `mentions`.
    Error {
        task: &'static str,
        attempts: usize,
        mentions: Vec<&'static str>,
    },
}

/// What a value in a task's result must be.
pub enum Want {
    Is(Value),
    /// The same as (task, JSON pointer) in another task's result: ids the stub hands out.
    SameAs(&'static str, &'static str),
}

/// The runs: the five generated seed workflows and [`ACTIONS_WORKFLOW`].
pub fn cases(fx: &Fixtures) -> Vec<Case> {
    use Want::{Is, SameAs};
    vec![
        Case {
            workflow: "start_server",
            why: "seed; the server is ACTIVE",
            input: json!({"server_id": fx.server}),
            token: None,
            target_cloud: false,
            expect: Expect::Success(vec![("wait_for_server", "", Is(json!(true)))]),
        },
        Case {
            workflow: "stop_server",
            why: "seed; status mismatch: the server stays ACTIVE",
            input: json!({"server_id": fx.server}),
            token: None,
            target_cloud: false,
            expect: Expect::Error {
                task: "wait_for_server",
                attempts: 6,
                mentions: vec!["is 'ACTIVE'", "expect 'SHUTOFF'"],
            },
        },
        Case {
            workflow: "create_volume_backup",
            why:
                "seed; the new backup is `creating` at the first check, `available` after one retry",
            input: json!({"volume_id": fx.volume, "backup_name": "seed-backup"}),
            token: None,
            target_cloud: false,
            expect: Expect::Success(vec![("wait_for_active", "", Is(json!(true)))]),
        },
        Case {
            workflow: "create_image",
            why: "seed; Mistral's own nova.servers_create_image on the stub (X-Target-* headers), \
                  the image `saving` until Glance is next read",
            input: json!({"server_id": fx.server, "image_name": "e2e-image"}),
            token: None,
            target_cloud: true,
            expect: Expect::Success(vec![
                ("wait_for_image", "/0/id", SameAs("create_image", "")),
                ("wait_for_image", "/0/name", Is(json!("e2e-image"))),
                ("wait_for_image", "/0/status", Is(json!("active"))),
                ("wait_for_image", "/1", Is(Value::Null)),
            ]),
        },
        Case {
            workflow: "create_volume_snapshot",
            why: "seed; Mistral's own cinder.volume_snapshots_create on the stub (X-Target-* \
                  headers), `creating` in its result, `available` when checked (cinderclient \
                  reads it once more while Mistral serializes the result)",
            input: json!({"volume_id": fx.volume, "snapshot_name": "e2e-snapshot"}),
            token: None,
            target_cloud: true,
            expect: Expect::Success(vec![
                ("create_snapshot", "/volume_id", Is(json!(fx.volume))),
                ("create_snapshot", "/name", Is(json!("e2e-snapshot"))),
                ("create_snapshot", "/status", Is(json!("creating"))),
                ("wait_for_active", "", Is(json!(true))),
            ]),
        },
        Case {
            workflow: "e2e_actions",
            why: "every action of the specs, the whole output compared",
            input: actions_input(fx),
            token: None,
            target_cloud: false,
            expect: Expect::Success(vec![(
                "*",
                "",
                Is(json!({
                    "server_status": "ACTIVE",
                    "server_active": true,
                    "server_running": true,
                    "volume_available": true,
                    "snapshot_available": true,
                    "backup_available": true,
                    "image_active": true,
                    "image_ids": [fx.image],
                    "trove_backup_completed": true,
                    "new_backup": {"volume_id": fx.volume, "name": "e2e"},
                    "chained_backup_volume": fx.volume,
                    "new_snapshot": {"volume_id": fx.volume, "named_after_volume": true},
                    "trove_backup_instance": fx.trove_instance,
                    "exec_output": "3\n",
                })),
            )]),
        },
        Case {
            workflow: "e2e_actions",
            why: "a wrong bearer token in Mistral's environment",
            input: actions_input(fx),
            token: Some("not-the-token"),
            target_cloud: false,
            expect: Expect::Error {
                task: "get_status",
                attempts: 1,
                mentions: vec!["a valid bearer token is required"],
            },
        },
    ]
}

/// Starts every case at once, then checks each as it ends; all failures are reported.
/// `target` are the `X-Target-*` headers for the cases that ask for them.
pub fn run_all(
    api: &MistralApi,
    cases: &[Case],
    env: &Value,
    target: &[(&str, String)],
) -> Result<(), String> {
    let mut running = Vec::new();
    for case in cases {
        let mut env = env.clone();
        if let Some(token) = case.token {
            env["mistral_actions_token"] = json!(token);
        }
        let headers = if case.target_cloud { target } else { &[] };
        let id = api.start_execution(case.workflow, &case.input, &env, headers)?;
        running.push((case, id, Instant::now()));
    }
    let mut failures = Vec::new();
    while !running.is_empty() {
        std::thread::sleep(Duration::from_millis(500));
        let mut still = Vec::new();
        for (case, id, started) in running {
            let exec = api.execution(&id)?;
            let state = exec["state"].as_str().unwrap_or("?").to_string();
            if matches!(state.as_str(), "RUNNING" | "IDLE" | "PAUSED") {
                if started.elapsed() > TIMEOUT {
                    failures.push(format!(
                        "{} ({}): still {state} after {}s",
                        case.workflow,
                        case.why,
                        TIMEOUT.as_secs()
                    ));
                } else {
                    still.push((case, id, started));
                }
                continue;
            }
            let secs = started.elapsed().as_secs_f32();
            match check(api, case, &id, &exec) {
                Ok(summary) => eprintln!(
                    "    ok: {} ({}) ended {state} in {secs:.0}s: {summary}",
                    case.workflow, case.why
                ),
                Err(e) => failures.push(format!("{} ({}): {e}", case.workflow, case.why)),
            }
        }
        running = still;
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{} of {} workflow run(s) went wrong:\n  {}",
            failures.len(),
            cases.len(),
            failures.join("\n  ")
        ))
    }
}

fn check(api: &MistralApi, case: &Case, id: &str, exec: &Value) -> Result<String, String> {
    let state = exec["state"].as_str().unwrap_or("?");
    let tasks = api.tasks(id)?;
    let task_states: Vec<String> = tasks
        .iter()
        .map(|t| {
            format!(
                "{}={}",
                t["name"].as_str().unwrap_or("?"),
                t["state"].as_str().unwrap_or("?")
            )
        })
        .collect();
    match &case.expect {
        Expect::Success(wanted) => {
            if state != "SUCCESS" {
                return Err(format!(
                    "ended {state}, expected SUCCESS; tasks {task_states:?}; {}",
                    exec["state_info"]
                ));
            }
            let output = json_text(&exec["output"]);
            // (label, value; null when absent) of a task's result (`*`: the output).
            let read = |task: &str, pointer: &str| -> Result<(String, Value), String> {
                let (label, got) = if task == "*" {
                    (format!("output{pointer}"), output.pointer(pointer).cloned())
                } else {
                    let result = match tasks.iter().find(|t| t["name"] == task) {
                        Some(t) => Some(json_text(
                            &api.task(t["id"].as_str().unwrap_or(""))?["result"],
                        )),
                        None => None,
                    };
                    (
                        format!("{task}.result{pointer}"),
                        result.and_then(|r| r.pointer(pointer).cloned()),
                    )
                };
                Ok((label, got.unwrap_or(Value::Null)))
            };
            let mut seen = Vec::new();
            for (task, pointer, want) in wanted {
                let (label, got) = read(task, pointer)?;
                let value = match want {
                    Want::Is(value) => value.clone(),
                    Want::SameAs(task, pointer) => match read(task, pointer)? {
                        (other, Value::Null) => {
                            return Err(format!("{other} is null; tasks {task_states:?}"))
                        }
                        (_, value) => value,
                    },
                };
                if got != value {
                    return Err(format!(
                        "{label} is {got}, expected {value}; tasks {task_states:?}"
                    ));
                }
                seen.push(format!("{label}={got}"));
            }
            Ok(seen.join(", "))
        }
        Expect::Error {
            task,
            attempts,
            mentions,
        } => {
            if state != "ERROR" {
                return Err(format!(
                    "ended {state}, expected ERROR; tasks {task_states:?}"
                ));
            }
            let found = tasks
                .iter()
                .find(|t| t["name"] == *task)
                .ok_or_else(|| format!("no task {task}; tasks {task_states:?}"))?;
            if found["state"] != "ERROR" {
                return Err(format!("task {task} is {}, expected ERROR", found["state"]));
            }
            let tries = api
                .action_executions(found["id"].as_str().unwrap_or(""))?
                .len();
            if tries != *attempts {
                return Err(format!("task {task} ran its action {tries} time(s), expected {attempts} (retry policy)"));
            }
            let full = api.task(found["id"].as_str().unwrap_or(""))?;
            let said = format!(
                "{} {}",
                json_text(&full["result"]),
                full["state_info"].as_str().unwrap_or_default()
            );
            let absent: Vec<_> = mentions.iter().filter(|m| !said.contains(**m)).collect();
            if !absent.is_empty() {
                return Err(format!(
                    "task {task}'s result does not mention {absent:?}: {said}"
                ));
            }
            let line = said
                .lines()
                .find(|l| l.contains(mentions[0]))
                .unwrap_or_default();
            Ok(format!(
                "task {task} tried {tries} times; Mistral shows: {}",
                line.chars().take(400).collect::<String>()
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_is_found_by_its_full_name_only() {
        assert!(calls("int32bit.cinder.backups.create"));
        assert!(calls("int32bit.cinder.backups.create_backup"));
        assert!(calls("int32bit.system.exec"));
        assert!(!calls("int32bit.cinder.backups"));
        assert!(!calls("int32bit.nova.servers.get"));
    }

    #[test]
    fn the_generated_workflows_are_read_sorted_and_only_yaml() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("generated/workflows");
        fs::create_dir_all(&dir).unwrap();
        for (name, text) in [("b.yaml", "b"), ("a.yaml", "a"), ("notes.txt", "x")] {
            fs::write(dir.join(name), text).unwrap();
        }
        let found = generated_workflows(root.path()).unwrap();
        assert_eq!(
            found,
            [
                ("a.yaml".to_string(), "a".to_string()),
                ("b.yaml".into(), "b".into())
            ]
        );
        fs::remove_file(dir.join("a.yaml")).unwrap();
        fs::remove_file(dir.join("b.yaml")).unwrap();
        assert!(generated_workflows(root.path()).is_err());
    }
}
