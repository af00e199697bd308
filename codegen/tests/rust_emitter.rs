//! The Rust emitter across runs: what a snapshot of one run (tests/cases.rs) cannot show.
//! Caches and edits must never change what the specs print.

use std::fs;
use std::path::Path;

const SPEC: &str = "actions:
  act:
    description: Does it.
    inputs:
      - {name: thing_id, type: uuid, required: true}
      - {name: mode, type: string, default: fast, enum: [fast, slow]}
    implementation:
      kind: custom
      function: svc::act
";

const RUNTIME: &str = "
pub async fn act(ctx: &Context, thing_id: Uuid, mode: &str) -> Result<serde_json::Value, ActionError> { todo!() }
";

const MODULE: &str = "generated/actions/src/svc_res.rs";

fn project(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in [
        ("specs/actions/svc/res.yaml", spec),
        ("runtime/src/custom/svc.rs", RUNTIME),
    ] {
        let full = dir.path().join(path);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, text).unwrap();
    }
    dir
}

/// Writes what `generate` produces for the project at `dir`, as `cargo xtask generate` does,
/// and returns the text of [`MODULE`].
fn generate_into(dir: &Path) -> String {
    let (_, _, files) = codegen::generate(dir).unwrap();
    codegen::output::apply(dir, &files).unwrap();
    fs::read_to_string(dir.join(MODULE)).unwrap()
}

/// How many files of `generated/` differ from what the specs produce.
fn drift(dir: &Path) -> usize {
    let (_, _, files) = codegen::generate(dir).unwrap();
    codegen::output::check(dir, &files).unwrap().len()
}

#[test]
fn every_run_prints_modules_from_the_specs_so_edits_and_spec_changes_show() {
    let dir = project(SPEC);
    let printed = generate_into(dir.path());

    // Whatever lies in target/codegen-cache, the same specs give the same text.
    let cache = dir.path().join("target/codegen-cache");
    fs::create_dir_all(&cache).unwrap();
    fs::write(cache.join("rust-modules.json"), "not json").unwrap();
    assert_eq!(drift(dir.path()), 0);

    // An edited module shows as drift.
    let full = dir.path().join(MODULE);
    fs::write(&full, printed.replace("Does it.", "Does it!")).unwrap();
    assert_eq!(drift(dir.path()), 1);
    fs::write(&full, &printed).unwrap();

    // A changed spec is printed anew: as a first run of the changed spec prints it.
    let changed = SPEC.replace("default: fast", "default: slow");
    fs::write(dir.path().join("specs/actions/svc/res.yaml"), &changed).unwrap();
    let warm = generate_into(dir.path());
    let cold = generate_into(project(&changed).path());
    assert_ne!(warm, printed);
    assert_eq!(warm, cold);
}
