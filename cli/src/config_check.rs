//! `mistral-actions config check`: the server's configuration loaded by the server's own
//! code (`Settings::load`, then `state_with`, which reads every token file and builds the
//! OpenStack client, and the TLS acceptor), its Keystone login tried, and what the server
//! would use printed without a secret. Every problem is named; any makes the exit 1.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use mistral_actions_runtime::openstack::config::{Credentials, Ident};
use mistral_actions_runtime::openstack::{CloudConfig, OpenStack};
use mistral_actions_server::config::{Access, Config, Overrides, Settings};

use crate::envfile;

pub const DEFAULT_CONFIG: &str = "/etc/mistral-actions/server.yaml";

/// The variables the check sees: this shell's, or only those of an environment file.
enum Vars {
    Process,
    File(std::collections::BTreeMap<String, String>),
}

impl Vars {
    fn get(&self, key: &str) -> Option<String> {
        match self {
            Vars::Process => std::env::var(key).ok(),
            Vars::File(vars) => vars.get(key).cloned(),
        }
    }

    /// The names (never the values) of the variables that change what the server does.
    fn relevant(&self) -> Vec<String> {
        let names: Vec<String> = match self {
            Vars::Process => std::env::vars_os()
                .map(|(k, _)| k.to_string_lossy().into_owned())
                .collect(),
            Vars::File(vars) => vars.keys().cloned().collect(),
        };
        let mut names: Vec<String> = names
            .into_iter()
            .filter(|k| k.starts_with("OS_") || k.starts_with("MISTRAL_ACTIONS_"))
            .collect();
        names.sort();
        names
    }
}

pub fn run(config: &Path, env_file: Option<&Path>, login: bool) -> bool {
    let mut problems = Vec::new();
    let config = absolute(config);
    let vars = match env_file {
        None => Vars::Process,
        Some(file) => match envfile::read(file) {
            Ok(v) => {
                // systemd starts the service in `/`: a relative path (./clouds.yaml) means
                // what it means there.
                if let Err(e) = std::env::set_current_dir("/") {
                    problems.push(format!("cannot change to /: {e}"));
                }
                Vars::File(v)
            }
            Err(e) => return fail(&[format!("--env-file {e}")]),
        },
    };
    println!("configuration: {}", config.display());
    let names = vars.relevant();
    println!(
        "environment:   {} ({})",
        match env_file {
            Some(f) => format!("only {}", f.display()),
            None => "this shell's".to_string(),
        },
        if names.is_empty() {
            "no MISTRAL_ACTIONS_* or OS_* variables".to_string()
        } else {
            names.join(", ")
        }
    );
    let overrides = Overrides {
        config: Some(config.clone()),
        ..Overrides::default()
    };
    let Settings { config, access } = match Settings::load(overrides, &|k| vars.get(k)) {
        Ok(s) => s,
        Err(e) => return fail(&[e.to_string()]),
    };
    print_settings(&config, &access);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&[format!("cannot start an async runtime: {e}")]),
    };
    runtime.block_on(async {
        // Everything the server builds before it listens: token files (the server's and
        // each project's, checked for sharing), the OpenStack client with its CA bundle.
        if let Err(e) = mistral_actions_server::state_with(&config, &access) {
            problems.push(e.to_string());
        }
        if let Some(tls) = &config.tls {
            if let Err(e) = mistral_actions_server::tls::acceptor(tls) {
                problems.push(format!("tls: {e}"));
            }
        }
        problems.extend(missing_programs(&config));
        match (&config.cloud, login) {
            (None, _) => problems.push(
                "no OpenStack cloud configured (openstack.cloud, OS_CLOUD or OS_AUTH_URL): every OpenStack action would fail".into(),
            ),
            (Some(_), false) => println!("keystone:      not tried (--offline)"),
            (Some(cloud), true) => {
                if let Err(e) = try_login(cloud).await {
                    problems.push(e);
                }
            }
        }
    });
    if problems.is_empty() {
        println!("ok: the server would start with this configuration");
        true
    } else {
        fail(&problems)
    }
}

