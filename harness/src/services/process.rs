//! Background processes that `cargo harness` starts and must stop: each runs in its own process
//! group (so its forked workers stop with it), logs to a file under `target/`, and leaves a
//! pid file there so that a run killed before it could clean up is cleaned up by the next.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicI32, Ordering};
use std::thread::sleep;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};

/// A process group started in the background; stopped on drop if not stopped before.
pub struct Background {
    name: String,
    child: Child,
    log: PathBuf,
    pid_file: PathBuf,
    stop_signal: libc::c_int,
    grace: Duration,
    stopped: bool,
}

impl Background {
    /// Starts `cmd` as the leader of a new process group, stdout and stderr appended to
    /// `log`, its pid written to `pid_file`. First kills a group left behind under that pid
    /// file by an earlier run whose command line still mentions `marker`.
    pub fn spawn(
        name: &str,
        mut cmd: Command,
        log: &Path,
        pid_file: &Path,
        marker: &str,
    ) -> Result<Self> {
        kill_leftover(pid_file, marker);
        if let Some(dir) = log.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .with_context(|| format!("cannot open {}", log.display()))?;
        let err = out
            .try_clone()
            .with_context(|| format!("cannot open {}", log.display()))?;
        cmd.stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .process_group(0);
        let child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name} ({:?})", cmd.get_program()))?;
        register(child.id() as libc::pid_t);
        fs::write(pid_file, format!("{}\n", child.id()))
            .with_context(|| format!("cannot write {}", pid_file.display()))?;
        Ok(Background {
            name: name.to_string(),
            child,
            log: log.to_path_buf(),
            pid_file: pid_file.to_path_buf(),
            stop_signal: libc::SIGTERM,
            grace: Duration::from_secs(10),
            stopped: false,
        })
    }

    /// How `stop` asks the group to end before it is killed.
    pub fn stop_with(mut self, signal: libc::c_int, grace: Duration) -> Self {
        self.stop_signal = signal;
        self.grace = grace;
        self
    }

    pub fn log(&self) -> &Path {
        &self.log
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// An error naming the process, its exit status and the end of its log if it has exited.
    pub fn check_alive(&mut self) -> Result<()> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(anyhow!(
                "{} exited early ({status}); end of {}:\n{}",
                self.name,
                self.log.display(),
                tail(&self.log, 30)
            )),
            Err(e) => Err(anyhow!("cannot watch {}: {e}", self.name)),
        }
    }

    /// Polls `ready` every 250 ms until it says yes, the process dies, or `timeout` passes.
    pub fn wait_ready(
        &mut self,
        what: &str,
        timeout: Duration,
        mut ready: impl FnMut() -> bool,
    ) -> Result<Duration> {
        let started = Instant::now();
        loop {
            if ready() {
                return Ok(started.elapsed());
            }
            self.check_alive()?;
            if started.elapsed() > timeout {
                bail!(
                    "{} not {what} after {}s; end of {}:\n{}",
                    self.name,
                    timeout.as_secs(),
                    self.log.display(),
                    tail(&self.log, 30)
                );
            }
            sleep(Duration::from_millis(250));
        }
    }

    /// Sends `signal` to the leader alone (SIGHUP: what `systemctl reload` sends).
    pub fn signal(&self, signal: libc::c_int) {
        if !self.stopped {
            // SAFETY: kill(2) on our own child's pid; no memory is involved.
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        }
    }

    /// Sends the stop signal to the whole group, waits up to the grace period for the leader
    /// to exit, then SIGKILLs what is left of the group.
    pub fn stop(&mut self) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        let pgid = self.child.id() as libc::pid_t;
        signal_group(pgid, self.stop_signal);
        let deadline = Instant::now() + self.grace;
        while Instant::now() < deadline {
            if !matches!(self.child.try_wait(), Ok(None)) && !group_exists(pgid) {
                break;
            }
            sleep(Duration::from_millis(100));
        }
        signal_group(pgid, libc::SIGKILL);
        let _ = self.child.wait();
        unregister(pgid);
        let _ = fs::remove_file(&self.pid_file);
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        self.stop();
    }
}

fn signal_group(pgid: libc::pid_t, signal: libc::c_int) {
    if pgid > 1 {
        // SAFETY: kill(2) with a negative pid signals the group; no memory is involved.
        unsafe { libc::kill(-pgid, signal) };
    }
}

fn group_exists(pgid: libc::pid_t) -> bool {
    // SAFETY: signal 0 only checks that the group exists and may be signalled.
    pgid > 1 && unsafe { libc::kill(-pgid, 0) } == 0
}

