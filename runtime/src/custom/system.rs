//! `int32bit.system.exec`: a command on the action server's host. Disabled unless the
//! operator lists the programs it may run; split as Python's `shlex.split` splits (the
//! original tool's), never through a shell; at most one pipe; killed at its timeout;
//! output capped. A command sees a cleared environment: the server's holds its bearer
//! token and OpenStack password.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::{Child, Command};

use crate::observe::Exit;
use crate::{ActionError, Context, Observe};

/// What `exec` may do. The default allows nothing.
#[derive(Debug, Clone)]
pub struct ExecPolicy {
    /// Programs that may run: a bare name (looked up in `PATH`, and only matched by the same
    /// bare name) or an absolute path (matched exactly). Empty: `exec` is disabled.
    pub allow: Vec<String>,
    pub timeout: Duration,
    /// Largest stdout accepted, in bytes; more fails the action.
    pub max_output_bytes: usize,
    /// `PATH` of the commands, and where bare program names are looked up.
    pub path: String,
    /// Variables of the server's environment passed on, besides [`PASSED_ON`].
    pub env: Vec<String>,
}

/// Passed on when the server has them: they decide how commands print text.
pub const PASSED_ON: [&str; 2] = ["LANG", "LC_ALL"];

impl Default for ExecPolicy {
    fn default() -> Self {
        ExecPolicy {
            allow: Vec::new(),
            timeout: Duration::from_secs(30),
            max_output_bytes: 1024 * 1024,
            path: "/usr/local/bin:/usr/bin:/bin".into(),
            env: Vec::new(),
        }
    }
}

impl ExecPolicy {
    /// The whole environment of a command.
    fn environment(&self) -> Vec<(String, String)> {
        let mut vars = vec![("PATH".to_string(), self.path.clone())];
        for name in PASSED_ON
            .iter()
            .copied()
            .chain(self.env.iter().map(String::as_str))
        {
            if name == "PATH" || vars.iter().any(|(n, _)| n == name) {
                continue;
            }
            if let Some(value) = std::env::var_os(name) {
                vars.push((name.to_string(), value.to_string_lossy().into_owned()));
            }
        }
        vars
    }
}

/// Stderr kept for error messages.
const STDERR_CAP: usize = 4096;

fn parse(cmd: &str, policy: &ExecPolicy) -> Result<Vec<Vec<String>>, ActionError> {
    let parts: Vec<&str> = cmd.split('|').collect();
    if parts.len() > 2 {
        return Err(ActionError::BadInput(
            "input `cmd`: at most one pipe is supported".into(),
        ));
    }
    let mut argvs = Vec::new();
    for part in parts {
        let argv = crate::shlex::split(part)
            .map_err(|e| ActionError::BadInput(format!("input `cmd`: {e}")))?;
        let Some(program) = argv.first() else {
            return Err(ActionError::BadInput("input `cmd`: empty command".into()));
        };
        if !policy.allow.iter().any(|a| a == program) {
            // Its name is the caller's text: the log says only that one was refused.
            return Err(ActionError::Forbidden {
                log: "a program not in exec.allow was refused",
                message: format!("program '{program}' is not in the exec allowlist"),
            });
        }
        argvs.push(argv);
    }
    Ok(argvs)
}

fn spawn(
    argv: &[String],
    env: &[(String, String)],
    stdin: Stdio,
    observe: &Observe,
) -> Result<Child, ActionError> {
    Command::new(&argv[0])
        .args(&argv[1..])
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            observe.exec_run(Some(&argv[0]), Exit::NotStarted);
            ActionError::command_failed(format!("cannot start '{}': {e}", argv[0]))
        })
}

/// Reads at most `cap + 1` bytes, so "more than cap" is detectable without reading it all.
async fn read_capped(r: Option<impl AsyncRead + Unpin>, cap: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    if let Some(r) = r {
        r.take(cap as u64 + 1).read_to_end(&mut buf).await?;
    }
    Ok(buf)
}

struct Ran {
    status: ExitStatus,
    stderr: Vec<u8>,
}

async fn finish(mut child: Child) -> std::io::Result<Ran> {
    let stderr = read_capped(child.stderr.take(), STDERR_CAP);
    let (stderr, status) = tokio::join!(stderr, child.wait());
    Ok(Ran {
        status: status?,
        stderr: stderr?,
    })
}

/// How a program ended, for [`crate::observe`].
fn exit_of(status: ExitStatus) -> Exit {
    status.code().map_or(Exit::Signal, Exit::Code)
}

