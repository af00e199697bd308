//! Glance 33 under gunicorn (`glance.wsgi.api`), PostgreSQL, the file store under
//! `target/services/openstack/glance/images`.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings};
use super::launch::{self, Ctx};
use super::venv;

pub const DATABASE: &str = "glance";

pub fn start(ctx: &Ctx, s: &Settings) -> Result<Background> {
    let dir = ctx.service_dir("glance")?;
    let images = dir.join("images");
    let staging = dir.join("staging");
    for d in [&images, &staging] {
        let _ = fs::remove_dir_all(d);
        fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let paste = dir.join("glance-api-paste.ini");
    let shipped = venv::dir(&ctx.root).join("etc/glance/glance-api-paste.ini");
    fs::copy(&shipped, &paste)
        .with_context(|| format!("cannot copy {} (from the glance wheel)", shipped.display()))?;
    let file = dir.join("glance-api.conf");
    let text = format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         enabled_backends = fs:file\n\
         bind_host = 127.0.0.1\n\
         bind_port = {port}\n\
         workers = 1\n\
         [database]\n\
         connection = {db}\n\
         [glance_store]\n\
         default_backend = fs\n\
         [fs]\n\
         filesystem_store_datadir = {images}\n\
         [os_glance_staging_store]\n\
         filesystem_store_datadir = {staging}\n\
         [os_glance_tasks_store]\n\
         filesystem_store_datadir = {staging}\n\
         [paste_deploy]\n\
         flavor = keystone\n\
         config_file = {paste}\n\
         [oslo_concurrency]\n\
         lock_path = {dir}/locks\n\
         {authtoken}",
        header = config::header("Glance"),
        port = s.ports.glance,
        db = s.postgres_db(DATABASE),
        images = images.display(),
        staging = staging.display(),
        paste = paste.display(),
        dir = dir.display(),
        authtoken = s.authtoken("glance"),
    );
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    crate::services::db::fresh_postgres(&s.postgres, DATABASE)?;
    let mut sync = ctx.command("glance-manage");
    sync.arg("--config-file").arg(&file).args(["db_sync"]);
    ctx.run("glance-db_sync", sync)?;
    let env = [("OS_GLANCE_CONFIG_DIR", dir.to_string_lossy().into_owned())];
    let mut api = ctx.gunicorn("glance-api", "glance", s.ports.glance, 1, None, &env)?;
    launch::wait_http(&mut api, s.ports.glance, "/", Duration::from_secs(90))?;
    Ok(api)
}
