//! The oracle: every generated workflow goes through Mistral 23's own parser
//! (`mistral.lang.parser.get_workflow_list_spec_from_yaml`), run by the interpreter of
//! the venv `cargo xtask ci` installs (`MA_MISTRAL_PYTHON`, see
//! harness/src/services/mistral.rs). Mistral must accept each file, see the same workflow
//! and tasks, and read every inline call exactly as our port of its parser does.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

const SCRIPT: &str = r#"
import json, sys
from mistral.lang import parser
out = {}
for path in sys.argv[1:]:
    try:
        specs = parser.get_workflow_list_spec_from_yaml(open(path).read())
        out[path] = {"ok": True, "workflows": {
            w.get_name(): {t.get_name(): {"action": t.get_action_name(),
                                          "workflow": t.get_workflow_name(),
                                          "input": t.get_input()}
                           for t in w.get_tasks()}
            for w in specs.get_workflows()}}
    except Exception as e:
        out[path] = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
print(json.dumps(out))
"#;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Mistral's verdict on each file, keyed by path.
fn mistral_parse(files: &[PathBuf]) -> serde_json::Map<String, Value> {
    let python = std::env::var_os("MA_MISTRAL_PYTHON").unwrap_or_else(|| {
        panic!(
            "MA_MISTRAL_PYTHON is not set: this test runs Mistral's own workflow parser. \
             Run `cargo xtask ci`, which installs mistral==23.0.0 into target/mistral-venv \
             and sets it, or set it to a Python that can `import mistral`."
        )
    });
    let out = Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .args(files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python:?}: {e}"));
    assert!(
        out.status.success(),
        "Mistral's parser crashed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Value = serde_json::from_str(text.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("unreadable parser output ({e}): {text}"));
    json.as_object().cloned().expect("an object")
}

#[test]
fn mistral_accepts_every_generated_workflow() {
    let root = root();
    let (model, _) = codegen::spec::load(&root).expect("the specs are valid");
    assert!(
        !model.workflows.is_empty(),
        "no workflow in specs/workflows"
    );
    let files: Vec<PathBuf> = model
        .workflows
        .iter()
        .map(|w| {
            root.join("generated")
                .join(codegen::emit::workflows::path(&w.name))
        })
        .collect();
    let verdicts = mistral_parse(&files);
    for (w, file) in model.workflows.iter().zip(&files) {
        let v = &verdicts[&file.display().to_string()];
        assert_eq!(
            v["ok"],
            true,
            "Mistral refuses {}: {}",
            file.display(),
            v["error"]
        );
        let tasks = v["workflows"][&w.name].as_object().unwrap_or_else(|| {
            panic!(
                "Mistral sees no workflow `{}` in {}",
                w.name,
                file.display()
            )
        });
        let ours: Vec<&str> = w.tasks.iter().map(|t| t.name.as_str()).collect();
        let mut theirs: Vec<&str> = tasks.keys().map(String::as_str).collect();
        let mut sorted_ours = ours.clone();
        sorted_ours.sort();
        theirs.sort();
        assert_eq!(sorted_ours, theirs, "{}", w.name);
        for t in &w.tasks {
            let m = &tasks[&t.name];
            let (action, workflow) = match &t.call {
                Some(codegen::model::Call::Action(a)) => (Value::from(a.as_str()), Value::Null),
                Some(codegen::model::Call::Workflow(n)) => (Value::Null, Value::from(n.as_str())),
                None => (Value::from("std.noop"), Value::Null),
            };
            assert_eq!(
                (&m["action"], &m["workflow"]),
                (&action, &workflow),
                "{}.{}",
                w.name,
                t.name
            );
            // Inline parameters, read by our port of Mistral's parser.
            let def = &w.definition["tasks"][&t.name];
            let call = def["action"]
                .as_str()
                .or(def["workflow"].as_str())
                .unwrap_or("");
            if def.get("input").is_none() {
                let parsed = codegen::workflow::inline::parse(call).expect("valid inline call");
                let ours: serde_json::Map<String, Value> = parsed
                    .params
                    .into_iter()
                    .map(|p| (p.name, p.value))
                    .collect();
                assert_eq!(
                    m["input"],
                    Value::Object(ours),
                    "inline input of {}.{}",
                    w.name,
                    t.name
                );
            }
        }
    }
}

#[test]
fn mistral_refuses_a_broken_workflow() {
    // The oracle can say no: a transition to a task that does not exist.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("broken.yaml");
    std::fs::write(
        &file,
        "version: '2.0'\nbroken:\n  tasks:\n    a:\n      action: std.noop\n      on-success: [nowhere]\n",
    )
    .unwrap();
    let verdicts = mistral_parse(std::slice::from_ref(&file));
    let v = &verdicts[&file.display().to_string()];
    assert_eq!(v["ok"], false, "{v}");
    assert!(v["error"].as_str().unwrap().contains("nowhere"), "{v}");
}

#[test]
fn inline_parsing_matches_mistral_on_tricky_calls() {
    // Calls whose parameters Mistral reads in surprising ways; ours must agree.
    let calls = [
        "std.echo output=1.5",
        "std.echo force=True output=null",
        "std.echo output=\"a b\" delay=0",
        "std.echo output=[1, 2] delay=<% $.d %>",
        "std.echo output={{ _.x }} other='q'",
        "std.http url=http://x/?a=b method='GET'",
    ];
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, call) in calls.iter().enumerate() {
        let file = dir.path().join(format!("c{i}.yaml"));
        let yaml = format!(
            "version: '2.0'\nc:\n  tasks:\n    t:\n      action: {}\n",
            serde_json::to_string(call).unwrap()
        );
        std::fs::write(&file, yaml).unwrap();
        files.push(file);
    }
    let verdicts = mistral_parse(&files);
    for (call, file) in calls.iter().zip(&files) {
        let v = &verdicts[&file.display().to_string()];
        assert_eq!(v["ok"], true, "{call}: {v}");
        let ours: serde_json::Map<String, Value> = codegen::workflow::inline::parse(call)
            .unwrap()
            .params
            .into_iter()
            .map(|p| (p.name, p.value))
            .collect();
        assert_eq!(
            v["workflows"]["c"]["t"]["input"],
            Value::Object(ours),
            "{call}"
        );
    }
}
