//! HAProxy (Debian's package) on loopback in front of the action servers, as an operator
//! runs it: round robin, a health check per server, a refused connection retried on the
//! other server, and its statistics as CSV for the run's figures.

use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context, Result};

use super::process::{self, Background};

/// haproxy, installed from Debian's package when missing.
fn binary() -> Result<&'static str> {
    if !super::have("haproxy") && !Path::new("/usr/sbin/haproxy").exists() {
        super::apt_install(&["haproxy"])?;
    }
    Ok(if super::have("haproxy") {
        "haproxy"
    } else {
        "/usr/sbin/haproxy"
    })
}

/// `haproxy -c`: the configuration is one haproxy accepts.
fn validate(binary: &str, cfg: &Path) -> Result<()> {
    let check = Command::new(binary)
        .args(["-c", "-q", "-f"])
        .arg(cfg)
        .output()
        .context("cannot run haproxy")?;
    if !check.status.success() {
        bail!(
            "haproxy -c refuses {}: {}",
            cfg.display(),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    Ok(())
}

/// The load-balancer configuration the operators' documentation shows (the fenced block
/// with the health check in `DOCUMENT`) is one haproxy accepts, checked with the same
/// haproxy the run uses.
pub fn check_documented(root: &Path, dir: &Path) -> Result<()> {
    let readme = root.join(DOCUMENT);
    let text =
        fs::read_to_string(&readme).with_context(|| format!("cannot read {}", readme.display()))?;
    let block = text
        .split("```")
        .skip(1)
        .step_by(2)
        .find(|b| b.contains("option httpchk GET /readyz"))
        .with_context(|| {
            format!("{DOCUMENT} shows no HAProxy configuration with `option httpchk GET /readyz`")
        })?;
    let cfg = dir.join("documented-haproxy.cfg");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    fs::write(&cfg, block.trim_start_matches(|c| c != '\n'))
        .with_context(|| format!("cannot write {}", cfg.display()))?;
    validate(binary()?, &cfg)
}

/// Where operators read the load balancer's configuration (README: "More than one server").
pub const DOCUMENT: &str = "docs/operating.md";

/// The configuration the documentation shows, for servers at `backends` (name, port).
pub fn config(port: u16, stats_port: u16, health: &str, backends: &[(&str, u16)]) -> String {
    let servers: String = backends
        .iter()
        .map(|(name, p)| format!("    server {name} 127.0.0.1:{p} check\n"))
        .collect();
    format!(
        "global
    maxconn 2000

defaults
    mode http
    log stdout format raw local0 info
    option httplog
    # A refused or failed connection (a server stopping) is retried, on the other
    # server: the request was never sent, so even a POST is safe to resend.
    retries 3
    option redispatch 1
    # One request per server connection: a server that stops never leaves an idle
    # connection behind that a request could be sent on.
    option http-server-close
    timeout connect 2s
    timeout client 660s
    # Mistral's std.http waits up to 600 s for an action.
    timeout server 660s
    timeout check 2s

frontend mistral_actions
    bind 127.0.0.1:{port}
    default_backend action_servers

backend action_servers
    balance roundrobin
    option httpchk GET {health}
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
{servers}
listen stats
    bind 127.0.0.1:{stats_port}
    stats enable
    stats uri /stats
"
    )
}

pub struct Haproxy {
    _process: Background,
    pub url: String,
    stats: String,
}

impl Haproxy {
    /// Installs haproxy if missing (apt), starts it in the foreground of its own process
    /// group with its log under `dir`, and waits until every backend is up.
    pub fn start(dir: &Path, health: &str, backends: &[(&str, u16)]) -> Result<Haproxy> {
        let binary = binary()?;
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let port = process::free_port(None)?;
        let stats_port = process::free_port(None)?;
        let cfg = dir.join("haproxy.cfg");
        fs::write(&cfg, config(port, stats_port, health, backends))
            .with_context(|| format!("cannot write {}", cfg.display()))?;
        validate(binary, &cfg)?;
        let mut cmd = Command::new(binary);
        cmd.args(["-db", "-f"]).arg(&cfg);
        let log = dir.join("haproxy.log");
        let _ = fs::remove_file(&log);
        let mut process = Background::spawn(
            "haproxy",
            cmd,
            &log,
            &dir.join("haproxy.pid"),
            &cfg.to_string_lossy(),
        )?
        .stop_with(libc::SIGTERM, Duration::from_secs(5));
        let stats = format!("http://127.0.0.1:{stats_port}/stats;csv");
        let names: Vec<&str> = backends.iter().map(|(n, _)| *n).collect();
        process.wait_ready("seeing every server up", Duration::from_secs(30), || {
            read_stats(&stats).is_ok_and(|rows| {
                names
                    .iter()
                    .all(|n| rows.iter().any(|r| r.server == *n && r.status == "UP"))
            })
        })?;
        Ok(Haproxy {
            _process: process,
            url: format!("http://127.0.0.1:{port}"),
            stats,
        })
    }

    /// The backend's rows: one per server and the backend's own (`BACKEND`).
    pub fn stats(&self) -> Result<Vec<Row>> {
        read_stats(&self.stats).map(|rows| {
            rows.into_iter()
                .filter(|r| r.proxy == "action_servers")
                .collect()
        })
    }
}

/// One line of HAProxy's CSV statistics, the fields the run reports.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub proxy: String,
    pub server: String,
    pub status: String,
    /// Sessions (here: requests, one per connection) sent to it.
    pub sessions: u64,
    /// Connection attempts retried, and requests sent to another server than first chosen.
    pub retries: u64,
    pub redispatches: u64,
    /// Answers with a 5xx status (HAProxy's own 502/503 included).
    pub http_5xx: u64,
}

fn read_stats(url: &str) -> Result<Vec<Row>> {
    let text = ureq::get(url)
        .timeout(Duration::from_secs(5))
        .call()
        .with_context(|| format!("GET {url}"))?
        .into_string()
        .with_context(|| format!("GET {url}"))?;
    parse_stats(&text)
}

pub fn parse_stats(text: &str) -> Result<Vec<Row>> {
    let mut lines = text.lines();
    let header: Vec<&str> = lines
        .next()
        .and_then(|h| h.strip_prefix("# "))
        .context("HAProxy's stats have no header")?
        .split(',')
        .collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("HAProxy's stats have no column {name}"))
    };
    let (px, sv, st) = (col("pxname")?, col("svname")?, col("status")?);
    let (stot, wretr, wredis, h5) = (
        col("stot")?,
        col("wretr")?,
        col("wredis")?,
        col("hrsp_5xx")?,
    );
    let num = |cells: &[&str], i: usize| cells.get(i).and_then(|c| c.parse().ok()).unwrap_or(0);
    Ok(lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            Row {
                proxy: cells.get(px).copied().unwrap_or_default().to_string(),
                server: cells.get(sv).copied().unwrap_or_default().to_string(),
                status: cells.get(st).copied().unwrap_or_default().to_string(),
                sessions: num(&cells, stot),
                retries: num(&cells, wretr),
                redispatches: num(&cells, wredis),
                http_5xx: num(&cells, h5),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_names_every_server_with_its_check() {
        let cfg = config(8000, 8001, "/readyz", &[("a", 9001), ("b", 9002)]);
        assert!(cfg.contains("server a 127.0.0.1:9001 check\n"));
        assert!(cfg.contains("server b 127.0.0.1:9002 check\n"));
        assert!(cfg.contains("option httpchk GET /readyz"));
        assert!(cfg.contains("bind 127.0.0.1:8000"));
    }

    #[test]
    fn stats_csv_is_read_by_column_name() {
        let csv = "# pxname,svname,stot,wretr,wredis,status,hrsp_5xx,\naction_servers,a,10,1,2,UP,0,\naction_servers,BACKEND,20,1,2,UP,3,\n";
        let rows = parse_stats(csv).unwrap();
        assert_eq!(rows[0].server, "a");
        assert_eq!(
            (rows[0].sessions, rows[0].retries, rows[0].redispatches),
            (10, 1, 2)
        );
        assert_eq!(rows[1].http_5xx, 3);
    }
}
