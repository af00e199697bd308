//! Which cloud and which credentials, following the OpenStack client conventions:
//! `OS_CLOUD` (or an explicit cloud name) selects an entry of `clouds.yaml`, found through
//! `OS_CLIENT_CONFIG_FILE`, `./clouds.yaml`, `~/.config/openstack/clouds.yaml`,
//! `/etc/openstack/clouds.yaml`; otherwise `OS_AUTH_URL`, `OS_USERNAME`, … describe it.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::{ActionError, Secret};

/// A user, project or domain, by id or by name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ident {
    Id(String),
    Name(String),
}

#[derive(Debug, Clone)]
pub enum Credentials {
    Password {
        user: Ident,
        password: Secret<String>,
        user_domain: Ident,
        /// `None`: an unscoped token (no catalog); kept for completeness.
        project: Option<Ident>,
        project_domain: Ident,
    },
    ApplicationCredential {
        /// `Id`, or `Name` together with `user`.
        credential: Ident,
        secret: Secret<String>,
        user: Option<Ident>,
        user_domain: Ident,
    },
    /// An existing Keystone token (`OS_TOKEN`, `auth_type: v3token`), exchanged for one
    /// scoped to `project`; it cannot be renewed past its own expiry.
    Token {
        token: Secret<String>,
        project: Option<Ident>,
        project_domain: Ident,
    },
}

impl Credentials {
    /// The project these credentials name, as they name it (id or name); `None` for an
    /// application credential (it names none: it is bound to its own) and for unscoped
    /// ones.
    pub fn project(&self) -> Option<&str> {
        match self {
            Credentials::Password { project, .. } | Credentials::Token { project, .. } => {
                project.as_ref().map(|p| match p {
                    Ident::Id(s) | Ident::Name(s) => s.as_str(),
                })
            }
            Credentials::ApplicationCredential { .. } => None,
        }
    }
}

/// Which certificates OpenStack's TLS endpoints are checked against: the system's trust
/// store and the public web roots, plus `cacert` (a PEM bundle, `OS_CACERT` or clouds.yaml
/// `cacert`, as most clouds serve Keystone with a private CA). `verify: false` (clouds.yaml
/// `verify: false` or `insecure: true`, `OS_INSECURE=true`) checks nothing; the server logs
/// a warning when it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trust {
    pub cacert: Option<PathBuf>,
    pub verify: bool,
}

