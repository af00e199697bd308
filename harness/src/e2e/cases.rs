//! The workflow runs the e2e expects on the real resources, and what each must end with.

use std::fs;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use harness_contract::OpenStackEnv;
use serde_json::{json, Value};

use super::resources::Resources;

/// `generated/workflows/*.yaml`, sorted by file name: (file name, text).
pub fn generated_workflows(root: &Path) -> Result<Vec<(String, String)>> {
    let dir = root.join("generated").join("workflows");
    let mut files: Vec<(String, String)> = Vec::new();
    let entries = fs::read_dir(&dir).map_err(|e| {
        anyhow!("no generated workflows in generated/workflows ({e}); run `cargo xtask generate`")
    })?;
    for entry in entries.filter_map(|e| e.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".yaml") {
            let text = fs::read_to_string(entry.path())
                .with_context(|| format!("cannot read generated/workflows/{name}"))?;
            files.push((name, text));
        }
    }
    files.sort();
    if files.is_empty() {
        bail!("no generated/workflows/*.yaml; run `cargo xtask generate`");
    }
    Ok(files)
}

/// A workflow of our own beside the generated ones: every action the specs define, called
/// through Mistral at once (no transitions: all tasks start together) on real resources,
/// their results gathered in the output so it can be compared whole. What the creating
/// actions make gets new ids (compared as `<uuid>`); the rest is known in advance.
pub const ACTIONS_WORKFLOW: &str = "---
version: '2.0'
e2e_actions:
  input: [server_id, volume_id, snapshot_id, backup_id, image_id, image_name, trove_instance_id,
          trove_backup_id, backup_volume_id, chain_volume_id, snapshot_volume_id]
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
    chained_backup: <% $.chained_backup %>
    new_snapshot: <% $.new_snapshot %>
    trove_backup: <% $.trove_backup %>
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
        volume_id: <% $.backup_volume_id %>
        backup_name: e2e
        incremental: false
      publish:
        new_backup: {id: <% task().result.id %>, name: <% task().result.name %>, is_incremental: <% task().result.is_incremental %>}
    create_chained_backup:
      action: int32bit.cinder.backups.create_backup volume_id=<% $.chain_volume_id %>
      publish:
        chained_backup: {id: <% task().result.id %>, named_after_volume: <% task().result.name.startsWith('e2e_data_snap_') %>, is_incremental: <% task().result.is_incremental %>}
    create_snapshot:
      action: int32bit.cinder.snapshots.create_snapshot volume_id=<% $.snapshot_volume_id %>
      publish:
        new_snapshot: {id: <% task().result.id %>, volume_id: <% task().result.volume_id %>, named_after_volume: <% task().result.name.startsWith('e2e_data_snap_') %>}
    create_trove_backup:
      action: int32bit.trove.backups.create_backup instance_id=<% $.trove_instance_id %>
      publish:
        trove_backup: {id: <% task().result.id %>, instance_id: <% task().result.instance_id %>, parent_id: <% task().result.parent_id %>}
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

fn actions_input(r: &Resources, env: &OpenStackEnv) -> Value {
    json!({
        "server_id": r.server, "volume_id": r.volume, "snapshot_id": r.snapshot,
        "backup_id": r.backup, "image_id": env.image_id, "image_name": env.image_name,
        "trove_instance_id": r.trove_instance, "trove_backup_id": r.trove_backup,
        "backup_volume_id": r.volume_for_backup, "chain_volume_id": r.volume_for_chain,
        "snapshot_volume_id": r.volume_for_snapshot,
    })
}

pub struct Case {
    pub workflow: &'static str,
    pub why: &'static str,
    pub input: Value,
    /// Replaces the bearer token Mistral's environment gives our actions.
    pub token: Option<&'static str>,
    pub expect: Expect,
    /// What OpenStack must show once the run has ended.
    pub shows: Vec<Shows>,
}

pub enum Expect {
    /// SUCCESS with every task SUCCESS, and each (task, JSON pointer into its result,
    /// wanted value) holds; task `*` is the workflow's output.
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
    /// This value; a `"<uuid>"` in it stands for any UUID.
    Is(Value),
    /// The same as (task, JSON pointer) in another task's result: ids made during the run.
    SameAs(&'static str, &'static str),
}

/// The value at `pointer` of `GET path` from the service of catalog type `service`.
pub struct Shows {
    pub service: &'static str,
    pub path: String,
    pub pointer: &'static str,
    pub want: Value,
}

fn shows(service: &'static str, path: &str, pointer: &'static str, want: Value) -> Shows {
    Shows {
        service,
        path: path.to_string(),
        pointer,
        want,
    }
}

/// A server's status and power state (1 running, 3 paused, 4 shut down).
fn server_shows(id: &str, status: &str, power: u8) -> Vec<Shows> {
    let path = format!("/servers/{id}");
    vec![
        shows("compute", &path, "/server/status", json!(status)),
        shows(
            "compute",
            &path,
            "/server/OS-EXT-STS:power_state",
            json!(power),
        ),
    ]
}

fn success(
    workflow: &'static str,
    why: &'static str,
    input: Value,
    wanted: Vec<(&'static str, &'static str, Want)>,
    after: Vec<Shows>,
) -> Case {
    Case {
        workflow,
        why,
        input,
        token: None,
        expect: Expect::Success(wanted),
        shows: after,
    }
}

