//! Semantic catalog diff: which spec changes are breaking.

use std::fs;
use std::path::Path;

use codegen::catalog_diff::{diff, ChangeKind};
use codegen::Model;

const BASE: &str = "actions:
  act:
    description: Does it.
    inputs:
      - {name: thing_id, type: uuid, required: true}
      - {name: status, type: string, default: available, enum: [available, error]}
      - {name: count, type: integer, default: 5}
    implementation: {kind: custom, function: svc::act}
";

fn model(actions_yaml: &str) -> Model {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("specs/actions/svc/res.yaml");
    fs::create_dir_all(file.parent().unwrap()).unwrap();
    fs::write(&file, actions_yaml).unwrap();
    // The custom functions the spec names, one parameter per input, as MA042 wants.
    let custom = dir.path().join("runtime/src/custom/svc.rs");
    fs::create_dir_all(custom.parent().unwrap()).unwrap();
    let params: String = (0..actions_yaml.matches("- {name:").count())
        .map(|i| format!(", p{i}: V"))
        .collect();
    fs::write(
        &custom,
        format!("pub async fn act(ctx: &C{params}) {{}}\npub async fn other(ctx: &C) {{}}\n"),
    )
    .unwrap();
    codegen::spec::load(Path::new(dir.path())).unwrap().0
}

fn changes(new_yaml: &str) -> Vec<(ChangeKind, bool)> {
    diff(&model(BASE), &model(new_yaml))
        .changes
        .into_iter()
        .map(|c| (c.kind, c.breaking))
        .collect()
}

#[test]
fn identical_specs_have_no_changes() {
    assert!(changes(BASE).is_empty());
}

#[test]
fn a_removed_input_is_breaking() {
    let new = BASE.replace("      - {name: count, type: integer, default: 5}\n", "");
    assert_eq!(changes(&new), vec![(ChangeKind::InputRemoved, true)]);
}

#[test]
fn a_new_required_input_is_breaking_a_new_optional_one_is_not() {
    let required = BASE.replace(
        "    implementation",
        "      - {name: extra, type: string, required: true}\n    implementation",
    );
    assert_eq!(changes(&required), vec![(ChangeKind::InputAdded, true)]);
    let optional = BASE.replace(
        "    implementation",
        "      - {name: extra, type: string, default: x}\n    implementation",
    );
    assert_eq!(changes(&optional), vec![(ChangeKind::InputAdded, false)]);
}

#[test]
fn narrowing_types_and_enums_is_breaking_widening_is_not() {
    let narrowed = BASE.replace(
        "name: thing_id, type: uuid",
        "name: thing_id, type: integer",
    );
    assert_eq!(changes(&narrowed), vec![(ChangeKind::InputRetyped, true)]);
    let widened = BASE.replace("name: thing_id, type: uuid", "name: thing_id, type: string");
    assert_eq!(changes(&widened), vec![(ChangeKind::InputRetyped, false)]);
    let fewer = BASE.replace("enum: [available, error]", "enum: [available]");
    assert_eq!(changes(&fewer), vec![(ChangeKind::InputEnumChanged, true)]);
    let more = BASE.replace(
        "enum: [available, error]",
        "enum: [available, error, deleting]",
    );
    assert_eq!(changes(&more), vec![(ChangeKind::InputEnumChanged, false)]);
}

#[test]
fn defaults_requiredness_and_deprecation_are_reported() {
    let new = BASE
        .replace("default: 5", "default: 6")
        .replace("type: uuid, required: true", "type: uuid, default: null")
        .replace(
            "    implementation",
            "    deprecated: {since: \"2.0\", message: use the other one}\n    implementation",
        );
    assert_eq!(
        changes(&new),
        vec![
            (ChangeKind::DefaultChanged, false),
            (ChangeKind::RequirednessChanged, false),
            (ChangeKind::Deprecated, false),
        ]
    );
}

#[test]
fn removed_and_renamed_actions_are_breaking() {
    assert_eq!(
        changes(&BASE.replace("  act:", "  act2:")),
        vec![(ChangeKind::ActionRenamed, true)]
    );
    let other = "actions:\n  other:\n    description: x\n    implementation: {kind: custom, function: svc::other}\n";
    let found = changes(other);
    assert!(
        found.contains(&(ChangeKind::ActionRemoved, true)),
        "{found:?}"
    );
    assert!(
        found.contains(&(ChangeKind::ActionAdded, false)),
        "{found:?}"
    );
}

#[test]
fn markdown_flags_breaking_changes() {
    let new = BASE.replace("      - {name: count, type: integer, default: 5}\n", "");
    let md = diff(&model(BASE), &model(&new)).to_markdown("origin/main");
    assert!(md.contains("**1 breaking change(s)**"), "{md}");
    assert!(
        md.contains("| breaking | `int32bit.svc.res.act` | input `count` removed |"),
        "{md}"
    );
}
