//! The operator CLI as a program: `config check` against the stub Keystone (a good
//! configuration, and each kind of mistake named), `action-list` against a stand-in
//! Mistral serving the rows built into the binary.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_mistral-actions");

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    /// server.yaml with a token file, clouds.yaml for the stub with `password`, and an
    /// environment file naming the cloud.
    fn new(auth_url: &str, password: &str, yaml: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let p = |f: &str| dir.path().join(f);
        fs::write(p("token"), "a-token-of-the-server\n").unwrap();
        fs::write(
            p("server.yaml"),
            format!("token_file: {}\n{yaml}", p("token").display()),
        )
        .unwrap();
        fs::write(
            p("clouds.yaml"),
            format!(
                "clouds:\n  stub:\n    auth:\n      auth_url: {auth_url}\n      username: {}\n      password: {password}\n      project_name: {}\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n",
                stub_openstack::USERNAME,
                stub_openstack::PROJECT_NAME
            ),
        )
        .unwrap();
        fs::write(
            p("env"),
            format!("# as /etc/default/mistral-actions-server\nOS_CLOUD=stub\nOS_CLIENT_CONFIG_FILE={}\n", p("clouds.yaml").display()),
        )
        .unwrap();
        Setup { dir }
    }

    fn path(&self, f: &str) -> String {
        self.dir.path().join(f).display().to_string()
    }

    /// (exit 0?, stdout, stderr) of `config check`.
    fn check(&self) -> (bool, String, String) {
        let out = Command::new(BIN)
            .args(["config", "check", "--config", &self.path("server.yaml")])
            .args(["--env-file", &self.path("env")])
            .env("OS_CLOUD", "not-this-one")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn config_check_logs_in_and_names_every_mistake() {
    let stub = stub_openstack::Stub::start(stub_openstack::World::with_fixtures()).await;
    let auth = stub.auth_url();
    let password = stub_openstack::PASSWORD;
    let (ok, out, err) = tokio::task::spawn_blocking({
        let s = Setup::new(&auth, password, "");
        move || s.check()
    })
    .await
    .unwrap();
    assert!(ok, "{out}{err}");
    assert!(out.contains("logged in: project admin"), "{out}");
    assert!(out.contains("password <redacted>"), "{out}");
    assert!(
        out.contains("only OS_CLIENT_CONFIG_FILE, OS_CLOUD")
            || out.contains("OS_CLIENT_CONFIG_FILE, OS_CLOUD"),
        "{out}"
    );
    for secret in [password, "a-token-of-the-server"] {
        assert!(
            !out.contains(secret) && !err.contains(secret),
            "{secret} printed"
        );
    }

    let cases: [(&str, &str, &str); 4] = [
        ("wrong-password", "", "Keystone login failed"),
        (password, "listen_on: 1\n", "unknown field `listen_on`"),
        (
            password,
            "exec:\n  allow: [no-such-program-here]\n",
            "exec.allow: no-such-program-here is not found",
        ),
        (
            password,
            "tls:\n  cert: /nonexistent/cert.pem\n  key: /nonexistent/key.pem\n",
            "/nonexistent/cert.pem",
        ),
    ];
    for (password, yaml, said) in cases {
        let s = Setup::new(&auth, password, yaml);
        let (ok, out, err) = tokio::task::spawn_blocking(move || s.check())
            .await
            .unwrap();
        assert!(!ok, "{yaml}: {out}");
        assert!(err.contains(said), "{yaml}: wanted {said:?} in {err}");
        assert!(!err.contains(stub_openstack::PASSWORD) && !out.contains(stub_openstack::PASSWORD));
    }

    // A missing token file is named with its path.
    let s = Setup::new(&auth, password, "");
    fs::remove_file(s.dir.path().join("token")).unwrap();
    let token = s.path("token");
    let (ok, _, err) = tokio::task::spawn_blocking(move || s.check())
        .await
        .unwrap();
    assert!(!ok && err.contains(&token), "{err}");
}

/// A stand-in for Mistral's `GET /v2/actions`: answers every request with `body`, in the
/// shape of Mistral's `Actions` resource (mistral/api/controllers/v2/resources.py:
/// `{"actions": [...]}`, each with name, description, input, definition, tags). It tests
/// the CLI's comparison only; the e2e run checks the packaged `action-list` against a real
/// Mistral 23 (all ours matching after the ups, each missing after the downs).
fn mistral(body: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v2", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

fn action_list(url: &str) -> (bool, serde_json::Value) {
    let out = Command::new(BIN)
        .args(["action-list", "--format", "json", "--url", url])
        .env_remove("OS_CLOUD")
        .env_remove("OS_AUTH_URL")
        .current_dir(Path::new("/"))
        .output()
        .unwrap();
    (
        out.status.success(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn action_list_compares_with_the_rows_built_in() {
    let state: serde_json::Value =
        serde_json::from_str(include_str!("../../generated/sql/state.json")).unwrap();
    let listed: Vec<serde_json::Value> = state["rows"]
        .as_object()
        .unwrap()
        .values()
        .map(|r| {
            let tags: serde_json::Value = serde_json::from_str(r["tags"].as_str().unwrap()).unwrap();
            serde_json::json!({"name": r["name"], "description": r["description"], "input": r["input"], "definition": r["definition"], "tags": tags})
        })
        .collect();
    let n = listed.len();
    let (ok, verdicts) = action_list(&mistral(serde_json::json!({"actions": listed}).to_string()));
    assert!(ok, "{verdicts}");
    let verdicts = verdicts.as_array().unwrap();
    assert_eq!(verdicts.len(), n);
    assert!(
        verdicts.iter().all(|v| v["verdict"] == "matches"),
        "{verdicts:?}"
    );

    let (ok, verdicts) = action_list(&mistral(
        r#"{"actions": [{"name": "std.echo", "tags": []}]}"#.into(),
    ));
    assert!(!ok);
    assert!(verdicts
        .as_array()
        .unwrap()
        .iter()
        .all(|v| v["verdict"] == "missing"));
}