/// Kills the group recorded in `pid_file` if its leader is still one of ours (its command
/// line or environment mentions `marker`, a path under target/); pid reuse leaves strangers
/// alone.
pub fn kill_leftover(pid_file: &Path, marker: &str) {
    let Some(pid) = fs::read_to_string(pid_file)
        .ok()
        .and_then(|s| s.trim().parse::<libc::pid_t>().ok())
    else {
        return;
    };
    // Some leaders name their directory only in their environment (RabbitMQ's script is
    // `/bin/sh …/rabbitmq-server`, its paths in RABBITMQ_* variables).
    let mentions = |file: &str| {
        fs::read(format!("/proc/{pid}/{file}"))
            .map(|c| {
                String::from_utf8_lossy(&c)
                    .replace('\0', " ")
                    .contains(marker)
            })
            .unwrap_or(false)
    };
    let ours = mentions("cmdline") || mentions("environ");
    if ours {
        eprintln!("    killing process group {pid} left by an earlier run");
        signal_group(pid, libc::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(5);
        while group_exists(pid) && Instant::now() < deadline {
            sleep(Duration::from_millis(100));
        }
    }
    let _ = fs::remove_file(pid_file);
}

/// Process groups running now, for the interrupt handler (which may not lock or allocate).
static RUNNING: [AtomicI32; 32] = [const { AtomicI32::new(0) }; 32];

fn register(pgid: libc::pid_t) {
    for slot in &RUNNING {
        if slot
            .compare_exchange(0, pgid, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return;
        }
    }
}

fn unregister(pgid: libc::pid_t) {
    for slot in &RUNNING {
        let _ = slot.compare_exchange(pgid, 0, Ordering::SeqCst, Ordering::SeqCst);
    }
}

extern "C" fn kill_running_and_exit(signal: libc::c_int) {
    for slot in &RUNNING {
        let pgid = slot.load(Ordering::SeqCst);
        if pgid > 1 {
            // SAFETY: kill(2) and _exit(2) are async-signal-safe.
            unsafe { libc::kill(-pgid, libc::SIGKILL) };
        }
    }
    // SAFETY: as above; the exit status says which signal ended the run.
    unsafe { libc::_exit(128 + signal) };
}

/// On Ctrl-C (or SIGTERM/SIGHUP), SIGKILL every process group started here, then exit:
/// they run in their own groups, so the terminal's signal does not reach them.
pub fn stop_all_on_interrupt() {
    for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
        // SAFETY: installs a handler that only calls async-signal-safe functions.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            let handler: extern "C" fn(libc::c_int) = kill_running_and_exit;
            action.sa_sigaction = handler as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// `preferred` if nothing listens on it on loopback, else a port the kernel picks.
pub fn free_port(preferred: Option<u16>) -> Result<u16> {
    if let Some(port) = preferred {
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return Ok(port);
        }
    }
    TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .context("no free TCP port on 127.0.0.1")
}

/// Whether something accepts TCP connections on 127.0.0.1:`port`.
pub fn listening(port: u16) -> bool {
    TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(200)).is_ok()
}

/// The last `lines` lines of a log file (at most its last 64 KiB), for error messages.
pub fn tail(path: &Path, lines: usize) -> String {
    let Ok(mut file) = File::open(path) else {
        return String::from("(no log)");
    };
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut buf = Vec::new();
    let _ = file.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alive(pid: libc::pid_t) -> bool {
        // SAFETY: signal 0 only checks that the process exists.
        let exists = unsafe { libc::kill(pid, 0) } == 0;
        let zombie = fs::read_to_string(format!("/proc/{pid}/stat"))
            .unwrap_or_default()
            .contains(") Z");
        exists && !zombie
    }

    #[test]
    fn stop_ends_the_whole_group_and_removes_the_pid_file() {
        let dir = tempfile::tempdir().unwrap();
        let (log, pid_file) = (dir.path().join("x.log"), dir.path().join("x.pid"));
        // The shell forks a grandchild that ignores SIGTERM and records its pid.
        let mut cmd = Command::new("sh");
        cmd.args([
            "-c",
            "sh -c 'trap \"\" TERM; echo $$ > grandchild; exec sleep 60' & echo started; wait",
        ])
        .current_dir(dir.path());
        let mut bg = Background::spawn("test", cmd, &log, &pid_file, "unused")
            .unwrap()
            .stop_with(libc::SIGTERM, Duration::from_millis(300));
        bg.wait_ready("started", Duration::from_secs(10), || {
            dir.path().join("grandchild").exists() && tail(&log, 5).contains("started")
        })
        .unwrap();
        assert!(pid_file.exists());
        let grandchild: libc::pid_t = fs::read_to_string(dir.path().join("grandchild"))
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        assert!(alive(grandchild));
        bg.stop();
        let deadline = Instant::now() + Duration::from_secs(5);
        while alive(grandchild) && Instant::now() < deadline {
            sleep(Duration::from_millis(50));
        }
        assert!(!alive(grandchild), "the grandchild outlived stop()");
        assert!(!pid_file.exists());
    }

    #[test]
    fn an_early_exit_is_reported_with_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo cannot bind >&2; exit 3"]);
        let mut bg = Background::spawn(
            "failing",
            cmd,
            &dir.path().join("f.log"),
            &dir.path().join("f.pid"),
            "unused",
        )
        .unwrap();
        let err = bg
            .wait_ready("ready", Duration::from_secs(10), || false)
            .unwrap_err();
        let err = format!("{err:#}");
        assert!(err.contains("failing exited early"), "{err}");
        assert!(err.contains("cannot bind"), "{err}");
    }

    #[test]
    fn a_leftover_group_is_killed_only_if_its_command_line_matches() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("marker-arg");
        // `sh` stays as the leader (it has more to do after sleep), the marker its $0.
        let mut child = Command::new("sh")
            .args(["-c", "sleep 60; true"])
            .arg(&marker)
            .process_group(0)
            .spawn()
            .unwrap();
        let pid_file = dir.path().join("left.pid");
        fs::write(&pid_file, child.id().to_string()).unwrap();
        kill_leftover(&pid_file, "some other marker");
        sleep(Duration::from_millis(200));
        assert!(child.try_wait().unwrap().is_none(), "a stranger was killed");
        fs::write(&pid_file, child.id().to_string()).unwrap();
        kill_leftover(&pid_file, &marker.to_string_lossy());
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        assert_eq!(status.signal(), Some(libc::SIGKILL));
        assert!(!pid_file.exists());
    }

    #[test]
    fn free_port_avoids_a_taken_preference() {
        let taken = TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = taken.local_addr().unwrap().port();
        assert!(listening(port));
        let other = free_port(Some(port)).unwrap();
        assert_ne!(other, port);
        drop(taken);
        assert_eq!(free_port(Some(port)).unwrap(), port);
    }
}
