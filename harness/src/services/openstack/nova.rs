//! Nova 34: the API under gunicorn, nova-conductor, nova-scheduler and nova-compute on our
//! FakeDriver subclass (`ma_openstack.nova_driver`: pause reports PAUSED, a snapshot uploads
//! real image data). MariaDB (api, cell0, cell1), RabbitMQ. The daemons start last
//! ([`start_daemons`]): at start they log in to Keystone as `nova`, which must exist.

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings};
use super::launch::{self, Ctx};
use super::venv;

pub const DATABASES: [&str; 3] = ["nova_api", "nova_cell0", "nova"];
/// The `host` of every Nova service here, and the compute node's name.
pub const HOST: &str = "ma-openstack";

fn conf_file(ctx: &Ctx) -> Result<PathBuf> {
    Ok(ctx.service_dir("nova")?.join("nova.conf"))
}

fn write_conf(ctx: &Ctx, s: &Settings) -> Result<PathBuf> {
    let dir = ctx.service_dir("nova")?;
    let paste = dir.join("api-paste.ini");
    let shipped = venv::dir(&ctx.root).join("etc/nova/api-paste.ini");
    fs::copy(&shipped, &paste)
        .with_context(|| format!("cannot copy {} (from the nova wheel)", shipped.display()))?;
    let file = conf_file(ctx)?;
    let text = format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         host = {HOST}\n\
         my_ip = 127.0.0.1\n\
         state_path = {dir}\n\
         # nova.virt.nova_driver: ma_openstack/nova_driver.py, see ma_openstack/nova_compute.py\n\
         compute_driver = nova_driver.Driver\n\
         osapi_compute_workers = 1\n\
         {messaging}\
         [api]\n\
         auth_strategy = keystone\n\
         [wsgi]\n\
         api_paste_config = {paste}\n\
         [api_database]\n\
         connection = {api_db}\n\
         [database]\n\
         connection = {cell1}\n\
         # one worker each instead of one per CPU\n\
         [conductor]\n\
         workers = 1\n\
         [scheduler]\n\
         workers = 1\n\
         [oslo_concurrency]\n\
         lock_path = {dir}/locks\n\
         [vnc]\n\
         enabled = False\n\
         [cinder]\n\
         os_region_name = {region}\n\
         {placement}\
         {neutron}\
         {authtoken}",
        header = config::header("Nova"),
        dir = dir.display(),
        messaging = s.messaging(),
        paste = paste.display(),
        api_db = s.mysql_db("nova_api"),
        cell1 = s.mysql_db("nova"),
        region = config::REGION,
        placement = s.auth_section("placement", "nova"),
        neutron = s.auth_section("neutron", "nova"),
        authtoken = s.authtoken("nova"),
    );
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    Ok(file)
}

/// Databases, cells, then the API, answering.
pub fn start(ctx: &Ctx, s: &Settings) -> Result<Background> {
    let file = write_conf(ctx, s)?;
    for db in DATABASES {
        crate::services::db::fresh_mysql(&s.mysql, db)?;
    }
    let manage = |name: &str, args: &[&str]| {
        let mut cmd = ctx.command("nova-manage");
        cmd.arg("--config-file").arg(&file).args(args);
        ctx.run(name, cmd)
    };
    manage("nova-api_db_sync", &["api_db", "sync"])?;
    let cell0 = s.mysql_db("nova_cell0");
    // Two independent rows of nova_api.cell_mappings: made at the same time.
    std::thread::scope(|scope| {
        let map0 = scope.spawn(|| {
            manage(
                "nova-map_cell0",
                &["cell_v2", "map_cell0", "--database_connection", &cell0],
            )
        });
        let cell1 = manage(
            "nova-create_cell",
            &["cell_v2", "create_cell", "--name", "cell1"],
        );
        map0.join().expect("no panic").and(cell1)
    })?;
    manage("nova-db_sync", &["db", "sync"])?;
    let dir = ctx.service_dir("nova")?;
    let env = [
        ("OS_NOVA_CONFIG_DIR", dir.to_string_lossy().into_owned()),
        (
            "OS_NOVA_CONFIG_FILES",
            "api-paste.ini;nova.conf".to_string(),
        ),
    ];
    let mut api = ctx.gunicorn("nova-api", "nova", s.ports.nova, 4, None, &env)?;
    launch::wait_http(&mut api, s.ports.nova, "/", Duration::from_secs(90))?;
    Ok(api)
}

/// nova-conductor, nova-scheduler, nova-compute; the caller waits for them to be up, then
/// maps the compute host with [`discover_hosts`].
pub fn start_daemons(ctx: &Ctx) -> Result<Vec<Background>> {
    let file = conf_file(ctx)?;
    let mut started = Vec::new();
    for daemon in ["nova-conductor", "nova-scheduler"] {
        let mut cmd = ctx.command(daemon);
        cmd.arg("--config-file").arg(&file);
        started.push(ctx.spawn(daemon, cmd)?);
    }
    let mut cmd = ctx.command("python");
    cmd.args(["-m", "ma_openstack.nova_compute", "--config-file"])
        .arg(&file);
    started.push(ctx.spawn("nova-compute", cmd)?);
    Ok(started)
}

/// `nova-manage cell_v2 discover_hosts`: maps the registered compute host to cell1, without
/// which the scheduler finds no host.
pub fn discover_hosts(ctx: &Ctx) -> Result<()> {
    let mut cmd = ctx.command("nova-manage");
    cmd.arg("--config-file")
        .arg(conf_file(ctx)?)
        .args(["cell_v2", "discover_hosts", "--verbose"]);
    ctx.run("nova-discover_hosts", cmd).map(drop)
}
