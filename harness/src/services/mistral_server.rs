//! A real Mistral as a deployment runs it: `mistral-server --server api,engine,executor`
//! and, in a process of its own, the periodic task that fires cron triggers
//! (`--server periodic`, with `[cron_trigger] run_in_api = False`: running it in the API
//! is deprecated). Its config under `target/services/mistral`, a database migrated by
//! Mistral's own `mistral-db-manage`, RabbitMQ for messaging, Keystone auth on with a
//! service user that can take the trusts cron triggers run through, loopback allowed for
//! std.http.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use super::mistral_api::MistralApi;
use super::process::{self, Background};

pub struct MistralServer {
    server: Background,
    periodic: Option<Background>,
    /// `http://127.0.0.1:<port>`; the REST API is under `/v2`.
    pub url: String,
}

/// Where mistral.conf and the logs go.
pub fn dir(root: &Path) -> PathBuf {
    super::state_dir(root, "mistral")
}

/// The database Mistral gets, dropped and created afresh on each start.
pub const DATABASE: &str = "mistral";

/// The Keystone Mistral checks callers' tokens with (keystonemiddleware), and the service
/// user it does so as.
pub struct Keystone {
    /// Keystone v3, `http://host:port/v3`.
    pub auth_url: String,
    pub region: String,
    pub username: String,
    pub password: String,
    pub user_domain_name: String,
    pub project_name: String,
    pub project_domain_name: String,
}

/// Creates a fresh database on the PostgreSQL server at `postgres` (a libpq URL without a
/// database, like `postgresql://postgres@127.0.0.1:15432/`), writes mistral.conf for it,
/// `transport_url` and `keystone`, migrates it with `mistral-db-manage upgrade head`, starts
/// mistral-server (api, engine, executor) and waits until its REST API answers a caller
/// with `token`, then the periodic task and waits until it says it started.
pub fn start(
    root: &Path,
    venv: &Path,
    transport_url: &str,
    postgres: &str,
    keystone: &Keystone,
    token: &str,
) -> Result<MistralServer> {
    let dir = dir(root);
    let conf = dir.join("mistral.conf");
    let pid_file = dir.with_extension("pid");
    let marker = conf.to_string_lossy().into_owned();
    // A server left by a killed run would still hold its port and database.
    process::kill_leftover(&pid_file, &marker);
    process::kill_leftover(&periodic_pid_file(&dir), &marker);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    super::db::fresh_postgres(postgres, DATABASE)?;
    let database = format!(
        "{}{DATABASE}",
        postgres.replacen("postgresql://", "postgresql+psycopg2://", 1)
    );
    let port = process::free_port(Some(18989))?;
    fs::write(
        &conf,
        config(&dir, transport_url, &database, port, keystone),
    )
    .with_context(|| format!("cannot write {}", conf.display()))?;

    let started = Instant::now();
    let out = Command::new(venv.join("bin").join("mistral-db-manage"))
        .arg("--config-file")
        .arg(&conf)
        .args(["upgrade", "head"])
        .current_dir(&dir)
        .output()
        .with_context(|| format!("cannot run mistral-db-manage from {}", venv.display()))?;
    fs::write(
        dir.join("db-manage.log"),
        [&out.stdout[..], &out.stderr[..]].concat(),
    )
    .context("cannot write the db-manage log")?;
    if !out.status.success() {
        bail!(
            "`mistral-db-manage upgrade head` failed ({}); end of {}:\n{}",
            out.status,
            dir.join("db-manage.log").display(),
            process::tail(&dir.join("db-manage.log"), 30)
        );
    }
    eprintln!(
        "    mistral-db-manage upgrade head: {:.1}s",
        started.elapsed().as_secs_f32()
    );

    // Once here the forked API worker logged "API server started" and never answered (12
    // starts in a row went fine after); a second start costs seconds, a lost CI run more.
    for attempt in 1.. {
        let mut cmd = Command::new(venv.join("bin").join("mistral-server"));
        cmd.args(["--server", "api,engine,executor", "--config-file"])
            .arg(&conf)
            .current_dir(&dir);
        // mistral-server ignores SIGTERM while busy; SIGINT is what stops it.
        let server = Background::spawn(
            "mistral-server",
            cmd,
            &dir.join("mistral-server.log"),
            &pid_file,
            &marker,
        )?
        .stop_with(libc::SIGINT, Duration::from_secs(15));
        let mut mistral = MistralServer {
            server,
            periodic: None,
            url: format!("http://127.0.0.1:{port}"),
        };
        let api = MistralApi::new(&mistral.url, Some(token));
        let mut last = String::new();
        // Ready in 3-12 s here; give the second start more room in case it is only slow.
        let timeout = Duration::from_secs(if attempt == 1 { 40 } else { 120 });
        let ready = mistral
            .server
            .wait_ready("serving its REST API", timeout, || {
                if !process::listening(port) {
                    last = format!("nothing listens on port {port}");
                    return false;
                }
                api.ready().map_err(|e| last = format!("{e:#}")).is_ok()
            });
        match ready {
            Ok(took) => {
                eprintln!(
                    "    mistral-server (pid {}) at {}, ready in {:.1}s",
                    mistral.server.pid(),
                    mistral.url,
                    took.as_secs_f32()
                );
                mistral.periodic = Some(start_periodic(venv, &dir, &conf, &marker)?);
                return Ok(mistral);
            }
            Err(e) if attempt < 2 => {
                let text = format!("{e:#}");
                let first = text.lines().next().unwrap_or_default();
                eprintln!(
                    "    {first} (last answer: {last}); stopping it and starting it once more"
                );
                mistral.stop();
            }
            Err(e) => return Err(e),
        }
    }
    unreachable!("the loop returns")
}

