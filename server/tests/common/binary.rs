//! The `mistral-actions-server` binary as an operator runs it, on a loopback port, with
//! its log (stderr) collected line by line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_mistral-actions-server");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The server's command without the test process's `OS_*` and `MISTRAL_ACTIONS_*`.
pub fn command() -> Command {
    let mut cmd = Command::new(BIN);
    for (k, _) in std::env::vars() {
        if k.starts_with("OS_") || k.starts_with("MISTRAL_ACTIONS_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

pub struct Running {
    /// Taken by [`Running::stop`].
    child: Option<Child>,
    pub url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Running {
    /// Starts `cmd` listening on a free port and waits until it answers `/healthz`.
    pub async fn start(mut cmd: Command) -> Running {
        let port = free_port();
        let mut child = cmd
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .stdin(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the server binary starts");
        let log = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("piped");
        let lines = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n') {
                let Ok(line) = line else { return };
                let line = String::from_utf8_lossy(&line).into_owned();
                lines.lock().unwrap().push(line);
            }
        });
        let url = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        let started = Instant::now();
        while client.get(format!("{url}/healthz")).send().await.is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "the server did not come up: {:?}",
                log.lock().unwrap()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Running {
            child: Some(child),
            url,
            log,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().expect("running").id()
    }

    pub fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.pid().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// The log so far.
    pub fn log(&self) -> Vec<String> {
        self.log.lock().unwrap().clone()
    }

    /// Waits until a log line contains `text`; panics with the log after `within`.
    #[allow(dead_code)] // not every test binary waits for a line
    pub async fn wait_for_log(&self, text: &str, within: Duration) {
        let started = Instant::now();
        while !self.log().iter().any(|l| l.contains(text)) {
            assert!(
                started.elapsed() < within,
                "no log line with {text:?}: {:#?}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// SIGTERM, then the whole log once the server has exited.
    pub async fn stop(mut self) -> Vec<String> {
        self.signal("TERM");
        let mut child = self.child.take().expect("running");
        tokio::task::spawn_blocking(move || child.wait())
            .await
            .unwrap()
            .unwrap();
        // The reader thread ends at EOF; give it a moment to push the last lines.
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.log()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Every line is one event of the server's format: a timestamp, then a level. A value
/// with a line break that reached the log would start a line of its own.
#[allow(dead_code)] // not every test binary reads a text log
pub fn assert_one_line_each(log: &[String]) {
    for line in log {
        let mut words = line.split_whitespace();
        let stamp = words.next().unwrap_or_default();
        let level = words.next().unwrap_or_default();
        assert!(
            stamp.len() >= 20
                && stamp.as_bytes()[4] == b'-'
                && stamp.contains('T')
                && ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"].contains(&level),
            "not one whole log event: {line:?}"
        );
    }
}

/// Every line of a `--log-format json` log is one JSON object with a timestamp, a level
/// and a message, and each request's `done` line has its id, action (for an action
/// call), status and duration.
#[allow(dead_code)] // not every test binary reads a JSON log
pub fn assert_json_lines(log: &[String]) {
    let mut calls = 0;
    for line in log {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line:?}"));
        for field in ["timestamp", "level", "message"] {
            assert!(event[field].is_string(), "no {field}: {line}");
        }
        if event["message"] == "done" {
            assert!(event["request_id"].is_string(), "{line}");
            assert!(event["status"].is_u64(), "{line}");
            assert!(event["duration_ms"].is_f64(), "{line}");
            if event["path"]
                .as_str()
                .is_some_and(|p| p.starts_with("/v1/actions/"))
            {
                assert!(event["action"].is_string(), "{line}");
                calls += 1;
            }
        }
    }
    assert!(calls > 0, "no action call was logged: {log:#?}");
}
