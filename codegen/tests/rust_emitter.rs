//! The Rust emitter: generate-time checks of `custom` functions, and the shape of the crate.

use std::fs;
use std::path::Path;

use codegen::diagnostics::Code;
use codegen::Error;

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
use crate::{ActionError, Context, Uuid};
pub async fn act(ctx: &Context, thing_id: Uuid, mode: &str) -> Result<serde_json::Value, ActionError> { todo!() }
pub async fn short(ctx: &Context) -> Result<serde_json::Value, ActionError> { todo!() }
fn private(ctx: &Context, a: Uuid, b: &str) {}
";

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

fn custom_problems(spec: &str) -> Vec<(Code, String, String)> {
    let dir = project(spec);
    match codegen::generate(dir.path()) {
        Ok(_) => Vec::new(),
        Err(Error::Spec(d)) => {
            d.0.iter()
                .map(|d| {
                    (
                        d.code,
                        format!("{}:{}:{}", d.file.display(), d.pos.line, d.pos.col),
                        d.message.clone(),
                    )
                })
                .collect()
        }
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn an_existing_custom_function_generates() {
    assert_eq!(custom_problems(SPEC), vec![]);
}

#[test]
fn a_missing_custom_function_is_a_located_ma042() {
    let found = custom_problems(&SPEC.replace("svc::act", "svc::nope"));
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, at, message) = &found[0];
    assert_eq!(*code, Code::UnknownCustomFunction);
    assert_eq!(code.as_str(), "MA042");
    assert_eq!(at, "specs/actions/svc/res.yaml:9:17");
    assert!(message.contains("pub async fn nope"), "{message}");
    // A private function does not count.
    let found = custom_problems(&SPEC.replace("svc::act", "svc::private"));
    assert_eq!(found[0].0, Code::UnknownCustomFunction);
}

#[test]
fn a_missing_module_or_wrong_arity_is_ma042_too() {
    let found = custom_problems(&SPEC.replace("svc::act", "nowhere::act"));
    assert_eq!(found[0].0, Code::UnknownCustomFunction);
    assert!(found[0].2.contains("no module `nowhere`"), "{:?}", found[0]);
    let found = custom_problems(&SPEC.replace("svc::act", "svc::short"));
    assert_eq!(found[0].0, Code::UnknownCustomFunction);
    assert!(found[0].2.contains("takes 0 parameter(s)") && found[0].2.contains("2 input(s)"));
}

#[test]
fn the_crate_has_headers_typed_inputs_and_a_sorted_table() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (model, _, files) = codegen::generate(root).unwrap();
    let rust: Vec<&str> = files
        .paths()
        .filter(|p| p.starts_with("actions/"))
        .collect();
    // Modules a warm run reuses are read back from generated/.
    let text_of = |path: &str| files.contents(root, path).unwrap().unwrap().into_owned();
    for path in &rust {
        let text = text_of(path);
        let first = text.lines().next().unwrap();
        assert!(
            first.contains(codegen::emit::DO_NOT_EDIT),
            "{path}: {first}"
        );
        assert!(text.contains("Source: specs/"), "{path}");
    }
    let nova = text_of("actions/src/nova_servers.rs");
    assert!(nova.contains("pub enum AssertPowerStatusStatus"));
    assert!(nova.contains("#[serde(deny_unknown_fields)]"));
    assert!(nova.contains("rt::custom::nova::assert_power_status("));
    assert!(
        nova.contains("/// Assert a server in special status.")
            || nova.contains("Assert a server in special status.")
    );
    let registry = text_of("actions/src/registry.rs");
    let positions: Vec<usize> = model
        .actions
        .iter()
        .map(|a| {
            registry
                .find(&format!("name: \"{}\"", a.name))
                .expect(&a.name)
        })
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "sorted by name");
    let lib = text_of("actions/src/lib.rs");
    assert!(lib.contains("#[rustfmt::skip]\npub mod nova_servers;"));
}

