//! Trove 26: trove-api on MariaDB, RabbitMQ, and trove-taskmanager for its backup delete
//! path only (`harness/openstack/python/ma_openstack/trove_taskmanager.py`). No guest: what
//! the taskmanager and a guest would do for an instance or a new backup is done by the
//! settle helper (`harness/openstack/settle.py`), and our responder answers the guest
//! agent's RPC calls.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings};
use super::launch::{self, Ctx};
use super::venv;

pub const DATABASE: &str = "trove";
pub const DATASTORE: &str = "mysql";
pub const DATASTORE_VERSION: &str = "5.7.29";

fn conf_file(ctx: &Ctx) -> Result<std::path::PathBuf> {
    Ok(ctx.service_dir("trove")?.join("trove.conf"))
}

pub fn start(ctx: &Ctx, s: &Settings) -> Result<Background> {
    let file = conf_file(ctx)?;
    let text = format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         bind_host = 127.0.0.1\n\
         bind_port = {port}\n\
         trove_api_workers = 1\n\
         api_paste_config = {paste}\n\
         control_exchange = trove\n\
         default_datastore = {DATASTORE}\n\
         trove_volume_support = True\n\
         # The guest agent's heartbeat (every report_interval) keeps an instance's service\n\
         # status fresh; there is no guest here, so a settled instance stays fresh a day.\n\
         agent_heartbeat_expiry = 86400\n\
         # trove-taskmanager runs Trove's own backup delete path and drops the rest.\n\
         taskmanager_manager = ma_openstack.trove_taskmanager.DeletesOnly\n\
         {messaging}\
         [database]\n\
         connection = {db}\n\
         [oslo_concurrency]\n\
         lock_path = {dir}/locks\n\
         {credentials}\
         {authtoken}",
        header = config::header("Trove"),
        port = s.ports.trove,
        paste = venv::dir(&ctx.root)
            .join("etc/trove/api-paste.ini")
            .display(),
        messaging = s.messaging(),
        db = s.mysql_db(DATABASE),
        dir = ctx.service_dir("trove")?.display(),
        credentials = s.auth_section("service_credentials", "trove"),
        authtoken = s.authtoken("trove"),
    );
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    crate::services::db::fresh_mysql(&s.mysql, DATABASE)?;
    manage(ctx, "trove-db_sync", &["db_sync"])?;
    manage(
        ctx,
        "trove-datastore_update",
        &["datastore_update", DATASTORE, ""],
    )?;
    let mut cmd = ctx.command("trove-api");
    cmd.arg("--config-file").arg(&file);
    let mut api = ctx.spawn("trove-api", cmd)?;
    launch::wait_http(&mut api, s.ports.trove, "/", Duration::from_secs(90))?;
    Ok(api)
}

/// trove-taskmanager with [`trove.conf`](conf_file)'s `taskmanager_manager`: deleting a
/// backup goes through Trove's own code, child by child, as trove-api casts it.
pub fn start_taskmanager(ctx: &Ctx) -> Result<Background> {
    let mut cmd = ctx.command("trove-taskmanager");
    cmd.arg("--config-file").arg(conf_file(ctx)?);
    ctx.spawn("trove-taskmanager", cmd)
}

fn manage(ctx: &Ctx, name: &str, args: &[&str]) -> Result<Duration> {
    let mut cmd = ctx.command("trove-manage");
    cmd.arg("--config-file").arg(conf_file(ctx)?).args(args);
    ctx.run(name, cmd)
}

/// Registers the `mysql` datastore and its version on `image_id`, as an operator does with
/// `trove-manage` before anyone can create an instance.
pub fn register_datastore(ctx: &Ctx, image_id: &str) -> Result<()> {
    manage(
        ctx,
        "trove-datastore_update",
        &["datastore_update", DATASTORE, ""],
    )?;
    manage(
        ctx,
        "trove-datastore_version_update",
        &[
            "datastore_version_update",
            DATASTORE,
            DATASTORE_VERSION,
            DATASTORE,
            image_id,
            "",
            "1",
        ],
    )?;
    manage(
        ctx,
        "trove-datastore_default",
        &["datastore_update", DATASTORE, DATASTORE_VERSION],
    )?;
    Ok(())
}

/// Our responders (Neutron, Swift, Trove's guest agent), one Python process; see
/// `harness/openstack/python/ma_openstack/responders.py`.
pub fn start_responders(ctx: &Ctx, s: &Settings) -> Result<Background> {
    let mut cmd = ctx.command("python");
    cmd.args(["-m", "ma_openstack.responders"])
        .arg("--neutron-port")
        .arg(s.ports.neutron.to_string())
        .arg("--swift-port")
        .arg(s.ports.swift.to_string())
        .arg("--transport-url")
        .arg(&s.transport_url)
        .arg("--trove-db")
        .arg(s.mysql_db(DATABASE))
        // names a path of ours, for the leftover check
        .arg("--state-dir")
        .arg(&ctx.dir);
    let mut responders = ctx.spawn("responders", cmd)?;
    launch::wait_http(
        &mut responders,
        s.ports.neutron,
        "/",
        Duration::from_secs(30),
    )?;
    Ok(responders)
}
