//! What the test harness exports about the real OpenStack it starts (`cargo harness
//! openstack`, and `cargo xtask ci` before the tests), written and read by this one type:
//! [`OpenStackEnv`], saved as `target/services/openstack/env.json`, whose path
//! `MA_TEST_OPENSTACK` ([`ENV`]) holds, with the `clouds.yaml` beside it rendered from
//! the same value ([`OpenStackEnv::clouds_yaml_text`]).
//!
//! The harness writes it ([`OpenStackEnv::write`]); the tests read it
//! ([`OpenStackEnv::from_env`]); so does the settle helper, `harness/openstack/settle.py`,
//! by these field names (keep them stable, or change it too).
//!
//! The Mistral the harness starts beside it is [`MistralEnv`] (`MA_TEST_MISTRAL`).

mod mistral;

pub use mistral::{MistralEnv, MISTRAL_ENV};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

/// The variable that points the tests to env.json.
pub const ENV: &str = "MA_TEST_OPENSTACK";

/// The test user's cloud of clouds.yaml: password, the test project.
pub const USER_CLOUD: &str = "ma-test";
/// The test user's application credential, bound to the test project.
pub const APPCRED_CLOUD: &str = "ma-test-appcred";
/// The test user's password login over TLS, trusting the CA through `cacert` only.
pub const TLS_CLOUD: &str = "ma-test-tls";
/// The cloud admin, in the admin project.
pub const ADMIN_CLOUD: &str = "ma-admin";
/// [`OpenStackEnv::other_user`] in the test project: another member, whose resources are
/// someone else's to a tool that tells its own from others'.
pub const OTHER_CLOUD: &str = "ma-test-other";
/// [`OpenStackEnv::project_admin`] in the test project.
pub const PROJECT_ADMIN_CLOUD: &str = "ma-test-project-admin";
/// The test user in the second test project (`ma-test-alt`), where tests that must see
/// only their own resources (pruning everything a tool owns) work.
pub const ALT_CLOUD: &str = "ma-test-alt";
/// [`OpenStackEnv::other_user`] in the second test project.
pub const OTHER_ALT_CLOUD: &str = "ma-test-other-alt";

/// env.json: everything a test needs to reach the services. Ports are the usual ones
/// when they are free at start.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenStackEnv {
    /// Keystone v3 over HTTP, `http://127.0.0.1:5000/v3`.
    pub auth_url: String,
    /// The same Keystone (same database and keys) over HTTPS, `https://localhost:5001/v3`.
    pub auth_url_tls: String,
    /// PEM of the CA that signed the TLS listener's certificate (for 127.0.0.1 and
    /// localhost).
    pub ca_file: PathBuf,
    /// `RegionOne`.
    pub region: String,
    /// `public`.
    pub interface: String,
    /// The cloud admin.
    pub admin: Admin,
    /// The test user, `member` and `reader` in both test projects.
    pub user: User,
    /// A second user with the same roles in both test projects ([`OTHER_CLOUD`],
    /// [`OTHER_ALT_CLOUD`]).
    pub other_user: User,
    /// A user holding `admin` (and `member`, `reader`) in the test project
    /// ([`PROJECT_ADMIN_CLOUD`]). Keystone (scope not enforced) and Mistral (`admin` in the
    /// token's roles) then treat it as an admin everywhere, as deployments do.
    pub project_admin: User,
    /// `ma-test`, in domain `ma-test`.
    pub project: Project,
    /// `ma-test-alt`, where the same user has the same roles (per-call project
    /// overrides).
    pub project_alt: Project,
    /// The test user's, bound to `ma-test`.
    pub application_credential: ApplicationCredential,
    /// Service user with the `admin` and `service` roles, for a Mistral with
    /// `auth_enable = True`.
    pub mistral: ServiceUser,
    /// A public, active qcow2 image.
    pub image_id: String,
    pub image_name: String,
    /// `1`, `ma.tiny` (1 vCPU, 64 MB, 1 GB).
    pub flavor_id: String,
    pub flavor_name: String,
    /// The Trove datastore registered on the image.
    pub trove: Trove,
    /// Service type → URL as registered in the catalog (`%(project_id)s` templates kept).
    pub endpoints: BTreeMap<String, String>,
    /// `clouds.yaml` beside env.json, rendered by [`OpenStackEnv::clouds_yaml_text`]:
    /// clouds [`USER_CLOUD`], [`APPCRED_CLOUD`], [`TLS_CLOUD`] and [`ADMIN_CLOUD`].
    pub clouds_yaml: PathBuf,
    /// The services' venv's interpreter (openstacksdk is there too).
    pub python: PathBuf,
    /// How to make happen what cannot run here ([`OpenStackEnv::settle`]).
    pub settle: Settle,
    /// The directory of every service's log.
    pub logs: PathBuf,
}

