//! `mistral-actions action-list` (which `cargo xtask action-list` runs) logs in like the
//! action server does (one Keystone client): clouds.yaml, and Keystone over TLS with a
//! private CA trusted through `cacert` only. Runs against the real Keystone `cargo xtask
//! ci` starts (`MA_TEST_OPENSTACK`).

use std::path::Path;
use std::process::{Command, Output};

use harness_contract::{OpenStackEnv, TLS_CLOUD};

fn action_list(clouds: &Path, cloud: &str) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mistral-actions"));
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") || k == "MISTRAL_URL" {
            cmd.env_remove(k);
        }
    }
    cmd.arg("action-list")
        .env("OS_CLIENT_CONFIG_FILE", clouds)
        .env("OS_CLOUD", cloud)
        .output()
        .unwrap()
}

#[test]
fn logs_in_over_tls_with_the_cloud_s_ca_and_refuses_without_it() {
    let env = OpenStackEnv::from_env().unwrap_or_else(|e| panic!("{e}"));
    let clouds = env.clouds_yaml;
    // Getting as far as Mistral (the harness registers it in the catalog as `workflowv2`;
    // our actions are not there: exit 1) proves the TLS login worked.
    let out = action_list(&clouds, TLS_CLOUD);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("action(s) listed by Mistral") || stderr.contains("workflowv2"),
        "{stderr}"
    );

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
    let out = action_list(&copy, TLS_CLOUD);
    let stderr = String::from_utf8_lossy(&out.stderr).to_lowercase();
    assert!(!out.status.success());
    assert!(
        stderr.contains("certificate")
            && !stderr.contains("workflowv2")
            && !stderr.contains("listed by Mistral"),
        "{stderr}"
    );
}