impl Default for Trust {
    fn default() -> Self {
        Trust {
            cacert: None,
            verify: true,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CloudConfig {
    /// Keystone's URL, up to and including `/v3`.
    pub auth_url: String,
    pub credentials: Credentials,
    pub region: Option<String>,
    /// `public`, `internal` or `admin`.
    pub interface: String,
    /// Per OpenStack request.
    pub timeout: Duration,
    /// Re-authenticate this long before the token expires.
    pub refresh_margin: Duration,
    pub trust: Trust,
    /// Base URLs used instead of the catalog's, by service type (clouds.yaml
    /// `<service_type>_endpoint_override`, `-` written `_`), for clouds whose catalog
    /// names addresses this host cannot reach.
    pub endpoint_overrides: std::collections::BTreeMap<String, String>,
}

/// The `auth:` block of clouds.yaml; the `OS_*` variables fill the same fields.
#[derive(Debug, Default, Deserialize)]
struct AuthBlock {
    auth_url: Option<String>,
    username: Option<String>,
    user_id: Option<String>,
    password: Option<String>,
    project_name: Option<String>,
    project_id: Option<String>,
    // keystoneauth accepts `tenant_*` for the project too.
    tenant_name: Option<String>,
    tenant_id: Option<String>,
    user_domain_name: Option<String>,
    user_domain_id: Option<String>,
    project_domain_name: Option<String>,
    project_domain_id: Option<String>,
    domain_name: Option<String>,
    domain_id: Option<String>,
    application_credential_id: Option<String>,
    application_credential_name: Option<String>,
    application_credential_secret: Option<String>,
    token: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct CloudEntry {
    #[serde(default)]
    auth: AuthBlock,
    auth_type: Option<String>,
    region_name: Option<String>,
    interface: Option<String>,
    endpoint_type: Option<String>,
    api_timeout: Option<f64>,
    cacert: Option<String>,
    verify: Option<bool>,
    insecure: Option<bool>,
    /// `<service_type>_endpoint_override` and everything else a clouds.yaml may hold.
    #[serde(flatten)]
    other: std::collections::BTreeMap<String, serde_json::Value>,
}

#[derive(Debug, Deserialize)]
struct CloudsFile {
    clouds: std::collections::BTreeMap<String, serde_json::Value>,
}

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const DEFAULT_MARGIN: Duration = Duration::from_secs(120);

fn config_err(msg: impl Into<String>) -> ActionError {
    ActionError::Config(msg.into())
}

impl CloudConfig {
    /// The cloud named `cloud` (else `OS_CLOUD`) from clouds.yaml, else one from `OS_*`
    /// variables, else `None`. `env` is `std::env::var` in production.
    pub fn discover(
        cloud: Option<&str>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<CloudConfig>, ActionError> {
        let cloud = cloud.map(str::to_string).or_else(|| env("OS_CLOUD"));
        if let Some(name) = cloud {
            let path = find_clouds_yaml(env).ok_or_else(|| {
                config_err(format!(
                    "cloud '{name}' requested but no clouds.yaml found (OS_CLIENT_CONFIG_FILE, ./clouds.yaml, ~/.config/openstack/clouds.yaml, /etc/openstack/clouds.yaml)"
                ))
            })?;
            let secure = find_config_file(env, "OS_CLIENT_SECURE_FILE", "secure.yaml");
            return CloudConfig::from_files(&path, secure.as_deref(), &name).map(Some);
        }
        if env("OS_AUTH_URL").is_none() {
            return Ok(None);
        }
        CloudConfig::from_env(env).map(Some)
    }

    pub fn from_clouds_yaml(path: &Path, cloud: &str) -> Result<CloudConfig, ActionError> {
        CloudConfig::from_files(path, None, cloud)
    }

    /// The cloud `cloud` of clouds.yaml at `path`, with its entry of secure.yaml (where
    /// operators keep passwords and secrets apart from the rest) merged over it, as
    /// openstacksdk does.
    pub fn from_files(
        path: &Path,
        secure: Option<&Path>,
        cloud: &str,
    ) -> Result<CloudConfig, ActionError> {
        let file = read_clouds(path)?;
        let mut entry = file.clouds.get(cloud).cloned().ok_or_else(|| {
            config_err(format!(
                "{}: no cloud '{cloud}' (have: {})",
                path.display(),
                file.clouds.keys().cloned().collect::<Vec<_>>().join(", ")
            ))
        })?;
        if let Some(secure) = secure {
            if let Some(extra) = read_clouds(secure)?.clouds.get(cloud) {
                merge(&mut entry, extra.clone());
            }
        }
        let entry: CloudEntry = serde_json::from_value(entry)
            .map_err(|e| config_err(format!("{}: cloud '{cloud}': {e}", path.display())))?;
        // A relative `cacert` is relative to the clouds.yaml that names it.
        let cacert = entry.cacert.map(|c| match path.parent() {
            Some(dir) if Path::new(&c).is_relative() => dir.join(c),
            _ => PathBuf::from(c),
        });
        let trust = Trust {
            cacert,
            verify: entry.verify.unwrap_or(true) && !entry.insecure.unwrap_or(false),
        };
        let mut config = build(
            entry.auth,
            entry.auth_type,
            entry.region_name,
            entry.interface.or(entry.endpoint_type),
            entry.api_timeout.map(Duration::from_secs_f64),
            trust,
        )?;
        for (key, value) in &entry.other {
            if let (Some(service), Some(url)) =
                (key.strip_suffix("_endpoint_override"), value.as_str())
            {
                config
                    .endpoint_overrides
                    .insert(service.replace('_', "-"), url.to_string());
            }
        }
        Ok(config)
    }

    pub fn from_env(env: &dyn Fn(&str) -> Option<String>) -> Result<CloudConfig, ActionError> {
        let v = |k: &str| env(k).filter(|s| !s.is_empty());
        let auth = AuthBlock {
            auth_url: v("OS_AUTH_URL"),
            username: v("OS_USERNAME"),
            user_id: v("OS_USER_ID"),
            password: v("OS_PASSWORD"),
            project_name: v("OS_PROJECT_NAME"),
            project_id: v("OS_PROJECT_ID"),
            tenant_name: v("OS_TENANT_NAME"),
            tenant_id: v("OS_TENANT_ID"),
            user_domain_name: v("OS_USER_DOMAIN_NAME"),
            user_domain_id: v("OS_USER_DOMAIN_ID"),
            project_domain_name: v("OS_PROJECT_DOMAIN_NAME"),
            project_domain_id: v("OS_PROJECT_DOMAIN_ID"),
            domain_name: v("OS_DOMAIN_NAME"),
            domain_id: v("OS_DOMAIN_ID"),
            application_credential_id: v("OS_APPLICATION_CREDENTIAL_ID"),
            application_credential_name: v("OS_APPLICATION_CREDENTIAL_NAME"),
            application_credential_secret: v("OS_APPLICATION_CREDENTIAL_SECRET"),
            token: v("OS_TOKEN"),
        };
        let timeout = v("OS_API_TIMEOUT")
            .map(|t| {
                t.parse::<f64>()
                    .map(Duration::from_secs_f64)
                    .map_err(|_| config_err(format!("OS_API_TIMEOUT: not a number: {t}")))
            })
            .transpose()?;
        let insecure = v("OS_INSECURE")
            .map(|s| matches!(s.to_ascii_lowercase().as_str(), "1" | "true" | "yes" | "on"));
        let trust = Trust {
            cacert: v("OS_CACERT").map(PathBuf::from),
            verify: !insecure.unwrap_or(false),
        };
        build(
            auth,
            v("OS_AUTH_TYPE"),
            v("OS_REGION_NAME"),
            v("OS_INTERFACE").or_else(|| v("OS_ENDPOINT_TYPE")),
            timeout,
            trust,
        )
    }
}

fn find_clouds_yaml(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    find_config_file(env, "OS_CLIENT_CONFIG_FILE", "clouds.yaml")
}

/// `$variable`, else `name` in `./`, `~/.config/openstack/`, `/etc/openstack/`.
fn find_config_file(
    env: &dyn Fn(&str) -> Option<String>,
    variable: &str,
    name: &str,
) -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(p) = env(variable) {
        candidates.push(PathBuf::from(p));
    }
    candidates.push(PathBuf::from(name));
    if let Some(home) = env("HOME") {
        candidates.push(Path::new(&home).join(".config/openstack").join(name));
    }
    candidates.push(Path::new("/etc/openstack").join(name));
    candidates.into_iter().find(|p| p.is_file())
}

fn read_clouds(path: &Path) -> Result<CloudsFile, ActionError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| config_err(format!("{}: {e}", path.display())))?;
    let value =
        crate::yaml::to_json(&text).map_err(|e| config_err(format!("{}: {e}", path.display())))?;
    serde_json::from_value(value).map_err(|e| config_err(format!("{}: {e}", path.display())))
}

/// `over`'s keys replace `base`'s, mappings merged key by key.
fn merge(base: &mut serde_json::Value, over: serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                match b.get_mut(&k) {
                    Some(slot) => merge(slot, v),
                    None => {
                        b.insert(k, v);
                    }
                }
            }
        }
        (slot, v) => *slot = v,
    }
}