/// A user of the `Default` domain logging in to a project of it by name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ServiceUser {
    pub username: String,
    pub password: String,
    pub user_domain_name: String,
    pub project_name: String,
    pub project_domain_name: String,
}

/// The cloud admin's login, and its project's id.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Admin {
    #[serde(flatten)]
    pub login: ServiceUser,
    pub project_id: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub id: String,
    pub password: String,
    pub domain_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Project {
    pub name: String,
    pub id: String,
    pub domain_name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ApplicationCredential {
    pub id: String,
    pub name: String,
    pub secret: String,
}

/// `mysql` / `5.7.29`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trove {
    pub datastore: String,
    pub datastore_version: String,
}

/// The settle helper (`harness/openstack/settle.py`), run with [`OpenStackEnv::python`]
/// as `<python> <script> <fact> <id>`; it reads `MA_TEST_OPENSTACK`, exits 0 when done,
/// non-zero with the reason on stderr. Its facts:
/// - `trove-instance-active <instance id>`: boots the instance's Nova server (as Trove's
///   taskmanager would) and records what its guest agent and the taskmanager would
///   (server id, task NONE, datastore HEALTHY), so Trove shows it ACTIVE;
/// - `trove-backup-completed <backup id>`: records what the guest's backup and
///   trove-conductor would (state COMPLETED, size, location, checksum).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settle {
    pub script: PathBuf,
    /// Trove's database (an SQLAlchemy URL), where the guest's reports are recorded.
    pub trove_db: String,
    /// Cinder's database (an SQLAlchemy URL), where cinder-backup records a backup's
    /// status.
    pub cinder_db: String,
    /// Trove's own service user: the taskmanager boots servers with it.
    pub trove_user: ServiceUser,
}

/// Why env.json could not be read or written.
#[derive(Debug)]
pub enum Error {
    /// `MA_TEST_OPENSTACK` is not set.
    Unset,
    /// `MA_TEST_MISTRAL` is not set.
    MistralUnset,
    Io {
        /// The variable that named the file.
        var: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    Json {
        var: &'static str,
        path: PathBuf,
        source: serde_json::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Unset => write!(
                f,
                "{ENV} is not set: this needs the real OpenStack services (Keystone, Nova, \
                 Cinder, Glance, Trove) that `cargo xtask ci` installs and starts. To run it \
                 alone: `cargo harness openstack` in another shell, then export the {ENV}=… \
                 line it prints."
            ),
            Error::MistralUnset => write!(
                f,
                "{MISTRAL_ENV} is not set: this needs the real Mistral 23 (Keystone auth, \
                 cron triggers) that `cargo xtask ci` starts before the tests. To run it \
                 alone: `cargo harness openstack` in another shell, then export the \
                 {ENV}=… and {MISTRAL_ENV}=… lines it prints."
            ),
            Error::Io { var, path, source } => write!(f, "{} ({var}): {source}", path.display()),
            Error::Json { var, path, source } => {
                write!(f, "{} ({var}): {source}", path.display())
            }
        }
    }
}

/// The message names the cause already (a test's `panic!("{e}")` shows it whole), so
/// `source` is left out: a chain printer would say it twice.
impl std::error::Error for Error {}

/// The path `MA_TEST_OPENSTACK` holds.
pub fn env_file() -> Result<PathBuf, Error> {
    std::env::var_os(ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .ok_or(Error::Unset)
}

/// Reads a JSON file of this contract; `var` names the variable that points to it.
fn read_json<T: serde::de::DeserializeOwned>(var: &'static str, path: &Path) -> Result<T, Error> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
        var,
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| Error::Json {
        var,
        path: path.to_path_buf(),
        source,
    })
}

/// Writes `value` as pretty JSON at `path`.
fn write_json<T: Serialize>(var: &'static str, path: &Path, value: &T) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(value).expect("strings and paths serialise");
    std::fs::write(path, text + "\n").map_err(|source| Error::Io {
        var,
        path: path.to_path_buf(),
        source,
    })
}

impl OpenStackEnv {
    /// The env.json that `MA_TEST_OPENSTACK` names.
    pub fn from_env() -> Result<Self, Error> {
        Self::read(&env_file()?)
    }

    pub fn read(path: &Path) -> Result<Self, Error> {
        read_json(ENV, path)
    }