fn killed_by_sigpipe(status: ExitStatus) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        status.signal() == Some(13)
    }
    #[cfg(not(unix))]
    {
        let _ = status;
        false
    }
}

/// A failure's message holds the command line and stderr (for the caller); its log, the
/// program (allowlisted, so the operator's word) and the exit code.
fn check(argv: &[String], ran: &Ran) -> Result<(), ActionError> {
    if ran.status.success() {
        return Ok(());
    }
    let mut stderr =
        String::from_utf8_lossy(&ran.stderr[..ran.stderr.len().min(STDERR_CAP)]).into_owned();
    if ran.stderr.len() > STDERR_CAP {
        stderr.push('…');
    }
    let code = ran
        .status
        .code()
        .map(|c| format!("exit code {c}"))
        .unwrap_or_else(|| "killed by a signal".into());
    Err(ActionError::CommandFailed {
        log: format!("'{}' failed with {code}", argv[0]),
        message: format!(
            "'{}' failed with {code}: {}",
            argv.join(" "),
            stderr.trim_end()
        ),
    })
}

async fn run(
    argvs: &[Vec<String>],
    env: &[(String, String)],
    cap: usize,
    observe: &Observe,
) -> Result<Vec<u8>, ActionError> {
    let io = |e: std::io::Error| ActionError::command_failed(format!("running the command: {e}"));
    let mut first = spawn(&argvs[0], env, Stdio::null(), observe)?;
    let (out, first_ran, last) = if argvs.len() == 2 {
        let pipe: Stdio = first
            .stdout
            .take()
            .expect("stdout is piped")
            .try_into()
            .map_err(io)?;
        let mut second = spawn(&argvs[1], env, pipe, observe)?;
        let out = read_capped(second.stdout.take(), cap);
        let (out, a, b) = tokio::join!(out, finish(first), finish(second));
        (out.map_err(io)?, Some(a.map_err(io)?), b.map_err(io)?)
    } else {
        let out = read_capped(first.stdout.take(), cap);
        let (out, a) = tokio::join!(out, finish(first));
        (out.map_err(io)?, None, a.map_err(io)?)
    };
    for (argv, ran) in argvs.iter().zip(first_ran.iter().chain([&last])) {
        observe.exec_run(Some(&argv[0]), exit_of(ran.status));
    }
    // Over the cap we stopped reading, so the writer may have died of SIGPIPE: the cap is
    // the reason to report.
    if out.len() > cap {
        return Err(ActionError::command_failed(format!(
            "the output exceeds the cap of {cap} bytes"
        )));
    }
    // The first command's failure counts even though the pipe hid it (as in the original),
    // except death by SIGPIPE: the second command stopped reading, as `head` does.
    if let Some(ran) = &first_ran {
        if !killed_by_sigpipe(ran.status) {
            check(&argvs[0], ran)?;
        }
    }
    check(argvs.last().expect("one command at least"), &last)?;
    Ok(out)
}

/// Runs `cmd` and returns its standard output as text (invalid UTF-8 is replaced).
pub async fn exec(ctx: &Context, cmd: String) -> Result<Value, ActionError> {
    let policy = &ctx.exec;
    if policy.allow.is_empty() {
        ctx.observe.exec_run(None, Exit::Refused);
        return Err(ActionError::Forbidden {
            log: "system.exec is disabled (empty exec.allow)",
            message: "system.exec is disabled: the server's exec allowlist is empty".into(),
        });
    }
    let argvs = parse(&cmd, policy).inspect_err(|e| {
        if matches!(e, ActionError::Forbidden { .. }) {
            ctx.observe.exec_run(None, Exit::Refused);
        }
    })?;
    tracing::info!(programs = ?argvs.iter().map(|a| a[0].as_str()).collect::<Vec<_>>(), "exec");
    // Dropping the children on timeout kills them (kill_on_drop).
    let env = policy.environment();
    let ran = run(&argvs, &env, policy.max_output_bytes, &ctx.observe);
    let out = tokio::time::timeout(policy.timeout, ran)
        .await
        .map_err(|_| {
            for argv in &argvs {
                ctx.observe.exec_run(Some(&argv[0]), Exit::Timeout);
            }
            ActionError::timeout(format!(
                "the command did not finish within {:?} and was killed",
                policy.timeout
            ))
        })??;
    let text = String::from_utf8_lossy(&out);
    if let std::borrow::Cow::Owned(_) = text {
        tracing::warn!("exec output is not valid UTF-8; invalid bytes were replaced");
    }
    Ok(Value::String(text.into_owned()))
}