fn ident(id: Option<String>, name: Option<String>) -> Option<Ident> {
    id.map(Ident::Id).or(name.map(Ident::Name))
}

fn build(
    auth: AuthBlock,
    auth_type: Option<String>,
    region: Option<String>,
    interface: Option<String>,
    timeout: Option<Duration>,
    trust: Trust,
) -> Result<CloudConfig, ActionError> {
    let auth_url = auth
        .auth_url
        .ok_or_else(|| config_err("no auth_url (OS_AUTH_URL)"))?;
    let auth_url = normalise_auth_url(&auth_url);
    // `domain_*` is keystoneauth's fallback for both user and project domains.
    let default_domain = ident(auth.domain_id.clone(), auth.domain_name.clone())
        .unwrap_or(Ident::Id("default".into()));
    let user_domain =
        ident(auth.user_domain_id, auth.user_domain_name).unwrap_or(default_domain.clone());
    let user = ident(auth.user_id, auth.username);
    let project = ident(
        auth.project_id.or(auth.tenant_id),
        auth.project_name.or(auth.tenant_name),
    );
    let project_domain =
        ident(auth.project_domain_id, auth.project_domain_name).unwrap_or(default_domain);
    let token_auth = matches!(auth_type.as_deref(), Some("token" | "v3token"))
        || (auth_type.is_none() && auth.token.is_some() && auth.password.is_none());
    let app_cred = matches!(
        auth_type.as_deref(),
        Some("v3applicationcredential" | "application_credential")
    ) || auth.application_credential_secret.is_some();
    let credentials = if token_auth {
        Credentials::Token {
            token: Secret::new(
                auth.token
                    .ok_or_else(|| config_err("token auth needs a token (OS_TOKEN)"))?,
            ),
            project,
            project_domain,
        }
    } else if app_cred {
        let credential = ident(
            auth.application_credential_id,
            auth.application_credential_name,
        )
        .ok_or_else(|| {
            config_err("application credential auth needs application_credential_id or _name")
        })?;
        if matches!(credential, Ident::Name(_)) && user.is_none() {
            return Err(config_err(
                "an application credential given by name needs username or user_id",
            ));
        }
        Credentials::ApplicationCredential {
            credential,
            secret: Secret::new(auth.application_credential_secret.ok_or_else(|| {
                config_err("no application_credential_secret (OS_APPLICATION_CREDENTIAL_SECRET)")
            })?),
            user,
            user_domain,
        }
    } else {
        match auth_type.as_deref() {
            None | Some("password" | "v3password") => {}
            Some(other) => {
                return Err(config_err(format!(
                "auth_type '{other}' is not supported (password, v3applicationcredential, v3token)"
            )))
            }
        }
        Credentials::Password {
            user: user.ok_or_else(|| config_err("no username or user_id (OS_USERNAME)"))?,
            password: Secret::new(
                auth.password
                    .ok_or_else(|| config_err("no password (OS_PASSWORD)"))?,
            ),
            user_domain,
            project,
            project_domain,
        }
    };
    let interface = interface
        .map(|i| i.trim_end_matches("URL").to_string())
        .unwrap_or_else(|| "public".into());
    Ok(CloudConfig {
        auth_url,
        credentials,
        region,
        interface,
        timeout: timeout.unwrap_or(DEFAULT_TIMEOUT),
        refresh_margin: DEFAULT_MARGIN,
        trust,
        endpoint_overrides: Default::default(),
    })
}