    /// Writes env.json at `path`, and [`Self::clouds_yaml_text`] at [`Self::clouds_yaml`].
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        write_json(ENV, path, self)?;
        std::fs::write(&self.clouds_yaml, self.clouds_yaml_text()).map_err(|source| Error::Io {
            var: ENV,
            path: self.clouds_yaml.clone(),
            source,
        })
    }

    /// `<python> <script> <fact> <id>` with `MA_TEST_OPENSTACK` set to `env_file` (this
    /// value's env.json); see [`Settle`].
    pub fn settle(&self, env_file: &Path, fact: &str, id: &str) -> Command {
        let mut cmd = Command::new(&self.python);
        cmd.arg(&self.settle.script)
            .args([fact, id])
            .env(ENV, env_file);
        cmd
    }

    /// clouds.yaml, as openstacksdk and the runtime read it. Values are JSON strings,
    /// which are YAML scalars.
    pub fn clouds_yaml_text(&self) -> String {
        let common = format!(
            "    region_name: {}\n    interface: {}\n    identity_api_version: 3\n",
            q(&self.region),
            q(&self.interface)
        );
        let password = |auth_url: &str, login: &ServiceUser, extra: &str| {
            format!(
                "    auth_type: password\n    auth:\n      auth_url: {}\n      username: {}\n      \
                 password: {}\n      user_domain_name: {}\n      project_name: {}\n      \
                 project_domain_name: {}\n{common}{extra}",
                q(auth_url),
                q(&login.username),
                q(&login.password),
                q(&login.user_domain_name),
                q(&login.project_name),
                q(&login.project_domain_name),
            )
        };
        let login = |user: &User, project: &Project| ServiceUser {
            username: user.name.clone(),
            password: user.password.clone(),
            user_domain_name: user.domain_name.clone(),
            project_name: project.name.clone(),
            project_domain_name: project.domain_name.clone(),
        };
        let user = login(&self.user, &self.project);
        let cacert = format!("    cacert: {}\n", q(&self.ca_file.to_string_lossy()));
        let more: String = [
            (OTHER_CLOUD, &self.other_user, &self.project),
            (PROJECT_ADMIN_CLOUD, &self.project_admin, &self.project),
            (ALT_CLOUD, &self.user, &self.project_alt),
            (OTHER_ALT_CLOUD, &self.other_user, &self.project_alt),
        ]
        .iter()
        .map(|(cloud, u, p)| {
            format!(
                "\x20 {cloud}:\n{}",
                password(&self.auth_url, &login(u, p), "")
            )
        })
        .collect();
        format!(
            "# The test cloud of `cargo harness openstack` (regenerated on every start).\n\
             clouds:\n\
             \x20 {USER_CLOUD}:\n{}\
             \x20 {TLS_CLOUD}:\n{}\
             \x20 {APPCRED_CLOUD}:\n    auth_type: v3applicationcredential\n    auth:\n      \
             auth_url: {}\n      application_credential_id: {}\n      \
             application_credential_secret: {}\n{common}\
             \x20 {ADMIN_CLOUD}:\n{}{more}",
            password(&self.auth_url, &user, ""),
            password(&self.auth_url_tls, &user, &cacert),
            q(&self.auth_url),
            q(&self.application_credential.id),
            q(&self.application_credential.secret),
            password(&self.auth_url, &self.admin.login, ""),
        )
    }
}

