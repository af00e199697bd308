//! Input values stay out of the server's log, on real OpenStack. The binary runs as an
//! operator runs it (clouds.yaml, debug logging for our crates); a marker goes into every
//! input of every action, in valid calls and in invalid ones: wrong types, unknown
//! resources (Nova's, Cinder's, Glance's and Trove's 404s echo the id), Cinder's 400 that
//! echoes the request, refused headers, exec failures whose stderr holds the marker and
//! line breaks. No log line holds the marker or an id the calls sent, every log line is
//! one event, and the log still says what an operator needs (input name and expected
//! type, OpenStack's status and request id, the allowlisted program and its exit code),
//! while the error bodies keep the details. All of it twice: with the text log and with
//! `--log-format json`, whose every line must also be a JSON object with the request's
//! fields.

use std::time::{SystemTime, UNIX_EPOCH};

use mistral_actions_runtime::Uuid;
use serde_json::{json, Value};

use crate::process::{self, Running};
use crate::support::{env, text, unique, Fixtures, TOKEN};

/// A marker no other text holds, as a plain word and as a well-formed UUID.
fn markers() -> (String, String) {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let hex = format!("{:012x}", (nanos as u64) & 0xffff_ffff_ffff);
    (
        format!("mk{hex}q"),
        format!(
            "5eed5eed-{}-4{}-8{}-{hex}",
            &hex[..4],
            &hex[4..7],
            &hex[7..10]
        ),
    )
}

struct Calls {
    server: Running,
    client: reqwest::Client,
    mark: String,
    /// Every value the calls sent that must not be logged: those with the marker, and
    /// the ids (words like `available` are also the log's own).
    sent: Vec<String>,
}

impl Calls {
    /// POSTs `input` to `action`; the answer's status must be one of `statuses`.
    async fn expect(&mut self, action: &str, input: Value, statuses: &[u16]) -> Value {
        self.remember(&input);
        self.send(action, input.to_string(), &[], statuses).await
    }

    async fn send(
        &self,
        action: &str,
        body: String,
        headers: &[(&str, &str)],
        statuses: &[u16],
    ) -> Value {
        let mut req = self
            .client
            .post(format!("{}/v1/actions/{action}", self.server.url))
            .bearer_auth(TOKEN)
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.expect("the server answers");
        let status = r.status().as_u16();
        let body: Value = r.json().await.expect("a JSON body");
        assert!(statuses.contains(&status), "{action}: {status} {body}");
        body
    }

    fn remember(&mut self, input: &Value) {
        match input {
            Value::String(s) if s.contains(&self.mark) || Uuid::parse(s).is_some() => {
                self.sent.push(s.clone())
            }
            Value::Array(items) => items.iter().for_each(|v| self.remember(v)),
            Value::Object(map) => map.values().for_each(|v| self.remember(v)),
            _ => {}
        }
    }
}

/// The message of an error body.
fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Json,
}

#[tokio::test]
async fn no_input_value_reaches_the_text_log_and_every_entry_is_one_line() {
    no_input_value_reaches_the_log(Format::Text).await;
}

#[tokio::test]
async fn no_input_value_reaches_the_json_log_and_every_entry_is_one_object() {
    no_input_value_reaches_the_log(Format::Json).await;
}