fn fail(problems: &[String]) -> bool {
    for p in problems {
        eprintln!("error: {p}");
    }
    eprintln!("config check: {} problem(s)", problems.len());
    false
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn print_settings(config: &Config, access: &Access) {
    let scheme = if config.tls.is_some() {
        "https"
    } else {
        "http"
    };
    println!("listen:        {} ({scheme})", config.listen);
    let token = match (&config.token, &access.token_file) {
        (None, _) if access.project_tokens.is_empty() => "none (--insecure-no-auth)".into(),
        (None, _) => "none of its own: per-project tokens only".into(),
        (Some(t), Some(file)) => format!(
            "from {} ({} characters; re-read on SIGHUP and when replaced)",
            file.display(),
            t.expose().len()
        ),
        (Some(t), None) => format!(
            "given inline or in MISTRAL_ACTIONS_TOKEN ({} characters; not rotated)",
            t.expose().len()
        ),
    };
    println!("bearer token:  {token}");
    for (project, file) in &access.project_tokens {
        println!("  project {project}: token from {}", file.display());
    }
    println!(
        "token overlap: {} s (a replaced token stays valid this long)",
        access.overlap.as_secs()
    );
    if let Some(tls) = &config.tls {
        println!(
            "tls:           cert {}, key {}",
            tls.cert.display(),
            tls.key.display()
        );
    }
    match &config.cloud {
        None => println!("openstack:     none configured"),
        Some(cloud) => print_cloud(cloud),
    }
    let list = |v: &[String]| {
        if v.is_empty() {
            "only the configured one".to_string()
        } else {
            v.join(", ")
        }
    };
    println!("  projects:    {}", list(&access.projects));
    println!("  regions:     {}", list(&access.regions));
    if config.exec.allow.is_empty() {
        println!("exec:          disabled (exec.allow is empty)");
    } else {
        println!(
            "exec:          allow {}; timeout {} s; PATH {}",
            config.exec.allow.join(", "),
            config.exec.timeout.as_secs_f64(),
            config.exec.path
        );
    }
    println!("actions:       {}", mistral_actions::ACTIONS.len());
}

fn ident(i: &Ident) -> String {
    match i {
        Ident::Id(id) => format!("id {id}"),
        Ident::Name(name) => name.clone(),
    }
}

fn print_cloud(cloud: &CloudConfig) {
    println!("openstack:");
    println!("  auth_url:    {}", cloud.auth_url);
    let credentials = match &cloud.credentials {
        Credentials::Password {
            user,
            user_domain,
            project,
            project_domain,
            ..
        } => format!(
            "password of user {} (domain {}), project {} (domain {}), password <redacted>",
            ident(user),
            ident(user_domain),
            project.as_ref().map_or("none (unscoped)".into(), ident),
            ident(project_domain)
        ),
        Credentials::ApplicationCredential {
            credential, user, ..
        } => format!(
            "application credential {}{}, secret <redacted>",
            ident(credential),
            user.as_ref()
                .map(|u| format!(" of user {}", ident(u)))
                .unwrap_or_default()
        ),
        Credentials::Token { project, .. } => format!(
            "an existing token <redacted>, project {}",
            project.as_ref().map_or("none".into(), ident)
        ),
    };
    println!("  credentials: {credentials}");
    println!(
        "  region:      {}",
        cloud
            .region
            .as_deref()
            .unwrap_or("(any: the catalog's first)")
    );
    println!("  interface:   {}", cloud.interface);
    println!("  timeout:     {} s", cloud.timeout.as_secs_f64());
    let trust = match (&cloud.trust.cacert, cloud.trust.verify) {
        (_, false) => "NOT VERIFIED (verify: false / insecure)".to_string(),
        (Some(ca), true) => format!("system roots and {}", ca.display()),
        (None, true) => "system roots".to_string(),
    };
    println!("  tls trust:   {trust}");
    for (service, url) in &cloud.endpoint_overrides {
        println!("  endpoint override: {service} = {url}");
    }
}

/// Programs of `exec.allow` that are not on `exec.path` (an absolute one must exist).
fn missing_programs(config: &Config) -> Vec<String> {
    let found = |program: &str| {
        if program.contains('/') {
            return Path::new(program).is_file();
        }
        config
            .exec
            .path
            .split(':')
            .any(|dir| Path::new(dir).join(program).is_file())
    };
    config
        .exec
        .allow
        .iter()
        .filter(|p| !found(p))
        .map(|p| {
            format!(
                "exec.allow: {p} is not found on exec.path ({})",
                config.exec.path
            )
        })
        .collect()
}

/// The login the server makes at its first call, and what its token grants.
async fn try_login(cloud: &CloudConfig) -> Result<(), String> {
    let os = OpenStack::new(cloud.clone()).map_err(|e| e.to_string())?;
    let session = os
        .login()
        .await
        .map_err(|e| format!("Keystone login failed: {e}"))?;
    let project = session
        .project
        .as_ref()
        .map(|p| {
            format!(
                "project {} ({})",
                p.name.as_deref().unwrap_or("?"),
                p.id.as_deref().unwrap_or("?")
            )
        })
        .unwrap_or_else(|| "no project (unscoped)".into());
    let expires = session
        .expires_at
        .and_then(|t| t.duration_since(SystemTime::now()).ok())
        .map(|d| format!(", token valid for {} min", d.as_secs() / 60))
        .unwrap_or_default();
    println!("keystone:      logged in: {project}{expires}");
    let region = cloud.region.as_deref();
    let mut reachable: Vec<String> = session
        .catalog
        .iter()
        .filter_map(|s| {
            session
                .endpoint(&s.ty, &cloud.interface, region)
                .ok()
                .map(|url| format!("{} {url}", s.ty))
        })
        .collect();
    reachable.sort();
    if reachable.is_empty() {
        return Err(format!(
            "the catalog has no {} endpoint{}",
            cloud.interface,
            region
                .map(|r| format!(" in region {r}"))
                .unwrap_or_default()
        ));
    }
    println!(
        "catalog:       {} endpoints{}:",
        cloud.interface,
        region.map(|r| format!(" in {r}")).unwrap_or_default()
    );
    for line in reachable {
        println!("  {line}");
    }
    Ok(())
}
