//! `spec::load` beside the snapshot cases (tests/cases.rs), which show every problem as
//! users see it: the model it returns, and the one problem a case file cannot hold.

use std::fs;
use std::path::Path;

use codegen::diagnostics::Code;
use codegen::Error;

const FILE: &str = "specs/actions/svc/res.yaml";

/// A throwaway project: `files` are (path under the root, contents).
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, contents) in files {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, contents).unwrap();
    }
    dir
}

#[test]
fn a_valid_spec_loads_and_keeps_input_order() {
    let text = "actions:\n  act:\n    description: Does it.\n    inputs:\n      - name: opt\n        type: string\n        default: x\n      - name: req\n        type: integer\n        required: true\n    implementation:\n      kind: custom\n      function: svc::act\n";
    let runtime = b"pub async fn act(ctx: &Context, opt: String, req: i64) {}\n";
    let dir = project(&[
        (FILE, text.as_bytes()),
        ("runtime/src/custom/svc.rs", runtime),
    ]);
    let (model, warnings) = codegen::spec::load(dir.path()).unwrap();
    assert!(warnings.0.is_empty());
    let action = model.action("int32bit.svc.res.act").expect("derived name");
    assert_eq!(action.signature(), r#"opt="x", req"#);
}

/// Not a snapshot case: the NUL would be in the case's spec and, quoted in the rendered
/// snippet, in its diagnostics.txt, which git and diff tools then treat as binary.
#[test]
fn nul_in_the_file() {
    let dir = project(&[(FILE, b"actions:\n  act:\n    description: a\x00b\n")]);
    let Err(Error::Spec(diags)) = codegen::spec::load(dir.path()) else {
        panic!("a NUL was accepted");
    };
    let found: Vec<(Code, String)> = diags
        .0
        .iter()
        .map(|d| {
            (
                d.code,
                format!("{}:{}:{}", d.file.display(), d.pos.line, d.pos.col),
            )
        })
        .collect();
    assert_eq!(found, [(Code::ControlCharacter, format!("{FILE}:3:19"))]);
}

#[test]
fn the_real_specs_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (model, _) = codegen::spec::load(root).unwrap();
    // Against what generate last recorded (held fresh by the freshness test), not a number
    // that the next spec would make stale.
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("generated/sql/state.json")).unwrap(),
    )
    .unwrap();
    let recorded: Vec<&String> = state["rows"].as_object().unwrap().keys().collect();
    let loaded: Vec<&String> = model.actions.iter().map(|a| &a.name).collect();
    assert!(!loaded.is_empty());
    assert_eq!(loaded, recorded);
}