/// The runs: the five generated seed workflows and [`ACTIONS_WORKFLOW`]. Cases of one
/// sequence run one after the other (they share a resource), sequences side by side.
/// `env` is env.json; `image_name` names the image `create_image` makes.
pub fn cases(r: &Resources, env: &OpenStackEnv, image_name: &str) -> Vec<Vec<Case>> {
    use Want::{Is, SameAs};
    let seed_wait = |task| vec![(task, "", Is(json!(true)))];
    // stop_server, then start_server, on one server; each ends with it in `status`.
    let cycle = |workflow, why, status, power| {
        let input = json!({"server_id": r.server_cycled});
        let after = server_shows(&r.server_cycled, status, power);
        success(workflow, why, input, seed_wait("wait_for_server"), after)
    };
    vec![
        vec![
            cycle(
                "stop_server",
                "seed; a running server: Mistral's nova.servers_stop, then our assert sees SHUTOFF",
                "SHUTOFF",
                4,
            ),
            cycle(
                "start_server",
                "seed; the server just stopped: nova.servers_start, then ACTIVE",
                "ACTIVE",
                1,
            ),
        ],
        vec![Case {
            workflow: "stop_server",
            why: "seed; status mismatch: Nova refuses to stop a PAUSED server",
            input: json!({"server_id": r.server_paused}),
            token: None,
            expect: Expect::Error {
                task: "wait_for_server",
                attempts: 6,
                mentions: vec!["server status is 'PAUSED'", "expect 'SHUTOFF'"],
            },
            shows: server_shows(&r.server_paused, "PAUSED", 3),
        }],
        vec![success(
            "create_image",
            "seed; Mistral's nova.servers_create_image, then our filter_by until Glance has it active",
            json!({"server_id": r.server_imaged, "image_name": image_name}),
            vec![
                ("wait_for_image", "/0/id", SameAs("create_image", "")),
                ("wait_for_image", "/0/name", Is(json!(image_name))),
                ("wait_for_image", "/0/status", Is(json!("active"))),
                ("wait_for_image", "/1", Is(Value::Null)),
            ],
            vec![
                shows("image", &format!("/v2/images?name={image_name}"), "/images/0/status", json!("active")),
                shows("image", &format!("/v2/images?name={image_name}"), "/images/1", Value::Null),
            ],
        )],
        vec![success(
            "create_volume_snapshot",
            "seed; Mistral's cinder.volume_snapshots_create, then our assert_status until available",
            json!({"volume_id": r.volume_snapshotted, "snapshot_name": "e2e-snapshot"}),
            // Not its status: cinderclient may read the snapshot again while Mistral
            // serializes the result, so it is `creating` or already `available`.
            vec![
                ("create_snapshot", "/id", Is(json!("<uuid>"))),
                ("create_snapshot", "/volume_id", Is(json!(r.volume_snapshotted))),
                ("create_snapshot", "/name", Is(json!("e2e-snapshot"))),
                ("wait_for_active", "", Is(json!(true))),
            ],
            {
                let path = format!("/snapshots/detail?volume_id={}", r.volume_snapshotted);
                vec![
                    shows("volumev3", &path, "/snapshots/0/status", json!("available")),
                    shows("volumev3", &path, "/snapshots/0/name", json!("e2e-snapshot")),
                    shows("volumev3", &path, "/snapshots/1", Value::Null),
                ]
            },
        )],
        vec![success(
            "create_volume_backup",
            "seed with its defaults (incremental: a full backup, as the volume has none), \
             finished by the real cinder-backup",
            json!({"volume_id": r.volume_backed_up, "backup_name": "e2e-backup"}),
            vec![
                ("create_backup", "/id", Is(json!("<uuid>"))),
                ("create_backup", "/is_incremental", Is(json!(false))),
                (
                    "create_backup",
                    "/incremental_skipped",
                    Is(json!("the volume has no available backup to build on")),
                ),
                ("wait_for_active", "", Is(json!(true))),
            ],
            {
                let path = format!("/backups/detail?volume_id={}", r.volume_backed_up);
                vec![
                    shows("volumev3", &path, "/backups/0/status", json!("available")),
                    shows("volumev3", &path, "/backups/0/description", json!("Created by mistral")),
                    shows("volumev3", &path, "/backups/0/is_incremental", json!(false)),
                    shows("volumev3", &path, "/backups/1", Value::Null),
                ]
            },
        )],
        vec![success(
            "e2e_actions",
            "every action of the specs, the whole output compared",
            actions_input(r, env),
            vec![(
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
                    "image_ids": [env.image_id],
                    "trove_backup_completed": true,
                    "new_backup": {"id": "<uuid>", "name": "e2e", "is_incremental": false},
                    // A fresh volume: the chain starts with a full backup.
                    "chained_backup": {"id": "<uuid>", "named_after_volume": true, "is_incremental": false},
                    "new_snapshot": {"id": "<uuid>", "volume_id": r.volume_for_snapshot, "named_after_volume": true},
                    // The only backup before is not ours: a new chain, no parent.
                    "trove_backup": {"id": "<uuid>", "instance_id": r.trove_instance, "parent_id": null},
                    "exec_output": "3\n",
                })),
            )],
            vec![],
        )],
        vec![Case {
            workflow: "e2e_actions",
            why: "a wrong bearer token in Mistral's environment",
            input: actions_input(r, env),
            token: Some("not-the-token"),
            expect: Expect::Error {
                task: "get_status",
                attempts: 1,
                mentions: vec!["a valid bearer token is required"],
            },
            shows: vec![],
        }],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_actions_workflow_checks_names_against_the_data_volumes_name() {
        let check = format!(
            "startsWith('{}_snap_')",
            super::super::resources::DATA_VOLUME
        );
        assert_eq!(ACTIONS_WORKFLOW.matches(&check).count(), 2);
    }

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
