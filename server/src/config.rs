//! Server configuration: a YAML file (`--config`, or `MISTRAL_ACTIONS_CONFIG`), then
//! `MISTRAL_ACTIONS_*` variables over it, then command-line flags over both. OpenStack
//! credentials follow the OpenStack client conventions (clouds.yaml, `OS_*`).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use mistral_actions_runtime::openstack::CloudConfig;
use mistral_actions_runtime::{ExecPolicy, Secret};
use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {message}")]
    File { path: PathBuf, message: String },
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    OpenStack(#[from] mistral_actions_runtime::ActionError),
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    token: Option<Secret<String>>,
    token_file: Option<PathBuf>,
    /// Bearer tokens that reach one project each: project (as a call names it) → file.
    #[serde(default)]
    tokens: BTreeMap<String, PathBuf>,
    token_overlap_secs: Option<f64>,
    tls: Option<TlsFile>,
    #[serde(default)]
    openstack: OpenStackFile,
    #[serde(default)]
    exec: ExecFile,
    #[serde(default)]
    metrics: MetricsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct MetricsFile {
    /// `/metrics` without the bearer token (for a Prometheus that cannot send one).
    #[serde(default)]
    public: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TlsFile {
    cert: PathBuf,
    key: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenStackFile {
    cloud: Option<String>,
    region: Option<String>,
    interface: Option<String>,
    timeout_secs: Option<f64>,
    /// Projects and regions a call may select besides the configured ones.
    #[serde(default)]
    projects: Vec<String>,
    #[serde(default)]
    regions: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExecFile {
    #[serde(default)]
    allow: Vec<String>,
    timeout_secs: Option<f64>,
    max_output_bytes: Option<usize>,
    /// `PATH` of the commands (the server's own environment is never passed on).
    path: Option<String>,
    /// Names of the server's environment variables a command may see besides `PATH`,
    /// `LANG` and `LC_ALL`.
    #[serde(default)]
    env: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Tls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// Everything the server needs, resolved; who may call and where calls may reach is
/// [`Access`].
#[derive(Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// The server's own bearer token. `None` with `--insecure-no-auth`, or when only
    /// per-project tokens are configured ([`Access::project_tokens`]).
    pub token: Option<Secret<String>>,
    pub tls: Option<Tls>,
    /// `None`: no cloud configured; OpenStack actions answer 500 `config`.
    pub cloud: Option<CloudConfig>,
    pub exec: ExecPolicy,
}

/// Who may call, and which projects and regions a call may select (`auth`, `reach`).
#[derive(Debug, Clone)]
pub struct Access {
    /// No bearer token is asked for (`--insecure-no-auth`).
    pub insecure_no_auth: bool,
    /// Where the server's token was read from (`token_file`): re-read on SIGHUP.
    pub token_file: Option<PathBuf>,
    /// `tokens:`, project → file of the bearer token that acts in that project only.
    pub project_tokens: BTreeMap<String, PathBuf>,
    /// How long a token replaced in its file is still accepted (`token_overlap_secs`).
    pub overlap: Duration,
    /// `openstack.projects`, `openstack.regions`: selectable besides the configured ones.
    pub projects: Vec<String>,
    pub regions: Vec<String>,
    /// `metrics.public`: `/metrics` answers without the bearer token.
    pub metrics_public: bool,
}

/// Executions started before a rotation keep the token their environment held when they
/// started; this leaves them ten minutes to finish.
pub const DEFAULT_OVERLAP: Duration = Duration::from_secs(600);

impl Access {
    /// Only the configured project and region; the token of `config`, not reloaded.
    pub fn of(config: &Config) -> Access {
        Access {
            insecure_no_auth: config.token.is_none(),
            token_file: None,
            project_tokens: BTreeMap::new(),
            overlap: DEFAULT_OVERLAP,
            projects: Vec::new(),
            regions: Vec::new(),
            metrics_public: false,
        }
    }
}

/// A configuration file and the environment, resolved.
#[derive(Debug)]
pub struct Settings {
    pub config: Config,
    pub access: Access,
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8989";

/// Command-line choices that override the file and the environment.
#[derive(Debug, Default)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub insecure_no_auth: bool,
}

fn read(path: &Path) -> Result<FileConfig, ConfigError> {
    let file_err = |message: String| ConfigError::File {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let value = mistral_actions_runtime::yaml::to_json(&text).map_err(file_err)?;
    if value.is_null() {
        return Ok(FileConfig::default());
    }
    serde_json::from_value(value).map_err(|e| file_err(e.to_string()))
}

fn secs(what: &str, s: f64) -> Result<Duration, ConfigError> {
    Duration::try_from_secs_f64(s)
        .map_err(|_| ConfigError::Invalid(format!("{what}: not a duration in seconds: {s}")))
}

/// A token file's text, trimmed; an empty file is refused.
pub fn read_token(path: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
        path: path.to_path_buf(),
        message: e.to_string(),
    })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(ConfigError::File {
            path: path.to_path_buf(),
            message: "the token file is empty".into(),
        });
    }
    Ok(token.to_string())
}

impl Config {
    /// [`Settings::load`] without [`Access`].
    pub fn load(
        overrides: Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        Settings::load(overrides, env).map(|s| s.config)
    }
}

impl Settings {
    pub fn load(
        overrides: Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let path = overrides
            .config
            .or_else(|| env("MISTRAL_ACTIONS_CONFIG").map(PathBuf::from));
        let file = match &path {
            Some(p) => read(p)?,
            None => FileConfig::default(),
        };

        let listen = match (overrides.listen, env("MISTRAL_ACTIONS_LISTEN")) {
            (Some(l), _) => l,
            (None, Some(l)) => l.parse().map_err(|_| {
                ConfigError::Invalid(format!("MISTRAL_ACTIONS_LISTEN: not an address: {l}"))
            })?,
            (None, None) => file
                .listen
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("a valid address")),
        };

        let mut token_file = None;
        let token = match (env("MISTRAL_ACTIONS_TOKEN"), file.token, file.token_file) {
            (Some(t), _, _) => Some(Secret::new(t)),
            (None, Some(t), _) => Some(t),
            (None, None, Some(p)) => {
                let t = read_token(&p)?;
                token_file = Some(p);
                Some(Secret::new(t))
            }
            (None, None, None) => None,
        };
        let token = token.filter(|t| !t.expose().is_empty());
        let insecure = overrides.insecure_no_auth;
        let token = match (token, insecure) {
            (_, true) => None,
            (Some(t), false) => Some(t),
            (None, false) if !file.tokens.is_empty() => None,
            (None, false) => {
                return Err(ConfigError::Invalid(
                    "no bearer token configured: set MISTRAL_ACTIONS_TOKEN, `token:`, `token_file:` or `tokens:`, or run with --insecure-no-auth".into(),
                ))
            }
        };
        if file.tokens.keys().any(|p| p.trim().is_empty()) {
            return Err(ConfigError::Invalid(
                "tokens: a project name is empty".into(),
            ));
        }
        let access = Access {
            insecure_no_auth: insecure,
            token_file: token_file.filter(|_| !insecure),
            project_tokens: if insecure {
                BTreeMap::new()
            } else {
                file.tokens
            },
            overlap: match file.token_overlap_secs {
                Some(s) => secs("token_overlap_secs", s)?,
                None => DEFAULT_OVERLAP,
            },
            projects: file.openstack.projects,
            regions: file.openstack.regions,
            metrics_public: file.metrics.public,
        };

        let tls = match (
            env("MISTRAL_ACTIONS_TLS_CERT"),
            env("MISTRAL_ACTIONS_TLS_KEY"),
        ) {
            (Some(cert), Some(key)) => Some(Tls {
                cert: cert.into(),
                key: key.into(),
            }),
            (None, None) => file.tls.map(|t| Tls {
                cert: t.cert,
                key: t.key,
            }),
            _ => {
                return Err(ConfigError::Invalid(
                    "set both MISTRAL_ACTIONS_TLS_CERT and MISTRAL_ACTIONS_TLS_KEY, or neither"
                        .into(),
                ))
            }
        };

        let mut cloud = CloudConfig::discover(file.openstack.cloud.as_deref(), env)?;
        if let Some(c) = cloud.as_mut() {
            if let Some(r) = file.openstack.region {
                c.region = Some(r);
            }
            if let Some(i) = file.openstack.interface {
                c.interface = i;
            }
            if let Some(t) = file.openstack.timeout_secs {
                c.timeout = secs("openstack.timeout_secs", t)?;
            }
        }

        let mut exec = ExecPolicy {
            allow: file.exec.allow,
            env: file.exec.env,
            ..ExecPolicy::default()
        };
        if let Some(p) = file.exec.path {
            exec.path = p;
        }
        if let Some(t) = file.exec.timeout_secs {
            exec.timeout = secs("exec.timeout_secs", t)?;
        }
        if let Some(m) = file.exec.max_output_bytes {
            exec.max_output_bytes = m;
        }

        Ok(Settings {
            config: Config {
                listen,
                token,
                tls,
                cloud,
                exec,
            },
            access,
        })
    }
}

#[cfg(test)]
mod conffile {
    use super::*;

    /// The packaged server.yaml with its commented-out keys (`#key:`, `#  key:`) made live;
    /// prose (`# text`) stays a comment.
    fn uncommented() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../packaging/deb/server.yaml");
        let text = std::fs::read_to_string(path).expect("packaging/deb/server.yaml");
        text.lines()
            .map(|line| match line.strip_prefix('#') {
                Some(rest) if is_key_line(rest) => rest.to_string(),
                _ => line.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn is_key_line(rest: &str) -> bool {
        let body = rest.trim_start_matches(' ');
        let indent = rest.len() - body.len();
        let key = |k: &str| {
            k.starts_with(|c: char| c.is_ascii_lowercase())
                && k.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_-".contains(c))
        };
        // `is_multiple_of` needs Rust 1.87; the workspace's rust-version is 1.80.
        #[allow(clippy::manual_is_multiple_of)]
        let even = indent % 2 == 0;
        even && body.split_once(':').is_some_and(|(k, _)| key(k))
    }

    /// Every key the server reads is in the conffile, commented with an example: the
    /// destructuring has no `..`, so a key added to the file format fails to compile here
    /// until the conffile shows it too.
    #[test]
    fn packaged_conffile_shows_every_key() {
        let value = mistral_actions_runtime::yaml::to_json(&uncommented()).unwrap();
        let file: FileConfig =
            serde_json::from_value(value).expect("every key is one the server reads");
        let FileConfig {
            listen,
            token,
            token_file,
            tokens,
            token_overlap_secs,
            tls,
            openstack,
            exec,
            metrics,
        } = file;
        assert!(listen.is_some() && token.is_some() && token_file.is_some());
        assert!(!tokens.is_empty() && token_overlap_secs.is_some());
        let TlsFile { cert, key } = tls.expect("tls:");
        assert!(!cert.as_os_str().is_empty() && !key.as_os_str().is_empty());
        let OpenStackFile {
            cloud,
            region,
            interface,
            timeout_secs,
            projects,
            regions,
        } = openstack;
        assert!(
            cloud.is_some() && region.is_some() && interface.is_some() && timeout_secs.is_some()
        );
        assert!(!projects.is_empty() && !regions.is_empty());
        let ExecFile {
            allow,
            timeout_secs,
            max_output_bytes,
            path,
            env,
        } = exec;
        assert!(!allow.is_empty() && timeout_secs.is_some() && max_output_bytes.is_some());
        assert!(path.is_some() && !env.is_empty());
        let MetricsFile { public } = metrics;
        assert!(
            public,
            "metrics.public shown as `true` (its default is false)"
        );
    }

    #[test]
    fn prose_stays_prose() {
        assert!(is_key_line("listen: 127.0.0.1:8989"));
        assert!(is_key_line("  cloud: mycloud"));
        assert!(!is_key_line(" The bearer token Mistral sends: its"));
        assert!(!is_key_line("   mistral-actions config check --config x"));
    }
}