#[test]
fn secrets_are_wrapped_and_defaults_typed() {
    let spec = "actions:
  act:
    description: Does it.
    inputs:
      - {name: thing_id, type: uuid, required: true}
      - {name: password, type: string, secret: true}
      - {name: count, type: integer, default: 3}
      - {name: ratio, type: number, default: 0.5}
      - {name: type, type: object, default: {a: 1}}
      - {name: level, type: integer, default: 1, enum: [1, 2]}
    implementation: {kind: get_field, service: compute, microversions: {compute: \"2.1\"}, path: '/things/{thing_id}/{password}', field: thing.x}
";
    let dir = project(spec);
    let (_, _, files) = codegen::generate(dir.path()).unwrap();
    let text = files.get("actions/src/svc_res.rs").unwrap();
    assert!(text.contains("pub password: rt::Secret<String>"), "{text}");
    assert!(
        text.contains("rt::helpers::path_arg(input.password.expose())"),
        "{text}"
    );
    assert!(text.contains("3i64") && text.contains("0.5f64"), "{text}");
    assert!(
        text.contains("pub r#type: serde_json::Map<String, serde_json::Value>"),
        "{text}"
    );
    assert!(text.contains("rt::input::one_of(\"level\""), "{text}");
    // The emitted file parses as Rust.
    syn::parse_file(text).unwrap();
}

#[test]
fn module_names_never_clash_with_keywords_or_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let spec = "actions:\n  act:\n    description: Does it.\n    implementation: {kind: get_field, service: compute, microversions: {compute: \"2.1\"}, path: /x, field: x}\n";
    for file in ["specs/actions/type.yaml", "specs/actions/registry.yaml"] {
        let full = dir.path().join(file);
        fs::create_dir_all(full.parent().unwrap()).unwrap();
        fs::write(full, spec).unwrap();
    }
    let (_, _, files) = codegen::generate(dir.path()).unwrap();
    let lib = files.get("actions/src/lib.rs").unwrap();
    assert!(lib.contains("pub mod r#type;"), "{lib}");
    assert!(
        lib.contains("pub mod registry;") && lib.contains("mod registry_;"),
        "{lib}"
    );
    assert!(files
        .get("actions/src/registry_.rs")
        .unwrap()
        .contains("pub static ACTIONS"));
    assert!(files.get("actions/src/type.rs").is_some());
    syn::parse_file(lib).unwrap();
}

/// Writes what `generate` produces for the project at `dir`, as `cargo xtask generate` does.
fn generate_into(dir: &Path) -> codegen::FileSet {
    let (_, _, files) = codegen::generate(dir).unwrap();
    codegen::output::apply(dir, &files).unwrap();
    files
}

#[test]
fn every_run_prints_modules_from_the_specs_so_edits_and_spec_changes_show() {
    let dir = project(SPEC);
    let module = "actions/src/svc_res.rs";
    let cold = generate_into(dir.path());
    let printed = cold
        .get(module)
        .expect("a run prints every module")
        .to_string();

    // Whatever lies in target/codegen-cache, the same specs give the same text.
    let cache = dir.path().join("target/codegen-cache");
    fs::create_dir_all(&cache).unwrap();
    fs::write(cache.join("rust-modules.json"), "not json").unwrap();
    let (_, _, warm) = codegen::generate(dir.path()).unwrap();
    assert_eq!(warm.get(module), Some(printed.as_str()));
    assert!(codegen::output::check(dir.path(), &warm)
        .unwrap()
        .is_empty());

    // An edited module shows as drift.
    let full = dir.path().join("generated").join(module);
    fs::write(&full, printed.replace("Does it.", "Does it!")).unwrap();
    let (_, _, after_edit) = codegen::generate(dir.path()).unwrap();
    assert_eq!(
        codegen::output::check(dir.path(), &after_edit)
            .unwrap()
            .len(),
        1
    );
    fs::write(&full, &printed).unwrap();

    // A changed spec is printed anew.
    let spec = dir.path().join("specs/actions/svc/res.yaml");
    fs::write(&spec, SPEC.replace("default: fast", "default: slow")).unwrap();
    let (_, _, changed) = codegen::generate(dir.path()).unwrap();
    let text = changed.get(module).unwrap();
    assert!(text.contains("Slow"), "{text}");
}