fn periodic_pid_file(dir: &Path) -> PathBuf {
    dir.with_file_name("mistral-periodic.pid")
}

/// `mistral-server --server periodic`: the cron triggers' loop, as deployments run it.
fn start_periodic(venv: &Path, dir: &Path, conf: &Path, marker: &str) -> Result<Background> {
    let log = dir.join("mistral-periodic.log");
    let mut cmd = Command::new(venv.join("bin").join("mistral-server"));
    cmd.args(["--server", "periodic", "--config-file"])
        .arg(conf)
        .current_dir(dir);
    let mut periodic = Background::spawn(
        "mistral-server --server periodic",
        cmd,
        &log,
        &periodic_pid_file(dir),
        marker,
    )?
    .stop_with(libc::SIGINT, Duration::from_secs(15));
    let took = periodic.wait_ready("started", Duration::from_secs(60), || {
        fs::read_to_string(&log).is_ok_and(|t| t.contains("Periodic server started"))
    })?;
    eprintln!(
        "    mistral-server --server periodic (pid {}) started in {:.1}s",
        periodic.pid(),
        took.as_secs_f32()
    );
    Ok(periodic)
}

impl MistralServer {
    /// An error if a process has died (with the end of its log).
    pub fn check_alive(&mut self) -> Result<()> {
        self.server.check_alive()?;
        match self.periodic.as_mut() {
            Some(p) => p.check_alive(),
            None => Ok(()),
        }
    }

    /// SIGINT to each process group, then SIGKILL.
    pub fn stop(mut self) {
        if let Some(mut p) = self.periodic.take() {
            p.stop();
        }
        self.server.stop();
    }
}

/// The libpq URL of Mistral's database, for psql.
pub fn database_url(postgres: &str) -> String {
    format!("{postgres}{DATABASE}")
}

