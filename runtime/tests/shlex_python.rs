//! `shlex::split` against the real thing: CPython's `shlex.split`, which the original tool
//! used to cut `system.exec` command lines. Needs `python3` on PATH (every CI machine has it).

use std::process::Command;

use mistral_actions_runtime::shlex;
use serde_json::Value;

/// Corner cases of quoting, escaping, comments and whitespace.
const CASES: &[&str] = &[
    "ls -l",
    "echo #foo bar",
    "echo a#b #",
    "  leading and   trailing  ",
    "tab\tand\nnewline\rcr",
    r#"a'b c'"d e""#,
    r#"'' "" x''y"#,
    r#""a\"b\\c\d\$e""#,
    r"'a\b\'",
    r"a\ b\\ c\'d",
    r#"mixed"quote's"here"#,
    r#"'it'"'"'s'"#,
    "unicode é ü 日本 'ß q'",
    "$HOME `date` $(pwd) ; && || > <",
    r#""nested 'single' inside""#,
    r"\#not-a-comment",
    r#""unterminated"#,
    "'unterminated",
    "trailing\\",
    r#""escape at end\"#,
    "",
    "   ",
];

#[test]
fn splits_like_python_shlex() {
    let script = "import json, shlex, sys\n\
                  out = []\n\
                  for s in json.load(sys.stdin):\n\
                  \x20   try:\n\
                  \x20       out.append({'ok': shlex.split(s)})\n\
                  \x20   except ValueError as e:\n\
                  \x20       out.append({'err': str(e)})\n\
                  print(json.dumps(out))\n";
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs (this test compares with CPython's shlex; install python3)");
    serde_json::to_writer(child.stdin.take().unwrap(), CASES).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "python3 failed");
    let python: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(python.len(), CASES.len());
    for (case, expected) in CASES.iter().zip(python) {
        let ours = match shlex::split(case) {
            Ok(words) => serde_json::json!({ "ok": words }),
            Err(e) => serde_json::json!({ "err": e.to_string() }),
        };
        assert_eq!(ours, expected, "case {case:?}");
    }
}
