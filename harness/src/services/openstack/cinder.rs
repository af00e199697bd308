//! Cinder 29: the API under gunicorn, cinder-scheduler, cinder-volume on the
//! `FakeLoggingVolumeDriver` that ships in the wheel, and the real cinder-backup with the
//! posix driver writing under target/; only the host-side attach of the volume is ours
//! (`ma_openstack.cinder_backup`, see there). PostgreSQL, RabbitMQ.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings};
use super::launch::{self, Ctx};
use super::venv;

pub const DATABASE: &str = "cinder";
/// The daemons besides the API, as `os-services` lists their binaries.
pub const DAEMONS: [&str; 3] = ["cinder-scheduler", "cinder-volume", "cinder-backup"];

pub fn start(ctx: &Ctx, s: &Settings) -> Result<Vec<Background>> {
    let dir = ctx.service_dir("cinder")?;
    let backups = dir.join("backups");
    let _ = fs::remove_dir_all(&backups);
    fs::create_dir_all(&backups).with_context(|| format!("cannot create {}", backups.display()))?;
    let file = dir.join("cinder.conf");
    let privsep = venv::bin(&ctx.root, "privsep-helper");
    let text = format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         host = ma-openstack\n\
         my_ip = 127.0.0.1\n\
         state_path = {dir}\n\
         auth_strategy = keystone\n\
         api_paste_config = {paste}\n\
         # what packages install as /etc/cinder/resource_filters.json: without it every\n\
         # list filter (even volume_id) is refused from microversion 3.33 on\n\
         resource_query_filters_file = {filters}\n\
         osapi_volume_workers = 1\n\
         enabled_backends = fake\n\
         default_volume_type = __DEFAULT__\n\
         backup_manager = ma_openstack.cinder_backup.BackupManager\n\
         backup_driver = cinder.backup.drivers.posix.PosixBackupDriver\n\
         backup_posix_path = {backups}\n\
         # the chunked driver's progress timer and the periodic status report only add load\n\
         backup_enable_progress_timer = False\n\
         {messaging}\
         [fake]\n\
         volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver\n\
         volume_backend_name = fake\n\
         [database]\n\
         connection = {db}\n\
         [oslo_concurrency]\n\
         lock_path = {dir}/locks\n\
         [coordination]\n\
         backend_url = file://{dir}/coordination\n\
         # os-brick reads the host's connector properties through privsep; as root the\n\
         # venv's helper runs directly (there is no sudo here)\n\
         [privsep_osbrick]\n\
         helper_command = {privsep}\n\
         [privsep]\n\
         helper_command = {privsep}\n\
         {authtoken}",
        header = config::header("Cinder"),
        dir = dir.display(),
        paste = venv::dir(&ctx.root)
            .join("etc/cinder/api-paste.ini")
            .display(),
        filters = venv::dir(&ctx.root)
            .join("etc/cinder/resource_filters.json")
            .display(),
        backups = backups.display(),
        messaging = s.messaging(),
        db = s.postgres_db(DATABASE),
        privsep = privsep.display(),
        authtoken = s.authtoken("cinder"),
    );
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    crate::services::db::fresh_postgres(&s.postgres, DATABASE)?;
    let mut sync = ctx.command("cinder-manage");
    sync.arg("--config-file").arg(&file).args(["db", "sync"]);
    ctx.run("cinder-db_sync", sync)?;
    let mut started = Vec::new();
    for daemon in DAEMONS {
        let mut cmd = ctx.command(daemon);
        cmd.arg("--config-file").arg(&file);
        started.push(ctx.spawn(daemon, cmd)?);
    }
    let env = [("MA_CONFIG_FILE", file.to_string_lossy().into_owned())];
    let mut api = ctx.gunicorn("cinder-api", "cinder", s.ports.cinder, 1, None, &env)?;
    launch::wait_http(&mut api, s.ports.cinder, "/", Duration::from_secs(90))?;
    started.push(api);
    Ok(started)
}
