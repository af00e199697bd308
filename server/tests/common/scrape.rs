//! A scrape of `/metrics`, read by the Prometheus project's Python parser
//! (`metrics_parse.py`, `prometheus_client` in the venv `cargo xtask ci` installs), not by
//! the crate that wrote it; and the answer checked against `generated/openapi.json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const PYTHON_ENV: &str = "MA_METRICS_PYTHON";

/// `$MA_METRICS_PYTHON`, else the venv `cargo xtask ci` installs; never a silent skip.
fn python() -> PathBuf {
    if let Some(py) = std::env::var_os(PYTHON_ENV) {
        return PathBuf::from(py);
    }
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/metrics-venv/bin/python");
    assert!(
        venv.exists(),
        "the metrics are read with Python's prometheus_client, which is missing: run `cargo \
         xtask ci` once (it installs target/metrics-venv), or set {PYTHON_ENV} to a python \
         with `prometheus-client` installed"
    );
    venv
}

/// One parsed exposition.
pub struct Scrape {
    pub families: Vec<Value>,
}

impl Scrape {
    /// Parses `text`; panics with the parser's complaint when it refuses it.
    pub fn parse(text: &str) -> Scrape {
        let here = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/common/metrics_parse.py");
        let mut child = Command::new(python())
            .arg(here)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the metrics parser starts");
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(text.as_bytes())
            .expect("the parser reads");
        let out = child.wait_with_output().expect("the parser ends");
        let answer: Value = serde_json::from_slice(&out.stdout).expect("the parser answers JSON");
        assert!(
            out.status.success(),
            "prometheus_client refused the exposition: {}\n{text}",
            answer["error"]
        );
        let families = answer["families"].as_array().expect("families").clone();
        Scrape { families }
    }

    /// The family called `name` (without `_total` and the like), with its type and unit.
    pub fn family(&self, name: &str) -> &Value {
        self.families
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no metric family {name}"))
    }

    /// The value of the sample `name` whose labels include `labels`, summed over the
    /// others; 0 when there is none (a counter not yet created).
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.families
            .iter()
            .flat_map(|f| f["samples"].as_array().into_iter().flatten())
            .filter(|s| s["name"] == name)
            .filter(|s| labels.iter().all(|(k, v)| s["labels"][*k] == *v))
            .map(|s| s["value"].as_f64().expect("a number"))
            .sum()
    }

    /// Every label set of the samples called `name`.
    pub fn label_sets(&self, name: &str) -> Vec<BTreeMap<String, String>> {
        self.families
            .iter()
            .flat_map(|f| f["samples"].as_array().into_iter().flatten())
            .filter(|s| s["name"] == name)
            .map(|s| {
                s["labels"]
                    .as_object()
                    .expect("labels")
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                    .collect()
            })
            .collect()
    }
}
