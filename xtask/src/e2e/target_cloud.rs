//! Mistral's "target cloud" headers: how a caller hands Mistral its own Keystone token and
//! catalog with a request (python-mistralclient's `--os-target-*` options). Mistral puts
//! them in the execution's security context, and its own OpenStack actions (mistral-extra's
//! `nova.*`, `cinder.*`) build their clients from them, so they run against the stub even
//! though Mistral's own auth is disabled and Mistral knows no Keystone.

use std::time::Duration;

use base64::Engine;
use serde_json::{json, Value};

/// The `X-Target-*` headers for a token freshly issued by the Keystone in `os_env` (the
/// `OS_*` variables the stub printed).
pub fn headers(os_env: &[(String, String)]) -> Result<Vec<(&'static str, String)>, String> {
    let var = |name: &str| {
        os_env
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| format!("the stub printed no {name}"))
    };
    let auth_url = var("OS_AUTH_URL")?;
    let region = var("OS_REGION_NAME")?;
    let body = json!({"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": var("OS_USERNAME")?,
            "domain": {"name": var("OS_USER_DOMAIN_NAME")?},
            "password": var("OS_PASSWORD")?,
        }}},
        "scope": {"project": {
            "name": var("OS_PROJECT_NAME")?,
            "domain": {"name": var("OS_PROJECT_DOMAIN_NAME")?},
        }},
    }});
    let what = format!("POST {auth_url}/auth/tokens");
    let resp = ureq::post(&format!("{auth_url}/auth/tokens"))
        .timeout(Duration::from_secs(10))
        .set("Content-Type", "application/json")
        .send_string(&body.to_string())
        .map_err(|e| format!("{what}: {e}"))?;
    let token = resp
        .header("X-Subject-Token")
        .ok_or_else(|| format!("{what}: no X-Subject-Token"))?
        .to_string();
    let text = resp
        .into_string()
        .map_err(|e| format!("{what}: cannot read the answer: {e}"))?;
    let answer: Value =
        serde_json::from_str(&text).map_err(|e| format!("{what}: not JSON ({e}): {text}"))?;
    let issued = &answer["token"];
    let project = issued["project"]["id"]
        .as_str()
        .ok_or_else(|| format!("{what}: no project id in {text}"))?
        .to_string();
    // Mistral reads the catalog header as the token body itself (keystoneclient's
    // ServiceCatalog.factory wants its `methods` and `catalog`).
    let catalog = base64::engine::general_purpose::STANDARD.encode(issued.to_string());
    Ok(vec![
        ("X-Target-Auth-Uri", auth_url),
        ("X-Target-Auth-Token", token),
        ("X-Target-Service-Catalog", catalog),
        ("X-Target-Project-Id", project),
        ("X-Target-Region-Name", region),
        ("X-Target-Insecure", "False".into()),
    ])
}