/// A YAML scalar: the JSON string.
fn q(text: &str) -> String {
    serde_json::Value::from(text).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn login(name: &str) -> ServiceUser {
        ServiceUser {
            username: name.into(),
            password: format!("ma-{name}-secret"),
            user_domain_name: "Default".into(),
            project_name: "service".into(),
            project_domain_name: "Default".into(),
        }
    }

    fn sample(dir: &Path) -> OpenStackEnv {
        let project = |name: &str, id: &str| Project {
            name: name.into(),
            id: id.into(),
            domain_name: "ma-test".into(),
        };
        OpenStackEnv {
            auth_url: "http://127.0.0.1:5000/v3".into(),
            auth_url_tls: "https://localhost:5001/v3".into(),
            ca_file: dir.join("ca.pem"),
            region: "RegionOne".into(),
            interface: "public".into(),
            admin: Admin {
                login: ServiceUser {
                    project_name: "admin".into(),
                    ..login("admin")
                },
                project_id: "p-admin".into(),
            },
            user: User {
                name: "ma-test-user".into(),
                id: "u1".into(),
                password: "ma-test-user-secret".into(),
                domain_name: "ma-test".into(),
            },
            other_user: User {
                name: "ma-test-other".into(),
                id: "u2".into(),
                password: "ma-test-other-secret".into(),
                domain_name: "ma-test".into(),
            },
            project_admin: User {
                name: "ma-test-admin".into(),
                id: "u3".into(),
                password: "ma-test-admin-secret".into(),
                domain_name: "ma-test".into(),
            },
            project: project("ma-test", "p1"),
            project_alt: project("ma-test-alt", "p2"),
            application_credential: ApplicationCredential {
                id: "ac1".into(),
                name: "ma-test-appcred".into(),
                secret: "s\"cret".into(),
            },
            mistral: login("mistral"),
            image_id: "i1".into(),
            image_name: "ma-test-image".into(),
            flavor_id: "1".into(),
            flavor_name: "ma.tiny".into(),
            trove: Trove {
                datastore: "mysql".into(),
                datastore_version: "5.7.29".into(),
            },
            endpoints: [(
                "compute".to_string(),
                "http://127.0.0.1:8774/v2.1".to_string(),
            )]
            .into(),
            clouds_yaml: dir.join("clouds.yaml"),
            python: dir.join("venv/bin/python"),
            settle: Settle {
                script: dir.join("settle.py"),
                trove_db: "mysql+pymysql://root@127.0.0.1:13306/trove?charset=utf8mb4".into(),
                cinder_db: "postgresql+psycopg2://postgres@127.0.0.1:15432/cinder".into(),
                trove_user: login("trove"),
            },
            logs: dir.join("logs"),
        }
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let env = sample(dir.path());
        let file = dir.path().join("env.json");
        env.write(&file).unwrap();
        assert_eq!(OpenStackEnv::read(&file).unwrap(), env);
        let yaml = std::fs::read_to_string(&env.clouds_yaml).unwrap();
        assert_eq!(yaml, env.clouds_yaml_text());
    }

    /// The names settle.py (and anyone at a shell with jq) reads.
    #[test]
    fn the_json_keeps_the_field_names_the_settle_helper_reads() {
        let dir = tempfile::tempdir().unwrap();
        let json = serde_json::to_value(sample(dir.path())).unwrap();
        for pointer in [
            "/auth_url",
            "/region",
            "/admin/username",
            "/admin/project_id",
            "/settle/script",
            "/settle/trove_db",
            "/settle/cinder_db",
            "/settle/trove_user/username",
            "/settle/trove_user/password",
            "/settle/trove_user/user_domain_name",
            "/settle/trove_user/project_name",
            "/settle/trove_user/project_domain_name",
        ] {
            assert!(
                json.pointer(pointer).is_some_and(|v| v.is_string()),
                "{pointer}"
            );
        }
        let settle_user = json.pointer("/settle/trove_user").unwrap();
        assert_eq!(settle_user.as_object().unwrap().len(), 5, "{settle_user}");
    }

    #[test]
    fn clouds_yaml_names_each_cloud_with_its_login() {
        let dir = tempfile::tempdir().unwrap();
        let yaml = sample(dir.path()).clouds_yaml_text();
        let cloud = |name: &str| -> String {
            let start = yaml.find(&format!("\n  {name}:\n")).unwrap() + 1;
            let rest = &yaml[start + name.len() + 4..];
            let end = rest.find("\n  ma-").map_or(rest.len(), |e| e + 1);
            rest[..end].to_string()
        };
        let user = cloud(USER_CLOUD);
        assert!(
            user.contains("      username: \"ma-test-user\"\n"),
            "{user}"
        );
        assert!(user.contains("      project_name: \"ma-test\"\n"), "{user}");
        assert!(!user.contains("cacert"), "{user}");
        let tls = cloud(TLS_CLOUD);
        assert!(
            tls.contains("auth_url: \"https://localhost:5001/v3\""),
            "{tls}"
        );
        let ca = format!("    cacert: \"{}\"\n", dir.path().join("ca.pem").display());
        assert!(tls.contains(&ca), "{tls}");
        let appcred = cloud(APPCRED_CLOUD);
        assert!(
            appcred.contains("auth_type: v3applicationcredential"),
            "{appcred}"
        );
        assert!(
            appcred.contains("application_credential_secret: \"s\\\"cret\"\n"),
            "quoted: {appcred}"
        );
        let admin = cloud(ADMIN_CLOUD);
        assert!(admin.contains("      username: \"admin\"\n"), "{admin}");
        assert!(admin.contains("      project_name: \"admin\"\n"), "{admin}");
        let other_alt = cloud(OTHER_ALT_CLOUD);
        assert!(
            other_alt.contains("      username: \"ma-test-other\"\n")
                && other_alt.contains("      project_name: \"ma-test-alt\"\n"),
            "{other_alt}"
        );
        let project_admin = cloud(PROJECT_ADMIN_CLOUD);
        assert!(
            project_admin.contains("      username: \"ma-test-admin\"\n")
                && project_admin.contains("      project_name: \"ma-test\"\n"),
            "{project_admin}"
        );
        for text in [user, tls, appcred, admin, other_alt, project_admin] {
            assert!(text.contains("    region_name: \"RegionOne\"\n"), "{text}");
        }
    }

    #[test]
    fn an_unset_variable_says_how_to_start_the_services() {
        let message = Error::Unset.to_string();
        assert!(message.contains("cargo harness openstack"), "{message}");
        assert!(message.contains(ENV), "{message}");
    }
}
