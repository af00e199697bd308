//! env.json and clouds.yaml: what the tests (and a person at a shell) use to reach the
//! services. The fields are listed in the module documentation of `openstack`.

use std::fs;
use std::path::PathBuf;

use serde_json::{json, Map, Value};

use super::config::{self, Settings, REGION};
use super::launch::Ctx;
use super::seed::{self, Identities};
use super::tls::Tls;
use super::{trove, venv};

pub fn settle_script(ctx: &Ctx) -> PathBuf {
    ctx.root.join("xtask").join("openstack").join("settle.py")
}

pub fn write(
    ctx: &Ctx,
    s: &Settings,
    ids: &Identities,
    certs: &Tls,
    image_id: &str,
) -> Result<(PathBuf, PathBuf), String> {
    let env_file = ctx.dir.join("env.json");
    let clouds = ctx.dir.join("clouds.yaml");
    let auth_url = format!("{}/v3", s.keystone_url());
    // localhost, not 127.0.0.1: clients that check names against the certificate's
    // subjectAltName (both are there) and clients that only match DNS names both work.
    let auth_url_tls = format!("https://localhost:{}/v3", s.ports.keystone_tls);
    let mut endpoints = Map::new();
    endpoints.insert("identity".into(), json!(auth_url));
    for (kind, _, url) in seed::catalog(s) {
        endpoints.insert(kind.into(), json!(url));
    }
    let admin = json!({
        "username": "admin", "password": config::password("admin"),
        "user_domain_name": "Default", "project_name": "admin",
        "project_domain_name": "Default", "project_id": ids.admin_project_id,
    });
    let env = json!({
        "auth_url": auth_url,
        "auth_url_tls": auth_url_tls,
        "ca_file": certs.ca,
        "region": REGION,
        "interface": "public",
        "admin": admin,
        "user": {"name": seed::TEST_USER, "id": ids.user_id,
                 "password": seed::test_password(), "domain_name": seed::TEST_DOMAIN},
        "project": {"name": seed::TEST_PROJECT, "id": ids.project_id,
                    "domain_name": seed::TEST_DOMAIN},
        "project_alt": {"name": seed::TEST_PROJECT_ALT, "id": ids.project_alt_id,
                        "domain_name": seed::TEST_DOMAIN},
        "application_credential": {"id": ids.app_cred_id, "name": seed::APP_CRED_NAME,
                                   "secret": seed::app_cred_secret()},
        "mistral": {"username": "mistral", "password": config::password("mistral"),
                    "user_domain_name": "Default", "project_name": "service",
                    "project_domain_name": "Default"},
        "image_id": image_id,
        "image_name": seed::IMAGE_NAME,
        "flavor_id": seed::FLAVOR_ID,
        "flavor_name": seed::FLAVOR_NAME,
        "trove": {"datastore": trove::DATASTORE, "datastore_version": trove::DATASTORE_VERSION},
        "endpoints": endpoints,
        "clouds_yaml": clouds,
        "python": venv::python(&ctx.root),
        "settle": {
            "script": settle_script(ctx),
            "trove_db": s.mysql_db(trove::DATABASE),
            // Trove's own service user: the taskmanager boots servers with it.
            "trove_user": {"username": "trove", "password": config::password("trove"),
                           "user_domain_name": "Default", "project_name": "service",
                           "project_domain_name": "Default"},
        },
        "logs": ctx.dir.join("logs"),
    });
    let text = serde_json::to_string_pretty(&env).expect("JSON");
    fs::write(&env_file, text + "\n")
        .map_err(|e| format!("cannot write {}: {e}", env_file.display()))?;
    fs::write(&clouds, clouds_yaml(&env))
        .map_err(|e| format!("cannot write {}: {e}", clouds.display()))?;
    Ok((env_file, clouds))
}

/// Quoted for YAML (JSON strings are YAML scalars).
fn q(v: &Value) -> String {
    match v {
        Value::String(_) => v.to_string(),
        other => json!(other.to_string()).to_string(),
    }
}

fn clouds_yaml(env: &Value) -> String {
    let common = format!(
        "    region_name: {}\n    interface: {}\n    identity_api_version: 3\n",
        q(&env["region"]),
        q(&env["interface"])
    );
    let password = |auth_url: &Value, extra: &str| {
        format!(
            "    auth_type: password\n    auth:\n      auth_url: {}\n      username: {}\n      \
             password: {}\n      user_domain_name: {}\n      project_name: {}\n      \
             project_domain_name: {}\n{common}{extra}",
            q(auth_url),
            q(&env["user"]["name"]),
            q(&env["user"]["password"]),
            q(&env["user"]["domain_name"]),
            q(&env["project"]["name"]),
            q(&env["project"]["domain_name"]),
        )
    };
    let admin = &env["admin"];
    format!(
        "# The test cloud of `cargo xtask openstack` (regenerated on every start).\n\
         clouds:\n\
         \x20 ma-test:\n{}\
         \x20 ma-test-tls:\n{}\
         \x20 ma-test-appcred:\n    auth_type: v3applicationcredential\n    auth:\n      \
         auth_url: {}\n      application_credential_id: {}\n      \
         application_credential_secret: {}\n{common}\
         \x20 ma-admin:\n    auth_type: password\n    auth:\n      auth_url: {}\n      \
         username: {}\n      password: {}\n      user_domain_name: {}\n      \
         project_name: {}\n      project_domain_name: {}\n{common}",
        password(&env["auth_url"], ""),
        password(
            &env["auth_url_tls"],
            &format!("    cacert: {}\n", q(&env["ca_file"]))
        ),
        q(&env["auth_url"]),
        q(&env["application_credential"]["id"]),
        q(&env["application_credential"]["secret"]),
        q(&env["auth_url"]),
        q(&admin["username"]),
        q(&admin["password"]),
        q(&admin["user_domain_name"]),
        q(&admin["project_name"]),
        q(&admin["project_domain_name"]),
    )
}
