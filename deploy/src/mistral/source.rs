//! Where Mistral is and how to authenticate to it: through the action server's own
//! Keystone client (clouds.yaml, `OS_*`), or a plain URL. `action-list`, `plan` and
//! `apply` all start here.

use mistral_actions_runtime::openstack::CloudConfig;

use super::SERVICE_TYPE;
use crate::Error;

/// Where Mistral is and how to authenticate to it.
#[derive(Clone, Debug)]
pub enum Source {
    /// A cloud (`OS_CLOUD`/clouds.yaml, or `OS_AUTH_URL` and the other `OS_*` variables:
    /// password, application credential or `OS_TOKEN`), through the action server's own
    /// Keystone client: its CA trust, its catalog lookup of `workflowv2` (unless
    /// `--url` overrides it).
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
    pub fn from_env(url: Option<String>) -> Result<Source, Error> {
        Source::from_vars(url, &|k| std::env::var(k).ok())
    }

    /// [`Self::from_env`] with `vars` standing for the environment.
    pub fn from_vars(
        url: Option<String>,
        vars: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Source, Error> {
        let env = |k: &str| vars(k).filter(|v| !v.is_empty());
        let url = url.or_else(|| env("MISTRAL_URL"));
        let cloud = CloudConfig::discover(None, &env).map_err(|e| Error::Connect(e.to_string()))?;
        match cloud {
            Some(mut cloud) => {
                if let Some(url) = url {
                    cloud.endpoint_overrides.insert(SERVICE_TYPE.into(), url);
                }
                Ok(Source::Cloud(Box::new(cloud)))
            }
            None => Ok(Source::Plain {
                api_root: url.ok_or_else(|| Error::Connect(
                    "no Mistral URL: pass --url, or set MISTRAL_URL, or OS_CLOUD (or OS_AUTH_URL and the other OS_* variables) to find it in the Keystone catalog".into(),
                ))?,
                token: env("OS_TOKEN"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn a_plain_url_needs_no_cloud_and_passes_os_token() {
        let source = Source::from_vars(
            None,
            &vars(&[("MISTRAL_URL", "http://m:8989/v2"), ("OS_TOKEN", "t")]),
        )
        .unwrap();
        match source {
            Source::Plain { api_root, token } => {
                assert_eq!(api_root, "http://m:8989/v2");
                assert_eq!(token.as_deref(), Some("t"));
            }
            Source::Cloud(_) => panic!("no cloud was described"),
        }
        let message = Source::from_vars(None, &vars(&[])).unwrap_err().to_string();
        assert!(
            message.contains("--url") && message.contains("OS_CLOUD"),
            "{message}"
        );
    }

    #[test]
    fn url_overrides_the_catalog_of_a_cloud() {
        let source = Source::from_vars(
            Some("http://override/v2".into()),
            &vars(&[
                ("OS_AUTH_URL", "http://k/v3"),
                ("OS_USERNAME", "u"),
                ("OS_PASSWORD", "p"),
                ("OS_PROJECT_NAME", "pr"),
            ]),
        )
        .unwrap();
        let Source::Cloud(cloud) = source else {
            panic!("OS_AUTH_URL describes a cloud")
        };
        assert_eq!(cloud.endpoint_overrides[SERVICE_TYPE], "http://override/v2");
    }
}