/// `http://keystone:5000`, `…/v3`, `…/v3/` all mean `…/v3`.
fn normalise_auth_url(url: &str) -> String {
    let url = url.trim_end_matches('/');
    if url.ends_with("/v3") {
        url.to_string()
    } else {
        format!("{url}/v3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn password_from_env() {
        let env = env_of(&[
            ("OS_AUTH_URL", "http://k:5000/"),
            ("OS_USERNAME", "admin"),
            ("OS_PASSWORD", "s3cret"),
            ("OS_PROJECT_NAME", "admin"),
            ("OS_USER_DOMAIN_NAME", "Default"),
            ("OS_REGION_NAME", "RegionTwo"),
            ("OS_INTERFACE", "internalURL"),
        ]);
        let c = CloudConfig::discover(None, &env).unwrap().unwrap();
        assert_eq!(c.auth_url, "http://k:5000/v3");
        assert_eq!(c.region.as_deref(), Some("RegionTwo"));
        assert_eq!(c.interface, "internal");
        let Credentials::Password {
            user,
            password,
            user_domain,
            project,
            project_domain,
        } = c.credentials
        else {
            panic!("password expected")
        };
        assert_eq!(user, Ident::Name("admin".into()));
        assert_eq!(password.expose(), "s3cret");
        assert_eq!(user_domain, Ident::Name("Default".into()));
        assert_eq!(project, Some(Ident::Name("admin".into())));
        assert_eq!(project_domain, Ident::Id("default".into()));
        assert!(!format!("{:?}", password).contains("s3cret"));
    }

    #[test]
    fn nothing_configured_is_none() {
        assert!(CloudConfig::discover(None, &env_of(&[])).unwrap().is_none());
    }

    #[test]
    fn application_credential_from_clouds_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clouds.yaml");
        std::fs::write(
            &path,
            "clouds:\n  prod:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://k/v3\n      application_credential_id: abc\n      application_credential_secret: xyz\n    region_name: R1\n",
        )
        .unwrap();
        let env = env_of(&[
            ("OS_CLIENT_CONFIG_FILE", path.to_str().unwrap()),
            ("OS_CLOUD", "prod"),
        ]);
        let c = CloudConfig::discover(None, &env).unwrap().unwrap();
        assert_eq!(c.region.as_deref(), Some("R1"));
        let Credentials::ApplicationCredential {
            credential, secret, ..
        } = c.credentials
        else {
            panic!("application credential expected")
        };
        assert_eq!(credential, Ident::Id("abc".into()));
        assert_eq!(secret.expose(), "xyz");
        let missing = CloudConfig::discover(Some("dev"), &env).unwrap_err();
        assert!(missing.to_string().contains("no cloud 'dev'"), "{missing}");
    }

    #[test]
    fn secure_yaml_supplies_the_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let clouds = dir.path().join("clouds.yaml");
        let secure = dir.path().join("secure.yaml");
        std::fs::write(
            &clouds,
            "clouds:\n  prod:\n    auth:\n      auth_url: https://k/v3\n      username: svc\n      project_name: ops\n    cacert: ca.pem\n",
        )
        .unwrap();
        std::fs::write(
            &secure,
            "clouds:\n  prod:\n    auth:\n      password: from-secure\n",
        )
        .unwrap();
        let env = env_of(&[
            ("OS_CLIENT_CONFIG_FILE", clouds.to_str().unwrap()),
            ("OS_CLIENT_SECURE_FILE", secure.to_str().unwrap()),
            ("OS_CLOUD", "prod"),
        ]);
        let c = CloudConfig::discover(None, &env).unwrap().unwrap();
        let Credentials::Password { password, user, .. } = c.credentials else {
            panic!("password expected")
        };
        assert_eq!(password.expose(), "from-secure");
        assert_eq!(user, Ident::Name("svc".into()));
        // Relative to the clouds.yaml that names it.
        assert_eq!(c.trust.cacert, Some(dir.path().join("ca.pem")));
    }
}
