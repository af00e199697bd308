//! `cargo harness bench-server`: throughput and added latency of the action server for an
//! assert action against the stub OpenStack, release builds, loopback only. A benchmark,
//! not a test: it prints figures. Bounded: a fixed number of requests per phase.
//!
//! Added latency = p50 of the action through the server − p50 of the same GET sent to the
//! stub directly (both sequential over one keep-alive connection).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, ensure, Context, Result};

const TOKEN: &str = "bench-token";
const ACTION: &str = "int32bit.cinder.volumes.assert_status";

/// Kills the child when dropped, so an early return leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One keep-alive HTTP/1.1 connection; just enough client for a benchmark.
struct Conn {
    stream: BufReader<TcpStream>,
}

impl Conn {
    fn open(addr: SocketAddr) -> std::io::Result<Conn> {
        let s = TcpStream::connect(addr)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        Ok(Conn {
            stream: BufReader::new(s),
        })
    }

    /// Sends a request; returns the status and body.
    fn send(&mut self, req: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.stream.get_mut().write_all(req)?;
        let mut line = String::new();
        self.stream.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut len = 0usize;
        loop {
            line.clear();
            self.stream.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; len];
        self.stream.read_exact(&mut body)?;
        Ok((status, body))
    }
}

fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn sequential(addr: SocketAddr, req: &[u8], n: usize) -> Result<Vec<Duration>> {
    let mut conn = Conn::open(addr).with_context(|| format!("cannot connect to {addr}"))?;
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        let (status, body) = conn
            .send(req)
            .with_context(|| format!("request to {addr}"))?;
        times.push(t.elapsed());
        if status != 200 {
            bail!(
                "{addr} answered status {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
    }
    times.sort();
    Ok(times)
}

fn concurrent(addr: SocketAddr, req: Arc<Vec<u8>>, conns: usize, per_conn: usize) -> Result<f64> {
    let barrier = Arc::new(Barrier::new(conns + 1));
    let workers: Vec<_> = (0..conns)
        .map(|_| {
            let (req, barrier) = (req.clone(), barrier.clone());
            std::thread::spawn(move || -> std::io::Result<usize> {
                let mut conn = Conn::open(addr)?;
                barrier.wait();
                let mut ok = 0;
                for _ in 0..per_conn {
                    if conn.send(&req)?.0 == 200 {
                        ok += 1;
                    }
                }
                Ok(ok)
            })
        })
        .collect();
    barrier.wait();
    let started = Instant::now();
    let mut ok = 0;
    for w in workers {
        ok += w
            .join()
            .map_err(|_| anyhow!("a load thread panicked"))?
            .with_context(|| format!("request to {addr}"))?;
    }
    let secs = started.elapsed().as_secs_f64();
    ensure!(
        ok == conns * per_conn,
        "{} of {} requests failed",
        conns * per_conn - ok,
        conns * per_conn
    );
    Ok(ok as f64 / secs)
}

fn wait_healthy(addr: SocketAddr) -> Result<()> {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(mut c) = Conn::open(addr) {
            if let Ok((200, _)) = c.send(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n") {
                return Ok(());
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    bail!("the server on {addr} did not become healthy")
}

pub fn run(root: &Path, requests: usize, connections: usize) -> Result<bool> {
    eprintln!("bench-server: building the server and the stub (release)");
    let ok = crate::cargo(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "mistral-actions-server",
            "-p",
            "stub-openstack",
        ])
        .status()
        .context("cannot run cargo build")?
        .success();
    if !ok {
        return Ok(false);
    }
    let bin = root.join("target/release");

    let mut stub = Guard(
        Command::new(bin.join("stub-openstack"))
            .arg("127.0.0.1:0")
            .stdout(Stdio::piped())
            .spawn()
            .context("cannot start target/release/stub-openstack")?,
    );
    let mut env = Vec::new();
    let out = BufReader::new(stub.0.stdout.take().expect("piped"));
    for line in out.lines() {
        let line = line.context("cannot read stub-openstack's output")?;
        if line == "READY" {
            break;
        }
        if let Some((k, v)) = line.split_once('=') {
            env.push((k.to_string(), v.to_string()));
        }
    }
    let var = |k: &str| {
        env.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .with_context(|| format!("the stub did not print {k}"))
    };
    let auth_url = var("OS_AUTH_URL")?;
    let (project, volume) = (var("STUB_PROJECT_ID")?, var("STUB_FIXTURE_VOLUME")?);
    let stub_addr: SocketAddr = auth_url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .and_then(|a| a.parse().ok())
        .with_context(|| format!("unexpected OS_AUTH_URL {auth_url}"))?;

    let port = free_port().context("no free TCP port on 127.0.0.1")?;
    let server_addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("an address");
    let log = std::fs::File::create(root.join("target/bench-server.log"))
        .context("cannot create target/bench-server.log")?;
    let _server = Guard(
        Command::new(bin.join("mistral-actions-server"))
            .args(["--listen", &server_addr.to_string()])
            .envs(env.iter().filter(|(k, _)| k.starts_with("OS_")).cloned())
            .env("MISTRAL_ACTIONS_TOKEN", TOKEN)
            .env_remove("MISTRAL_ACTIONS_CONFIG")
            .env_remove("OS_CLOUD")
            .stderr(log)
            .spawn()
            .context("cannot start target/release/mistral-actions-server")?,
    );
    wait_healthy(server_addr)?;

    // A token for calling the stub directly.
    let login = format!(
        r#"{{"auth":{{"identity":{{"methods":["password"],"password":{{"user":{{"name":"{}","password":"{}","domain":{{"name":"Default"}}}}}}}}}}}}"#,
        var("OS_USERNAME")?,
        var("OS_PASSWORD")?
    );
    let mut c = Conn::open(stub_addr)
        .with_context(|| format!("cannot connect to the stub at {stub_addr}"))?;
    let req = format!(
        "POST /identity/v3/auth/tokens HTTP/1.1\r\nHost: stub\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{login}",
        login.len()
    );
    c.stream
        .get_mut()
        .write_all(req.as_bytes())
        .context("login at the stub")?;
    let mut token = None;
    let mut line = String::new();
    let mut len = 0;
    loop {
        line.clear();
        c.stream.read_line(&mut line).context("login at the stub")?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.eq_ignore_ascii_case("x-subject-token") {
                token = Some(v.trim().to_string());
            }
            if k.eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut skip = vec![0; len];
    c.stream
        .read_exact(&mut skip)
        .context("login at the stub")?;
    let token = token.context("the stub issued no token")?;

    let direct = format!(
        "GET /volume/v3/{project}/volumes/{volume} HTTP/1.1\r\nHost: stub\r\nX-Auth-Token: {token}\r\nAccept: application/json\r\n\r\n"
    )
    .into_bytes();
    let body = format!(r#"{{"volume_id":"{volume}","status":"available"}}"#);
    let via_server = format!(
        "POST /v1/actions/{ACTION} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes();

    // Warm-up: the server logs in once and fills its connection pool.
    sequential(server_addr, &via_server, 200)?;
    sequential(stub_addr, &direct, 200)?;

    eprintln!(
        "bench-server: {requests} sequential requests each way, then {connections} connections"
    );
    let stub_times = sequential(stub_addr, &direct, requests)?;
    let server_times = sequential(server_addr, &via_server, requests)?;
    let per_conn = (requests * 2 / connections).max(1);
    let rps = concurrent(server_addr, Arc::new(via_server), connections, per_conn)?;

    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let (s50, s99) = (percentile(&stub_times, 0.5), percentile(&stub_times, 0.99));
    let (v50, v99) = (
        percentile(&server_times, 0.5),
        percentile(&server_times, 0.99),
    );
    println!("| measure | value |");
    println!("| --- | --- |");
    println!(
        "| cores | {} |",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "| stub GET directly, p50 / p99 | {:.3} ms / {:.3} ms |",
        ms(s50),
        ms(s99)
    );
    println!(
        "| `{ACTION}` via the server, p50 / p99 | {:.3} ms / {:.3} ms |",
        ms(v50),
        ms(v99)
    );
    println!(
        "| added by the server, p50 | {:.3} ms |",
        ms(v50.saturating_sub(s50))
    );
    println!("| throughput, {connections} connections × {per_conn} requests | {rps:.0} calls/s |");
    Ok(true)
}
