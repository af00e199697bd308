//! Fresh databases for the OpenStack services and Mistral on the servers `cargo harness
//! ci` started. Recreated on every start: nova-compute on FakeDriver registers a compute
//! node with a new UUID in every process, and a second start on the same database fails
//! (`Duplicate compute node`); Mistral's run starts from an empty history.

use std::process::Command;

use anyhow::{bail, Context, Result};

/// Drops and creates `name` on the PostgreSQL server at `server` (a libpq URL without a
/// database).
pub fn fresh_postgres(server: &str, name: &str) -> Result<()> {
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name} ENCODING 'UTF8' TEMPLATE template0"),
    ] {
        let out = Command::new("psql")
            .arg(format!("{server}postgres"))
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", &sql])
            .output()
            .context("cannot run psql")?;
        if !out.status.success() {
            bail!(
                "`{sql}` failed on {server}: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
    }
    Ok(())
}

/// `(host, port)` of a `mysql://user@host:port/` URL.
pub fn mysql_host_port(server: &str) -> Result<(String, String)> {
    let rest = server
        .strip_prefix("mysql://")
        .with_context(|| format!("not a mysql:// URL: {server}"))?;
    let hostport = rest.split_once('@').map_or(rest, |(_, h)| h);
    let hostport = hostport.trim_end_matches('/');
    let (host, port) = hostport.split_once(':').unwrap_or((hostport, "3306"));
    Ok((host.to_string(), port.to_string()))
}

/// Runs SQL with the `mariadb` client as root over TCP.
pub fn mysql(server: &str, sql: &str) -> Result<String> {
    let (host, port) = mysql_host_port(server)?;
    let out = Command::new("mariadb")
        .arg("--no-defaults")
        .args(["-h", &host, "-P", &port, "-uroot", "-N", "-B", "-e", sql])
        .output()
        .context("cannot run the mariadb client")?;
    if !out.status.success() {
        bail!(
            "`{sql}` failed on {server}: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Drops and creates `name` on the MariaDB server at `server`.
pub fn fresh_mysql(server: &str, name: &str) -> Result<()> {
    mysql(
        server,
        &format!(
            "DROP DATABASE IF EXISTS {name}; \
             CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci"
        ),
    )
    .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_of_the_ci_url() {
        assert_eq!(
            mysql_host_port("mysql://root@127.0.0.1:13306/").unwrap(),
            ("127.0.0.1".to_string(), "13306".to_string())
        );
    }
}
