//! Placement 16 under gunicorn, on MariaDB.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings};
use super::launch::{self, Ctx};

pub const DATABASE: &str = "placement";

pub fn start(ctx: &Ctx, s: &Settings) -> Result<Background> {
    let dir = ctx.service_dir("placement")?;
    let file = dir.join("placement.conf");
    let text = format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         [placement_database]\n\
         connection = {db}\n\
         [api]\n\
         auth_strategy = keystone\n\
         {authtoken}",
        header = config::header("Placement"),
        db = s.mysql_db(DATABASE),
        authtoken = s.authtoken("placement"),
    );
    fs::write(&file, text).with_context(|| format!("cannot write {}", file.display()))?;
    crate::services::db::fresh_mysql(&s.mysql, DATABASE)?;
    // placement-manage ignores OS_PLACEMENT_CONFIG_DIR.
    let mut sync = ctx.command("placement-manage");
    sync.arg("--config-file").arg(&file).args(["db", "sync"]);
    ctx.run("placement-db_sync", sync)?;
    let env = [(
        "OS_PLACEMENT_CONFIG_DIR",
        dir.to_string_lossy().into_owned(),
    )];
    let mut api = ctx.gunicorn(
        "placement-api",
        "placement",
        s.ports.placement,
        1,
        None,
        &env,
    )?;
    launch::wait_http(&mut api, s.ports.placement, "/", Duration::from_secs(90))?;
    Ok(api)
}