async fn no_input_value_reaches_the_log(format: Format) {
    let (mark, mark_id) = markers();
    let f = Fixtures::user();
    let e = env();

    // What the valid calls act on.
    let server_id = f.server(&unique("logs")).await;
    let volume = f.volume(&unique("logs")).await;
    let snapshot = f.snapshot(&volume).await;
    let backup = f.foreign_backup(&volume, false).await;
    let image = e.image_id.clone();
    let queued = f
        .post(
            "image",
            "/v2/images",
            json!({"name": mark, "container_format": "bare", "disk_format": "qcow2"}),
        )
        .await;
    let queued = text(&queued["id"]);
    let instance = f.trove_instance(&unique("logs")).await;
    let trove_backup = f.foreign_trove_backup(&instance, None).await;

    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("server.yaml");
    std::fs::write(&config, "exec:\n  allow: [echo, ls]\n").unwrap();
    let mut cmd = process::command();
    cmd.arg("--config")
        .arg(&config)
        .env("MISTRAL_ACTIONS_TOKEN", TOKEN)
        .env("OS_CLIENT_CONFIG_FILE", &e.clouds_yaml)
        .env("OS_CLOUD", "ma-test")
        .env(
            "MISTRAL_ACTIONS_LOG",
            "info,mistral_actions_server=debug,mistral_actions_runtime=debug",
        );
    if format == Format::Json {
        cmd.args(["--log-format", "json"]);
    }
    let mut c = Calls {
        server: Running::start(cmd).await,
        client: reqwest::Client::new(),
        mark: mark.clone(),
        sent: vec![mark.clone(), mark_id.clone()],
    };
    let broken = format!("{mark}\nERROR forged entry \u{1b}[2J");

    // Each action: a valid call with the marker wherever the action still succeeds, then
    // a wrong type, an unknown resource and what else fails upstream.
    for (action, id_input, id, status_ok) in [
        (
            "int32bit.cinder.backups.assert_status",
            "backup_id",
            &backup,
            "available",
        ),
        (
            "int32bit.cinder.snapshots.assert_status",
            "snapshot_id",
            &snapshot,
            "available",
        ),
        (
            "int32bit.cinder.volumes.assert_status",
            "volume_id",
            &volume,
            "available",
        ),
        (
            "int32bit.glance.images.assert_status",
            "image_id",
            &image,
            "active",
        ),
        (
            "int32bit.nova.servers.assert_status",
            "server_id",
            &server_id,
            "ACTIVE",
        ),
        (
            "int32bit.nova.servers.assert_power_status",
            "server_id",
            &server_id,
            "running",
        ),
        (
            "int32bit.trove.backups.assert_status",
            "backup_id",
            &trove_backup,
            "COMPLETED",
        ),
    ] {
        c.expect(action, json!({ id_input: id, "status": status_ok }), &[200])
            .await;
        // The power state is an enum: another value is refused before OpenStack.
        c.expect(
            action,
            json!({ id_input: id, "status": broken }),
            &[400, 409],
        )
        .await;
        c.expect(action, json!({ id_input: id, "status": [mark] }), &[400])
            .await;
        c.expect(action, json!({ id_input: broken }), &[400]).await;
        let missing = c.expect(action, json!({ id_input: mark_id }), &[502]).await;
        assert!(message(&missing).contains("404"), "{missing}");
        c.expect(action, json!({ id_input: id, "extra": broken }), &[400])
            .await;
    }
    for (action, id_input, id) in [
        ("int32bit.nova.servers.get_status", "server_id", &server_id),
        (
            "int32bit.cinder.snapshots.create_snapshot",
            "volume_id",
            &volume,
        ),
        (
            "int32bit.trove.backups.create_backup",
            "instance_id",
            &instance,
        ),
    ] {
        c.expect(action, json!({ id_input: id }), &[200]).await;
        c.expect(action, json!({ id_input: broken }), &[400]).await;
        c.expect(action, json!({ id_input: mark_id }), &[502]).await;
        c.expect(action, json!({ id_input: 7 }), &[400]).await;
    }
    // The snapshot just made must settle before the volume can be backed up.
    f.wait_for(
        "volumev3",
        &format!("/volumes/{volume}"),
        "/volume/status",
        "available",
    )
    .await;

    const CREATE: &str = "int32bit.cinder.backups.create";
    let made = c
        .expect(
            CREATE,
            json!({"volume_id": volume, "backup_name": mark, "snapshot_id": snapshot,
                   "description": format!("{mark} before the upgrade"),
                   "container": mark, "incremental": false, "force": true}),
            &[200],
        )
        .await;
    f.backup_done(&text(&made["result"]["id"]), &volume).await;
    // Cinder's own 400 quotes the name it refused; the body keeps it with the request id.
    let long = format!("{mark}{}", "x".repeat(300));
    let refused = c
        .expect(
            CREATE,
            json!({"volume_id": volume, "backup_name": long}),
            &[502],
        )
        .await;
    assert!(
        message(&refused).contains("400") && message(&refused).contains(&mark),
        "{refused}"
    );
    assert!(message(&refused).contains("(request id req-"), "{refused}");
    // Cinder refuses control characters, quoting them back.
    let refused = c
        .expect(
            CREATE,
            json!({"volume_id": volume, "backup_name": mark, "description": broken}),
            &[502],
        )
        .await;
    assert!(message(&refused).contains("\nERROR forged"), "{refused}");
    let typed = c
        .expect(
            CREATE,
            json!({"volume_id": volume, "backup_name": mark, "incremental": broken}),
            &[400],
        )
        .await;
    assert_eq!(
        message(&typed),
        "input `incremental`: expected a boolean, got a string"
    );
    c.expect(
        CREATE,
        json!({"volume_id": mark_id, "backup_name": mark}),
        &[502],
    )
    .await;
    c.expect(
        CREATE,
        json!({"volume_id": broken, "backup_name": mark}),
        &[400],
    )
    .await;

    const CHAIN: &str = "int32bit.cinder.backups.create_backup";
    let made = c
        .expect(CHAIN, json!({ "volume_id": volume }), &[200])
        .await;
    f.backup_done(&text(&made["result"]["id"]), &volume).await;
    c.expect(CHAIN, json!({ "volume_id": mark_id }), &[502])
        .await;
    c.expect(CHAIN, json!({ "volume_id": broken }), &[400])
        .await;

    const FILTER: &str = "int32bit.glance.images.filter_by";
    let found = c
        .expect(
            FILTER,
            json!({"name": mark, "id": queued, "status": "queued",
                   "container_format": "bare", "disk_format": "qcow2"}),
            &[200],
        )
        .await;
    assert_eq!(found["result"][0]["id"], json!(queued), "{found}");
    c.expect(FILTER, json!({ "name": broken }), &[409]).await;
    c.expect(
        FILTER,
        json!({ "status": broken, "disk_format": mark }),
        &[409, 502],
    )
    .await;
    c.expect(FILTER, json!({ "id": mark }), &[400]).await;

    const EXEC: &str = "int32bit.system.exec";
    let echoed = c
        .expect(EXEC, json!({ "cmd": format!("echo {mark}") }), &[200])
        .await;
    assert_eq!(echoed["result"], json!(format!("{mark}\n")));
    // stderr: two lines, each naming a marker path; the body keeps them.
    let failed = c
        .expect(
            EXEC,
            json!({ "cmd": format!("ls /{mark} /{mark}-2") }),
            &[422],
        )
        .await;
    assert!(
        message(&failed).contains("exit code 2") && message(&failed).contains(&mark),
        "{failed}"
    );
    for cmd in [
        format!("{mark} --now"),
        format!("echo hi | {mark}"),
        format!("echo '{mark}"),
        format!("echo {mark} | ls | ls"),
        broken.clone(),
    ] {
        c.expect(EXEC, json!({ "cmd": cmd }), &[400, 403]).await;
    }
    c.expect(EXEC, json!({ "cmd": [mark] }), &[400]).await;
    // A body that is not JSON, and headers naming what the server may not select.
    c.send(EXEC, format!("{{\"cmd\": \"{mark}"), &[], &[400])
        .await;
    for header in ["X-OpenStack-Project", "X-OpenStack-Region"] {
        let body = c
            .send(
                "int32bit.nova.servers.get_status",
                json!({ "server_id": server_id }).to_string(),
                &[(header, &mark)],
                &[403],
            )
            .await;
        assert!(message(&body).contains(&mark), "{body}");
    }

    let log = c.server.stop().await;
    match format {
        Format::Text => process::assert_one_line_each(&log),
        Format::Json => process::assert_json_lines(&log),
    }
    for value in &c.sent {
        let first_line = value.lines().next().unwrap_or_default();
        for line in &log {
            assert!(
                !line.contains(first_line),
                "a value the caller sent ({first_line:?}) is in the log: {line}"
            );
        }
    }
    // What the log says instead.
    let said = |what: &str| {
        assert!(
            log.iter().any(|l| l.contains(what)),
            "no log line says {what:?}: {log:#?}"
        )
    };
    said("input `incremental`: expected a boolean, got a string");
    said("volumev3 answered 400 to POST (request id req-");
    said("compute answered 404 to GET (request id req-");
    said("'ls' failed with exit code 2");
    said("a program not in exec.allow was refused");
    said("X-OpenStack-Project named a project outside openstack.projects");
}
