//! Keystone 30: PostgreSQL, fernet tokens, under gunicorn twice on the same database and
//! keys: plain HTTP, and HTTPS with a certificate of a CA made at start ([`super::tls`]).
//! `keystone-manage bootstrap` makes the admin user, the `admin`/`member`/`reader` roles,
//! RegionOne and the identity endpoints; [`super::seed`] does the rest over the API.

use std::fs;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::services::process::Background;

use super::config::{self, Settings, REGION};
use super::launch::{self, Ctx};
use super::tls::{self, Tls};

pub const DATABASE: &str = "keystone";

pub struct Keystone {
    pub plain: Background,
    pub tls: Background,
    pub certs: Tls,
}

fn conf(ctx: &Ctx, s: &Settings) -> Result<String> {
    let dir = ctx.service_dir("keystone")?;
    Ok(format!(
        "{header}\
         [DEFAULT]\n\
         debug = False\n\
         [database]\n\
         connection = {db}\n\
         [token]\n\
         provider = fernet\n\
         [fernet_tokens]\n\
         key_repository = {dir}/fernet-keys\n\
         [fernet_receipts]\n\
         key_repository = {dir}/fernet-keys\n\
         [credential]\n\
         key_repository = {dir}/credential-keys\n\
         [identity]\n\
         # bcrypt's default cost makes every login and user creation take ~0.3 s of CPU\n\
         password_hash_rounds = 4\n\
         # Without a cache every request re-reads the token's roles through the ORM (≈0.4 s\n\
         # of CPU here), which made seeding take half a minute. A short-lived in-process\n\
         # cache, per listener (plain and TLS do not share it): what one changes is seen by\n\
         # the other within 10 s; revocations are never cached, so they apply at once.\n\
         [cache]\n\
         enabled = True\n\
         backend = dogpile.cache.memory\n\
         expiration_time = 10\n\
         [revoke]\n\
         caching = False\n\
         [oslo_policy]\n\
         enforce_new_defaults = True\n\
         enforce_scope = False\n",
        header = config::header("Keystone"),
        db = s.postgres_db(DATABASE),
        dir = dir.display()
    ))
}

/// Database, keys, bootstrap; then both listeners, answering.
pub fn start(ctx: &Ctx, s: &Settings) -> Result<Keystone> {
    let dir = ctx.service_dir("keystone")?;
    let file = dir.join("keystone.conf");
    fs::write(&file, conf(ctx, s)?).with_context(|| format!("cannot write {}", file.display()))?;
    crate::services::db::fresh_postgres(&s.postgres, DATABASE)?;
    let manage = |name: &str, args: &[&str]| {
        let mut cmd = ctx.command("keystone-manage");
        cmd.arg("--config-file").arg(&file).args(args);
        ctx.run(name, cmd)
    };
    for keys in ["fernet-keys", "credential-keys"] {
        let _ = fs::remove_dir_all(dir.join(keys));
    }
    let certs = std::thread::scope(|scope| {
        // The key repositories and the certificates need no database: made meanwhile.
        let keys = scope.spawn(|| -> Result<()> {
            manage(
                "keystone-fernet_setup",
                &[
                    "fernet_setup",
                    "--keystone-user",
                    "root",
                    "--keystone-group",
                    "root",
                ],
            )?;
            manage(
                "keystone-credential_setup",
                &[
                    "credential_setup",
                    "--keystone-user",
                    "root",
                    "--keystone-group",
                    "root",
                ],
            )?;
            Ok(())
        });
        let certs = scope.spawn(|| tls::make(&dir.join("tls")));
        manage("keystone-db_sync", &["db_sync"])?;
        keys.join().expect("no panic")?;
        certs.join().expect("no panic")
    })?;
    let url = format!("{}/v3", s.keystone_url());
    let admin_password = config::password("admin");
    manage(
        "keystone-bootstrap",
        &[
            "bootstrap",
            "--bootstrap-password",
            &admin_password,
            "--bootstrap-admin-url",
            &url,
            "--bootstrap-internal-url",
            &url,
            "--bootstrap-public-url",
            &url,
            "--bootstrap-region-id",
            REGION,
        ],
    )?;
    let env = [
        ("OS_KEYSTONE_CONFIG_DIR", dir.to_string_lossy().into_owned()),
        ("OS_KEYSTONE_CONFIG_FILES", "keystone.conf".to_string()),
    ];
    let mut plain = ctx.gunicorn("keystone", "keystone", s.ports.keystone, 4, None, &env)?;
    let mut tls = ctx.gunicorn(
        "keystone-tls",
        "keystone",
        s.ports.keystone_tls,
        1,
        Some((&certs.cert, &certs.key)),
        &env,
    )?;
    launch::wait_http(&mut plain, s.ports.keystone, "/v3", Duration::from_secs(60))?;
    // A real handshake that trusts only our CA: the version document over HTTPS.
    let probe = format!(
        "import ssl, urllib.request as u; \
         u.urlopen('https://127.0.0.1:{}/v3', timeout=5, \
         context=ssl.create_default_context(cafile='{}'))",
        s.ports.keystone_tls,
        certs.ca.display()
    );
    tls.wait_ready(
        &format!("answering HTTPS on port {}", s.ports.keystone_tls),
        Duration::from_secs(60),
        || {
            crate::services::process::listening(s.ports.keystone_tls)
                && std::process::Command::new(super::venv::python(&ctx.root))
                    .args(["-c", &probe])
                    .output()
                    .is_ok_and(|o| o.status.success())
        },
    )?;
    Ok(Keystone { plain, tls, certs })
}
