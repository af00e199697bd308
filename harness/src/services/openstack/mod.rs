//! Real OpenStack services for the tests, installed from PyPI into `target/openstack-venv`
//! ([`venv`]) and started on 127.0.0.1 by `cargo xtask ci` (step "start OpenStack (real
//! services)") and `cargo harness openstack`: Keystone 30 (plain and TLS), Glance 33, Cinder
//! 29 (api, scheduler, volume on the fake driver, the real cinder-backup), Placement 16,
//! Nova 34 (api, conductor, scheduler, compute on our FakeDriver subclass), Trove 26 (api),
//! on the PostgreSQL and MariaDB servers ci starts and a RabbitMQ vhost of their own. Only
//! Neutron, Swift and Trove's guest agent are minimal responders of ours; what only a guest
//! VM could do is done by the settle helper. Configs, data, logs (`logs/`) and pid files
//! (`pids/`) are under `target/services/openstack/`.
//!
//! # Interface for the tests
//!
//! After a start, `MA_TEST_OPENSTACK` ([`ENV`]) holds the path of
//! `target/services/openstack/env.json`, a `harness_contract::OpenStackEnv` (whose fields
//! say what each is), with `clouds.yaml` beside it. What cannot run here (a Trove guest)
//! is done by the settle helper, `harness/openstack/settle.py` (see
//! `harness_contract::Settle`).

pub mod api;
mod cinder;
mod config;
mod export;
mod glance;
mod keystone;
mod launch;
mod nova;
mod placement;
mod seed;
mod tls;
mod trove;
pub mod venv;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use crate::services::process::{self, Background};
use crate::services::rabbitmq::RabbitMq;

use config::{Ports, Settings};
use launch::Ctx;

/// The variable that points the tests to env.json.
pub use harness_contract::ENV;

/// The running services; dropping it stops them all.
pub struct OpenStack {
    processes: Vec<Background>,
    /// `target/services/openstack/env.json`.
    pub env_file: PathBuf,
    pub clouds_yaml: PathBuf,
}

fn timed<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let started = Instant::now();
    let out = f().context(what.to_string())?;
    eprintln!("    {what}: {:.1}s", started.elapsed().as_secs_f32());
    Ok(out)
}

/// Kills what a killed run left (by its pid files, if the command line still names our
/// directory), then removes that run's files.
fn clean_leftovers(ctx: &Ctx) {
    if let Ok(entries) = fs::read_dir(ctx.dir.join("pids")) {
        for entry in entries.flatten() {
            process::kill_leftover(&entry.path(), &ctx.marker());
        }
    }
    let _ = fs::remove_dir_all(&ctx.dir);
}

