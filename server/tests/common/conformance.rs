//! Every answer these tests get is checked against `generated/openapi.json`, by an
//! independent JSON Schema validator (Python's `jsonschema`, `openapi_conformance.py`):
//! the document promises what the server really answers.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use serde_json::{json, Value};

const PYTHON_ENV: &str = "MA_OPENAPI_PYTHON";

struct Checker {
    _child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `$MA_OPENAPI_PYTHON`, else the venv `cargo xtask ci` installs; never a silent skip.
fn python() -> PathBuf {
    if let Some(py) = std::env::var_os(PYTHON_ENV) {
        return PathBuf::from(py);
    }
    let venv = workspace().join("target/openapi-venv/bin/python");
    assert!(
        venv.exists(),
        "the answers are checked against generated/openapi.json with Python's jsonschema, \
         which is missing: run `cargo xtask ci` once (it installs target/openapi-venv), or set \
         {PYTHON_ENV} to a python with `openapi-spec-validator` installed"
    );
    venv
}

fn checker() -> &'static Mutex<Checker> {
    static CHECKER: OnceLock<Mutex<Checker>> = OnceLock::new();
    CHECKER.get_or_init(|| {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common");
        let mut child = Command::new(python())
            .arg(here.join("openapi_conformance.py"))
            .arg(workspace().join("generated/openapi.json"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the OpenAPI checker starts");
        let stdin = child.stdin.take().expect("piped");
        let stdout = BufReader::new(child.stdout.take().expect("piped"));
        Mutex::new(Checker {
            _child: child,
            stdin,
            stdout,
        })
    })
}

/// Panics unless `generated/openapi.json` lists `status` for `method path` with the media
/// type of `content_type` and a schema that accepts `body` (the JSON, or the text of a
/// non-JSON answer).
#[track_caller]
pub fn check(method: &str, path: &str, status: u16, content_type: &str, body: &Value) {
    let verdict = {
        let mut c = checker().lock().unwrap_or_else(|e| e.into_inner());
        let line = json!({"method": method, "path": path, "status": status,
                          "content_type": content_type, "body": body});
        writeln!(c.stdin, "{line}").expect("the OpenAPI checker reads");
        let mut answer = String::new();
        c.stdout
            .read_line(&mut answer)
            .expect("the OpenAPI checker answers");
        serde_json::from_str::<Value>(&answer).expect("the checker answers JSON")
    };
    assert_eq!(
        verdict["ok"], true,
        "the answer does not match generated/openapi.json: {}",
        verdict["why"]
    );
}
