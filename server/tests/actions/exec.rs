//! `int32bit.system.exec`: disabled by default, allowlist, one pipe, timeout, output cap.

use std::time::Duration;

use mistral_actions_runtime::ExecPolicy;
use serde_json::json;

use crate::support::{Harness, Options};

const EXEC: &str = "int32bit.system.exec";

async fn with_allow(allow: &[&str], timeout: Duration, cap: usize) -> Harness {
    Harness::with(Options {
        exec: ExecPolicy {
            allow: allow.iter().map(|s| s.to_string()).collect(),
            timeout,
            max_output_bytes: cap,
            ..ExecPolicy::default()
        },
        ..Options::default()
    })
    .await
}

#[tokio::test]
async fn exec_is_off_unless_configured() {
    let h = Harness::start().await;
    let (status, body) = h.call(EXEC, json!({"cmd": "echo hi"})).await;
    assert_eq!(status, 403, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("disabled"));
}

#[tokio::test]
async fn only_allowed_programs_run_without_a_shell() {
    let h = with_allow(&["echo", "wc"], Duration::from_secs(10), 4096).await;
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "echo 'a  b' c"})).await,
        "a  b c\n"
    );
    // No shell: `;` and `$(...)` are plain arguments.
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "echo x; ls $(pwd)"})).await,
        "x; ls $(pwd)\n"
    );
    let m = h.fails(EXEC, json!({"cmd": "ls /"}), 403).await;
    assert!(m.contains("'ls'"), "{m}");
    // A path to an allowed name is a different program.
    h.fails(EXEC, json!({"cmd": "/bin/echo hi"}), 403).await;
    // Both sides of a pipe are checked.
    h.fails(EXEC, json!({"cmd": "echo hi | sh"}), 403).await;
}

#[tokio::test]
async fn one_pipe_works_two_do_not() {
    let h = with_allow(
        &["echo", "wc", "tr", "false", "yes", "head"],
        Duration::from_secs(10),
        4096,
    )
    .await;
    let out = h
        .ok(EXEC, json!({"cmd": "echo one two three | wc -w"}))
        .await;
    assert_eq!(out.as_str().unwrap().trim(), "3");
    let m = h
        .fails(EXEC, json!({"cmd": "echo a | tr a b | wc -c"}), 400)
        .await;
    assert!(m.contains("at most one pipe"), "{m}");
    // A reader that stops early (SIGPIPE for the writer) is no failure.
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "yes | head -n 2"})).await,
        "y\ny\n"
    );
    // The first command's failure is not hidden by the pipe.
    let m = h.fails(EXEC, json!({"cmd": "false | wc -c"}), 422).await;
    assert!(m.contains("'false'") && m.contains("exit code 1"), "{m}");
    let m = h.fails(EXEC, json!({"cmd": "echo 'unclosed"}), 400).await;
    assert!(m.contains("input `cmd`"), "{m}");
}

#[tokio::test]
async fn failures_carry_stderr_and_the_exit_code() {
    let h = with_allow(&["ls"], Duration::from_secs(10), 4096).await;
    let m = h
        .fails(EXEC, json!({"cmd": "ls /definitely/not/here"}), 422)
        .await;
    assert!(
        m.contains("exit code 2") && m.contains("/definitely/not/here"),
        "{m}"
    );
}

#[tokio::test]
async fn slow_commands_are_killed_at_the_timeout() {
    let h = with_allow(&["sleep"], Duration::from_millis(300), 4096).await;
    let started = std::time::Instant::now();
    let (status, body) = h.call(EXEC, json!({"cmd": "sleep 5"})).await;
    assert_eq!(status, 504, "{body}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn output_over_the_cap_fails_and_under_it_is_text() {
    let h = with_allow(&["head", "printf"], Duration::from_secs(10), 1000).await;
    let m = h
        .fails(EXEC, json!({"cmd": "head -c 5000 /dev/zero"}), 422)
        .await;
    assert!(m.contains("1000 bytes"), "{m}");
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "head -c 1000 /dev/zero"}))
            .await
            .as_str()
            .unwrap()
            .len(),
        1000
    );
    // Invalid UTF-8 is replaced, not an error.
    let out = h.ok(EXEC, json!({"cmd": r"printf 'a\377b'"})).await;
    assert_eq!(out, "a\u{fffd}b");
}

#[tokio::test]
async fn commands_see_none_of_the_server_s_secrets() {
    // The server holds these in its environment in production (README, "Action server").
    const SECRETS: [(&str, &str); 3] = [
        ("MISTRAL_ACTIONS_TOKEN", "bearer-secret-4b1d"),
        ("OS_PASSWORD", "keystone-secret-77c2"),
        ("OS_APPLICATION_CREDENTIAL_SECRET", "appcred-secret-90aa"),
    ];
    for (k, v) in SECRETS {
        std::env::set_var(k, v);
    }
    std::env::set_var("MA_TEST_PASSED_ON", "visible");
    let h = Harness::with(Options {
        exec: ExecPolicy {
            allow: vec!["env".into(), "printenv".into()],
            env: vec!["MA_TEST_PASSED_ON".into()],
            ..ExecPolicy::default()
        },
        ..Options::default()
    })
    .await;
    let printed = h.ok(EXEC, json!({"cmd": "env"})).await;
    let printed = printed.as_str().unwrap();
    for (k, v) in SECRETS {
        assert!(
            !printed.contains(v),
            "{k} leaked into the command: {printed}"
        );
        assert!(
            !printed.contains(k),
            "{k} leaked into the command: {printed}"
        );
    }
    let names: Vec<&str> = printed
        .lines()
        .filter_map(|l| l.split('=').next())
        .collect();
    assert!(names.contains(&"PATH"), "{printed}");
    assert!(names.contains(&"MA_TEST_PASSED_ON"), "{printed}");
    for name in names {
        assert!(
            ["PATH", "LANG", "LC_ALL", "MA_TEST_PASSED_ON"].contains(&name),
            "{name} reached the command: {printed}"
        );
    }
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "printenv MA_TEST_PASSED_ON"}))
            .await,
        "visible\n"
    );
}

#[tokio::test]
async fn a_hash_starts_no_comment_as_in_the_original_s_shlex() {
    let h = with_allow(&["echo"], Duration::from_secs(10), 4096).await;
    assert_eq!(
        h.ok(EXEC, json!({"cmd": "echo #foo bar"})).await,
        "#foo bar\n"
    );
}