impl OpenStack {
    /// Installs (once) and starts everything, seeds it, and writes env.json and clouds.yaml.
    /// `postgres` and `mysql` are the server URLs `Databases` exports (no database).
    pub fn start(root: &Path, postgres: &str, mysql: &str, rabbit: &RabbitMq) -> Result<Self> {
        let started = Instant::now();
        let ctx = Ctx::new(root);
        clean_leftovers(&ctx);
        fs::create_dir_all(&ctx.dir)
            .with_context(|| format!("cannot create {}", ctx.dir.display()))?;
        timed("OpenStack venv", || venv::ensure(root))?;
        let setup = Instant::now();
        let s = Settings {
            ports: Ports::pick()?,
            postgres: postgres.to_string(),
            mysql: mysql.to_string(),
            transport_url: rabbit.vhost(config::VHOST)?,
        };
        let mut processes = Vec::new();
        // Phase 1, in parallel: each service's databases, then its processes, answering;
        // Keystone is seeded as soon as it answers.
        // Set once Keystone knows the service users: Nova's daemons log in at start.
        let seeded = (Mutex::new(false), Condvar::new());
        let others = ctx.niced(5);
        let (ids, qcow2) = thread::scope(|scope| {
            let ks = scope.spawn(|| {
                let result = timed("keystone (db_sync, bootstrap, plain + TLS)", || {
                    keystone::start(&ctx, &s)
                })
                .and_then(|k| timed("keystone seeded", || seed::keystone(&s)).map(|ids| (k, ids)));
                *seeded.0.lock().expect("not poisoned") = true;
                seeded.1.notify_all();
                result
            });
            let glance = scope.spawn(|| timed("glance", || glance::start(&others, &s)));
            let cinder = scope.spawn(|| timed("cinder", || cinder::start(&others, &s)));
            let placement = scope.spawn(|| timed("placement", || placement::start(&others, &s)));
            let nova = scope.spawn(|| {
                // The longest setup (four nova-manage runs): not niced.
                let api = timed("nova (cells, api)", || nova::start(&ctx, &s))?;
                let mut done = seeded.0.lock().expect("not poisoned");
                while !*done {
                    done = seeded.1.wait(done).expect("not poisoned");
                }
                drop(done);
                let mut started = vec![api];
                started.extend(nova::start_daemons(&ctx)?);
                Ok(started)
            });
            let trove = scope.spawn(|| {
                timed("trove", || trove::start(&others, &s)).and_then(|api| {
                    let responders = timed("responders", || trove::start_responders(&others, &s))?;
                    let taskmanager = trove::start_taskmanager(&others)?;
                    Ok(vec![api, responders, taskmanager])
                })
            });
            let qcow2 = scope.spawn(|| test_image(&ctx));
            let mut errors = Vec::new();
            let mut ids = None;
            match ks.join().expect("no panic") {
                Ok((k, i)) => {
                    processes.extend([k.plain, k.tls]);
                    ids = Some((i, k.certs));
                }
                Err(e) => errors.push(e),
            }
            for joined in [
                glance.join().expect("no panic").map(|b| vec![b]),
                cinder.join().expect("no panic"),
                placement.join().expect("no panic").map(|b| vec![b]),
                nova.join().expect("no panic"),
                trove.join().expect("no panic"),
            ] {
                match joined {
                    Ok(started) => processes.extend(started),
                    Err(e) => errors.push(e),
                }
            }
            let qcow2 = qcow2.join().expect("no panic");
            if errors.is_empty() {
                Ok((ids.expect("keystone started"), qcow2?))
            } else {
                let errors: Vec<String> = errors.iter().map(|e| format!("{e:#}")).collect();
                bail!("{}", errors.join("\n"))
            }
        })?;
        let (ids, certs) = ids;
        // Phase 2: nova-compute (it reports to Placement as the `nova` user), the image,
        // the flavor, Trove's datastore, quotas; then every daemon must be up.
        let (admin, _) = seed::admin(&s)?;
        // Watched by the thread that waits for them; everything is owned by `processes`.
        let (mut nova_daemons, mut rest_procs): (Vec<Background>, Vec<Background>) = processes
            .into_iter()
            .partition(|p| p.name().starts_with("nova-") && p.name() != "nova-api");
        let image_id = thread::scope(|scope| -> Result<String> {
            let compute = scope.spawn(|| {
                timed("nova daemons up, compute host mapped", || {
                    let daemons = processes_named(&mut nova_daemons, "nova-");
                    wait_services(
                        daemons,
                        &admin,
                        &format!("http://127.0.0.1:{}/v2.1/os-services", s.ports.nova),
                        &["nova-conductor", "nova-scheduler", "nova-compute"],
                    )?;
                    nova::discover_hosts(&ctx)
                })
            });
            let image = scope.spawn(|| {
                timed("image uploaded, trove datastore registered", || {
                    let id = seed::image(&s, &admin, &qcow2)?;
                    trove::register_datastore(&ctx, &id)?;
                    Ok(id)
                })
            });
            let rest = timed("flavor, quotas, cinder services up", || {
                seed::flavor(&s, &admin)?;
                seed::quotas(&s, &admin, &ids)?;
                wait_services(
                    processes_named(&mut rest_procs, "cinder-"),
                    &admin,
                    &format!(
                        "http://127.0.0.1:{}/v3/{}/os-services",
                        s.ports.cinder, ids.admin_project_id
                    ),
                    &cinder::DAEMONS,
                )
            });
            let compute = compute.join().expect("no panic");
            let image = image.join().expect("no panic");
            compute?;
            rest?;
            image
        });
        let mut processes = rest_procs;
        processes.append(&mut nova_daemons);
        let image_id = image_id?;
        let written = export::write(&ctx, &s, &ids, &certs, &image_id)?;
        eprintln!(
            "    OpenStack ready in {:.0}s (setup {:.0}s without the venv); {} processes, logs in {}",
            started.elapsed().as_secs_f32(),
            setup.elapsed().as_secs_f32(),
            processes.len(),
            ctx.dir.join("logs").display()
        );
        Ok(OpenStack {
            processes,
            env_file: written.0,
            clouds_yaml: written.1,
        })
    }

