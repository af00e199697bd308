//! Where Mistral is and how to authenticate to it: through the action server's own
//! Keystone client (clouds.yaml, `OS_*`), or a plain URL.

use mistral_actions_runtime::openstack::{CloudConfig, OpenStack};
use serde_json::Value;

/// Mistral's service type in the Keystone catalog.
pub const MISTRAL: &str = "workflowv2";

/// Where Mistral is and how to authenticate to it.
pub enum Source {
    /// A cloud (`OS_CLOUD`/clouds.yaml, or `OS_AUTH_URL` and the other `OS_*` variables:
    /// password, application credential or `OS_TOKEN`), through the action server's own
    /// Keystone client: its CA trust, its catalog lookup of `workflowv2`.
    Cloud(Box<CloudConfig>),
    /// Mistral without Keystone (`auth_enable = False`): `--url`/`MISTRAL_URL`, with
    /// `OS_TOKEN` passed as it is when set.
    Plain {
        api_root: String,
        token: Option<String>,
    },
}

impl Source {
    /// From the environment; `url` (`--url`) names Mistral's API root and wins over the
    /// catalog.
    pub fn from_env(url: Option<String>) -> Result<Source, String> {
        Source::from_vars(url, &|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] with `vars` standing for the environment.
    pub fn from_vars(
        url: Option<String>,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Source, String> {
        let env = |k: &str| vars(k).filter(|v| !v.is_empty());
        let url = url.or_else(|| env("MISTRAL_URL"));
        let cloud = CloudConfig::discover(None, &env).map_err(|e| e.to_string())?;
        match cloud {
            Some(mut cloud) => {
                if let Some(url) = url {
                    cloud.endpoint_overrides.insert(MISTRAL.into(), url);
                }
                Ok(Source::Cloud(Box::new(cloud)))
            }
            None => Ok(Source::Plain {
                api_root: url.ok_or(
                    "no Mistral URL: pass --url, or set MISTRAL_URL, or OS_CLOUD (or OS_AUTH_URL and the other OS_* variables) to find it in the Keystone catalog",
                )?,
                token: env("OS_TOKEN"),
            }),
        }
    }

    /// Every action Mistral lists.
    pub fn list(&self) -> Result<Vec<Value>, String> {
        match self {
            Source::Plain { api_root, token } => {
                list_actions(&ureq::Agent::new(), api_root, token.as_deref())
            }
            Source::Cloud(cloud) => {
                let os = OpenStack::new((**cloud).clone()).map_err(|e| e.to_string())?;
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| format!("cannot start an async runtime: {e}"))?;
                runtime
                    .block_on(os.scoped(None, None, &[]).get_all(
                        MISTRAL,
                        "/actions",
                        &[],
                        "actions",
                    ))
                    .map_err(|e| e.to_string())
            }
        }
    }
}

/// Every action Mistral lists at `api_root` (`…/v2`), following its `next` links (a link
/// back to the page just read ends the walk).
pub fn list_actions(
    agent: &ureq::Agent,
    api_root: &str,
    token: Option<&str>,
) -> Result<Vec<Value>, String> {
    let mut next = Some(format!("{}/actions", api_root.trim_end_matches('/')));
    let mut all = Vec::new();
    while let Some(page) = next.take() {
        let mut request = agent.get(&page);
        if let Some(token) = token {
            request = request.set("X-Auth-Token", token);
        }
        let text = request
            .call()
            .map_err(|e| format!("GET {page}: {e}"))?
            .into_string()
            .map_err(|e| format!("GET {page}: {e}"))?;
        let body: Value =
            serde_json::from_str(&text).map_err(|e| format!("GET {page}: not JSON: {e}"))?;
        all.extend(body["actions"].as_array().cloned().unwrap_or_default());
        next = body["next"]
            .as_str()
            .map(str::to_string)
            .filter(|n| *n != page);
    }
    Ok(all)
}