fn config(
    dir: &Path,
    transport_url: &str,
    database: &str,
    port: u16,
    keystone: &Keystone,
) -> String {
    let k = keystone;
    format!(
        "# Written by `cargo harness` for the tests' throwaway Mistral; not for production.\n\
         [DEFAULT]\n\
         transport_url = {transport_url}\n\
         debug = False\n\
         \n\
         [database]\n\
         connection = {database}\n\
         \n\
         [pecan]\n\
         auth_enable = True\n\
         \n\
         [keystone_authtoken]\n\
         # Also the trustee of the trusts cron triggers run through\n\
         # (mistral/utils/openstack/keystone.py, _admin_client).\n\
         www_authenticate_uri = {auth_url}\n\
         auth_url = {auth_url}\n\
         auth_type = password\n\
         username = {username}\n\
         password = {password}\n\
         user_domain_name = {user_domain}\n\
         project_name = {project}\n\
         project_domain_name = {project_domain}\n\
         region_name = {region}\n\
         \n\
         [openstack_actions]\n\
         # mistral-extra's nova.*/cinder.* pick their endpoint from the caller's catalog here.\n\
         default_region = {region}\n\
         \n\
         [api]\n\
         host = 127.0.0.1\n\
         port = {port}\n\
         api_workers = 1\n\
         \n\
         [cron_trigger]\n\
         # The periodic task runs in `mistral-server --server periodic`, as deployed.\n\
         run_in_api = False\n\
         \n\
         [action_std_http]\n\
         # Mistral 23 refuses loopback targets by default; our action server is on loopback.\n\
         denied_cidrs = 169.254.0.0/16\n\
         \n\
         [oslo_concurrency]\n\
         lock_path = {locks}\n",
        locks = dir.join("locks").display(),
        auth_url = k.auth_url,
        username = k.username,
        password = k.password,
        user_domain = k.user_domain_name,
        project = k.project_name,
        project_domain = k.project_domain_name,
        region = k.region,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The options the e2e depends on, read back the way oslo.config reads them.
    #[test]
    fn the_config_allows_loopback_and_checks_tokens_with_keystone() {
        let keystone = Keystone {
            auth_url: "http://127.0.0.1:5000/v3".into(),
            region: "RegionOne".into(),
            username: "mistral".into(),
            password: "pw".into(),
            user_domain_name: "Default".into(),
            project_name: "service".into(),
            project_domain_name: "Default".into(),
        };
        let text = config(
            Path::new("/x/mistral"),
            "rabbit://guest:guest@127.0.0.1:5673/",
            "postgresql+psycopg2://postgres@127.0.0.1:15432/mistral",
            18990,
            &keystone,
        );
        let mut section = String::new();
        let mut options = Vec::new();
        for line in text.lines().map(str::trim) {
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name.to_string();
            } else if let Some((key, value)) = line.split_once(" = ") {
                options.push(format!("{section}.{key}={value}"));
            }
        }
        for wanted in [
            "DEFAULT.transport_url=rabbit://guest:guest@127.0.0.1:5673/",
            "database.connection=postgresql+psycopg2://postgres@127.0.0.1:15432/mistral",
            "pecan.auth_enable=True",
            "keystone_authtoken.auth_type=password",
            "keystone_authtoken.auth_url=http://127.0.0.1:5000/v3",
            "keystone_authtoken.www_authenticate_uri=http://127.0.0.1:5000/v3",
            "keystone_authtoken.username=mistral",
            "keystone_authtoken.project_name=service",
            "openstack_actions.default_region=RegionOne",
            "api.host=127.0.0.1",
            "api.port=18990",
            "cron_trigger.run_in_api=False",
            "action_std_http.denied_cidrs=169.254.0.0/16",
        ] {
            assert!(
                options.iter().any(|o| o == wanted),
                "{wanted} not in {options:?}"
            );
        }
        assert!(
            !options.iter().any(|o| o.contains("127.0.0.0/8")),
            "loopback still denied"
        );
    }

    #[test]
    fn the_database_url_names_the_fresh_database() {
        assert_eq!(
            database_url("postgresql://postgres@127.0.0.1:15432/"),
            "postgresql://postgres@127.0.0.1:15432/mistral"
        );
    }
}