    /// `MA_TEST_OPENSTACK` for every process this one starts afterwards.
    pub fn export(&self) {
        // Single-threaded here: ci starts services before the tests run.
        std::env::set_var(ENV, &self.env_file);
        eprintln!("    {ENV}={}", self.env_file.display());
    }

    /// Resident memory of all the services' processes (their groups), in MiB.
    pub fn rss_mib(&self) -> u64 {
        self.processes
            .iter()
            .map(|p| group_rss_kib(p.pid()))
            .sum::<u64>()
            / 1024
    }

    /// Stops every process group, all at once (each gets its grace period).
    fn stop_all(&mut self) {
        let processes = std::mem::take(&mut self.processes);
        thread::scope(|scope| {
            for mut p in processes {
                scope.spawn(move || p.stop());
            }
        });
    }
}

impl Drop for OpenStack {
    fn drop(&mut self) {
        self.stop_all();
    }
}

/// A fresh qcow2 of 1 MiB virtual size (≈200 KB), made by Debian's `qemu-img`.
fn test_image(ctx: &Ctx) -> Result<Vec<u8>> {
    let path = ctx.service_dir("glance")?.join("ma-test-image.qcow2");
    let _ = fs::remove_file(&path);
    let out = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&path)
        .arg("1M")
        .output()
        .context("cannot run qemu-img (Debian's qemu-utils)")?;
    if !out.status.success() {
        bail!(
            "qemu-img create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
}

/// Waits until `os-services` lists each of `binaries` with state `up`, failing with the
/// end of its log as soon as one of `watched` dies.
fn wait_services<'a>(
    watched: impl IntoIterator<Item = &'a mut Background>,
    admin: &api::Api,
    url: &str,
    binaries: &[&str],
) -> Result<()> {
    let mut watched: Vec<&mut Background> = watched.into_iter().collect();
    let started = Instant::now();
    loop {
        let last = match admin.get(url) {
            Ok(v) => {
                let up =
                    |b: &str| {
                        v["services"].as_array().into_iter().flatten().any(|s| {
                            s["binary"] == b && s["state"] == "up" && s["status"] == "enabled"
                        })
                    };
                let missing: Vec<_> = binaries.iter().filter(|b| !up(b)).collect();
                if missing.is_empty() {
                    return Ok(());
                }
                format!("not up yet: {missing:?}")
            }
            Err(e) => format!("{e:#}"),
        };
        for p in watched.iter_mut() {
            p.check_alive()?;
        }
        if started.elapsed() > Duration::from_secs(120) {
            bail!(
                "{} not all up after 120 s (last os-services answer: {last}); logs in {}",
                binaries.join(", "),
                watched
                    .first()
                    .map(|p| p.log().display().to_string())
                    .unwrap_or_default()
            );
        }
        thread::sleep(Duration::from_millis(500));
    }
}

fn processes_named<'a>(
    all: &'a mut [Background],
    prefix: &'a str,
) -> impl Iterator<Item = &'a mut Background> + 'a {
    all.iter_mut().filter(move |p| p.name().starts_with(prefix))
}

/// Sum of VmRSS over the processes of group `pgid`.
fn group_rss_kib(pgid: u32) -> u64 {
    let Ok(entries) = fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pgrp is the 3rd field after the parenthesised command name.
            let after = &stat[stat.rfind(')')? + 2..];
            let pgrp: u32 = after.split_whitespace().nth(2)?.parse().ok()?;
            (pgrp == pgid).then_some(pid)
        })
        .filter_map(|pid| {
            let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
            let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .sum()
}
