//! `cargo xtask action-list` logs in like the action server does (one Keystone client):
//! clouds.yaml, and Keystone over TLS with a private CA trusted through `cacert` only.
//! Runs against the real Keystone `cargo xtask ci` starts (`MA_TEST_OPENSTACK`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn env_json() -> serde_json::Value {
    let path = std::env::var("MA_TEST_OPENSTACK").unwrap_or_default();
    assert!(
        !path.is_empty(),
        "MA_TEST_OPENSTACK is not set: this test logs in to the real Keystone that `cargo \
         xtask ci` starts; to run it alone, start `cargo xtask openstack` and export what it prints"
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn action_list(clouds: &Path, cloud: &str) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_xtask"));
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") || k == "MISTRAL_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.args(["--root", root.to_str().unwrap(), "action-list"])
        .env("OS_CLIENT_CONFIG_FILE", clouds)
        .env("OS_CLOUD", cloud)
        .output()
        .unwrap()
}

#[test]
fn logs_in_over_tls_with_the_cloud_s_ca_and_refuses_without_it() {
    let env = env_json();
    let clouds = PathBuf::from(env["clouds_yaml"].as_str().unwrap());
    // The test cloud's catalog has no Mistral: getting as far as looking for it proves the
    // TLS login worked.
    let out = action_list(&clouds, "ma-test-tls");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("workflowv2"), "{stderr}");

    // The same cloud without `cacert`: Keystone's certificate is refused.
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(&clouds).unwrap();
    let without: String = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("cacert:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(text.len(), without.len(), "the TLS cloud names a cacert");
    let copy = dir.path().join("clouds.yaml");
    std::fs::write(&copy, without).unwrap();
    let out = action_list(&copy, "ma-test-tls");
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(!out.status.success());
    assert!(
        stderr.contains("certificate") && !stderr.contains("workflowv2"),
        "{stderr}"
    );
}
