//! Each static check on workflows, on a workflow that breaks it: the code and the
//! `line:col` it points at. The seed workflows pass every check.

use std::fs;
use std::path::{Path, PathBuf};

use codegen::diagnostics::{Code, Diagnostic, Severity};
use codegen::Error;

const ACTIONS: &str = r#"actions:
  get:
    description: Get a thing.
    inputs:
      - name: thing_id
        type: uuid
        required: true
      - name: verbose
        type: boolean
        default: false
      - name: mode
        type: string
        default: fast
        enum: [fast, slow]
    implementation: {kind: get_field, service: compute, microversions: {compute: "2.1"}, path: "/things/{thing_id}", field: thing}
  old_get:
    description: The old way to get a thing.
    inputs:
      - name: thing_id
        type: uuid
        required: true
    deprecated: {since: "2.0", replaced_by: int32bit.demo.things.get}
    implementation: {kind: get_field, service: compute, microversions: {compute: "2.1"}, path: "/things/{thing_id}", field: thing}
"#;

/// A project with the demo actions and the given workflow files.
fn project(workflows: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let actions = dir.path().join("specs/actions/demo");
    fs::create_dir_all(&actions).unwrap();
    fs::write(actions.join("things.yaml"), ACTIONS).unwrap();
    let wf = dir.path().join("specs/workflows");
    fs::create_dir_all(&wf).unwrap();
    for (name, text) in workflows {
        fs::write(wf.join(name), text).unwrap();
    }
    dir
}

/// Every diagnostic (errors and warnings) for one workflow file `wf.yaml`.
fn check(workflow: &str) -> Vec<Diagnostic> {
    check_files(&[("wf.yaml", workflow)])
}

fn check_files(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = project(files);
    match codegen::spec::load(dir.path()) {
        Ok((_, warnings)) => warnings.0,
        Err(Error::Spec(d)) => d.0,
        Err(e) => panic!("unexpected failure: {e}"),
    }
}

/// Asserts exactly one diagnostic with `code`, at `line:col`, of `severity`; returns it.
fn expect(
    diags: &[Diagnostic],
    code: Code,
    line: usize,
    col: usize,
    severity: Severity,
) -> Diagnostic {
    let found: Vec<&Diagnostic> = diags.iter().filter(|d| d.code == code).collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {code}, got:\n{}",
        render(diags)
    );
    let d = found[0];
    assert_eq!(
        (d.pos.line, d.pos.col, d.severity, d.file.as_path()),
        (line, col, severity, Path::new("specs/workflows/wf.yaml")),
        "{d}"
    );
    d.clone()
}

fn render(diags: &[Diagnostic]) -> String {
    diags.iter().map(|d| format!("  {d}\n")).collect()
}

/// `tasks` indented under a direct workflow `wf` with input `id`.
fn direct(tasks: &str) -> String {
    format!("version: '2.0'\nwf:\n  input:\n    - id\n  tasks:\n{tasks}")
}

#[test]
fn seed_workflows_pass_every_check() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let (model, warnings) = codegen::spec::load(&root).expect("the specs are valid");
    assert!(warnings.0.is_empty(), "{}", render(&warnings.0));
    let names: Vec<&str> = model.workflows.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "create_image",
            "create_volume_backup",
            "create_volume_snapshot",
            "start_server",
            "stop_server"
        ]
    );
    let image = &model.workflows[0];
    assert_eq!(
        image.actions_used(),
        [
            "int32bit.glance.images.filter_by",
            "nova.servers_create_image"
        ]
    );
}

#[test]
fn ma100_unknown_action() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.gte thing_id=<% $.id %>\n",
    ));
    let d = expect(&d, Code::UnknownAction, 7, 15, Severity::Error);
    assert!(d.help.unwrap().contains("int32bit.demo.things.get"));
}

#[test]
fn ma101_unknown_workflow() {
    let d = check(&direct("    t:\n      workflow: sub_flow id=<% $.id %>\n"));
    expect(&d, Code::UnknownWorkflow, 7, 17, Severity::Error);
}

#[test]
fn ma102_unknown_parameter_inline_and_in_input() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.get thing_id=<% $.id %> colour='red'\n    u:\n      action: std.echo\n      input:\n        output: 1\n        outptu: 2\n",
    ));
    let found: Vec<_> = d
        .iter()
        .filter(|d| d.code == Code::UnknownParameter)
        .collect();
    assert_eq!(found.len(), 2, "{}", render(&d));
    // `colour` sits 45 characters into the inline call, which starts at column 15.
    assert_eq!(
        (found[0].pos.line, found[0].pos.col),
        (7, 60),
        "{}",
        found[0]
    );
    assert_eq!(
        (found[1].pos.line, found[1].pos.col),
        (12, 9),
        "{}",
        found[1]
    );
    assert!(found[1]
        .help
        .as_deref()
        .unwrap()
        .contains("did you mean `output`"));
}

#[test]
fn ma103_missing_required_parameter() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.get verbose=true\n",
    ));
    let d = expect(&d, Code::MissingParameter, 7, 15, Severity::Error);
    assert!(d.message.contains("`thing_id`"));
    // Builtins too, in the YAML-map form.
    let d = check(&direct(
        "    t:\n      action: std.http\n      input:\n        method: GET\n",
    ));
    expect(&d, Code::MissingParameter, 7, 15, Severity::Error);
}

#[test]
fn kwargs_builtins_take_anything_like_mistral() {
    let d = check(&direct(
        "    t:\n      action: cinder.volume_snapshots_create volume_id=<% $.id %> name='x'\n",
    ));
    assert!(d.is_empty(), "{}", render(&d));
}

#[test]
fn ma104_literal_of_the_wrong_type() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.get\n      input:\n        thing_id: <% $.id %>\n        verbose: \"yes\"\n",
    ));
    expect(&d, Code::ParameterTypeMismatch, 10, 9, Severity::Error);
    // Inline: a quoted value is a string; `mode` only takes its enum values.
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.get thing_id=<% $.id %> mode='medium'\n",
    ));
    let d = expect(&d, Code::ParameterTypeMismatch, 7, 60, Severity::Error);
    assert!(d.message.contains("\"fast\""));
}

#[test]
fn ma105_transition_to_nowhere() {
    let d = check(&direct(
        "    a:\n      action: std.noop\n      on-success:\n        - b\n        - nowhere: <% $.id != null %>\n      on-error: fail msg='x'\n    b:\n      action: std.noop\n",
    ));
    let d = expect(&d, Code::UnknownTransitionTarget, 10, 11, Severity::Error);
    assert!(d.message.contains("`nowhere`"));
    let d = check("version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    a:\n      requires: [b]\n");
    expect(&d, Code::UnknownTransitionTarget, 6, 18, Severity::Error);
}

#[test]
fn ma106_unreachable_task() {
    let d = check(&direct(
        "    a:\n      action: std.noop\n    b:\n      action: std.noop\n      on-success: c\n    c:\n      action: std.noop\n      on-success: b\n",
    ));
    let found: Vec<_> = d
        .iter()
        .filter(|d| d.code == Code::UnreachableTask)
        .collect();
    assert_eq!(found.len(), 2, "{}", render(&d));
    assert_eq!((found[0].pos.line, found[0].pos.col), (8, 5));
    assert_eq!((found[1].pos.line, found[1].pos.col), (11, 5));
}

#[test]
fn ma107_requires_cycle() {
    let d = check(
        "version: '2.0'\nwf:\n  type: reverse\n  tasks:\n    a:\n      requires: c\n    b:\n      requires: [a]\n    c:\n      requires: [b]\n    d:\n      requires: [a]\n",
    );
    // Reported where the cycle closes: `b` requiring `a`.
    let d = expect(&d, Code::RequiresCycle, 8, 18, Severity::Error);
    assert_eq!(
        d.message,
        "`requires` cycle: a requires c requires b requires a"
    );
}

#[test]
fn ma108_unbalanced_expression() {
    let d = check(&direct("    t:\n      action: std.echo output=\"<% $.id\"\n      publish:\n        x: \"{{ _.id }} %>\"\n"));
    let found: Vec<_> = d
        .iter()
        .filter(|d| d.code == Code::UnbalancedExpression)
        .collect();
    assert_eq!(found.len(), 2, "{}", render(&d));
    assert_eq!((found[0].pos.line, found[0].pos.col), (7, 32));
    assert_eq!((found[1].pos.line, found[1].pos.col), (9, 24));
}

#[test]
fn ma109_undeclared_variable_is_a_warning_and_strict_makes_it_an_error() {
    let text = direct(
        "    t:\n      action: std.echo output=<% $.id %>\n      publish:\n        got: <% task().result %>\n      on-success: u\n    u:\n      action: std.echo output={{ _.got }}-<% $.gto %>\n",
    );
    let dir = project(&[("wf.yaml", &text)]);
    let (_, warnings) = codegen::spec::load(dir.path()).expect("warnings do not fail the run");
    let d = expect(
        &warnings.0,
        Code::UndeclaredVariable,
        12,
        46,
        Severity::Warning,
    );
    assert!(d.help.unwrap().contains("did you mean `got`"));
    assert!(warnings.clone().strict().has_errors());
}

#[test]
fn ma110_deprecated_action_names_its_replacement() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.old_get thing_id=<% $.id %>\n",
    ));
    let d = expect(&d, Code::DeprecatedAction, 7, 15, Severity::Warning);
    assert!(
        d.help
            .as_deref()
            .unwrap()
            .contains("int32bit.demo.things.get"),
        "{d}"
    );
}

#[test]
fn ma111_duplicate_workflow_across_files() {
    let one = "version: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n";
    let d = check_files(&[("a.yaml", one), ("wf.yaml", one)]);
    expect(&d, Code::DuplicateWorkflow, 2, 1, Severity::Error);
}

#[test]
fn ma112_what_mistral_refuses() {
    let d = check("version: '1.0'\nwf:\n  tasks:\n    bad-name:\n      action: std.noop\n      workflow: wf\n      with-items: x of [1]\n");
    let found: Vec<_> = d
        .iter()
        .filter(|d| d.code == Code::InvalidWorkflow)
        .map(|d| (d.pos.line, d.pos.col))
        .collect();
    assert_eq!(found, [(1, 10), (4, 5), (6, 17), (7, 19)], "{}", render(&d));
}

#[test]
fn ma112_yaml11_booleans_are_ambiguous() {
    let d = check(&direct(
        "    t:\n      action: std.echo\n      input:\n        output: yes\n        delay: 'no'\n",
    ));
    let d = expect(&d, Code::InvalidWorkflow, 9, 17, Severity::Error);
    assert!(d.message.contains("boolean true"), "{d}");
}

#[test]
fn ma113_inline_value_mistral_drops() {
    let d = check(&direct(
        "    t:\n      action: int32bit.demo.things.get thing_id=<% $.id %> verbose=True\n",
    ));
    expect(&d, Code::IgnoredInlineParameter, 7, 60, Severity::Warning);
}

#[test]
fn every_problem_is_reported_at_once() {
    let d = check(&direct(
        "    a:\n      action: nope.nothing\n      on-success: [b, gone]\n    b:\n      workflow: missing\n      publish:\n        v: <% $.w\n",
    ));
    let mut codes: Vec<Code> = d.iter().map(|d| d.code).collect();
    codes.dedup();
    assert_eq!(
        codes,
        [
            Code::UnknownAction,
            Code::UnknownTransitionTarget,
            Code::UnknownWorkflow,
            Code::UnbalancedExpression
        ],
        "{}",
        render(&d)
    );
}

#[test]
fn emitted_workflows_are_canonical() {
    // Keys out of order in the spec come out in the DSL's order; user keys keep theirs.
    let text = "version: '2.0'\nwf:\n  tasks:\n    t:\n      on-success: u\n      input: {url: 'http://x', method: GET}\n      action: std.http\n    u:\n      action: std.noop\n  description: Demo.\n";
    let dir = project(&[("wf.yaml", text)]);
    let (_, _, files) = codegen::generate(dir.path()).unwrap();
    let out = files
        .get("workflows/wf.yaml")
        .expect("one file per workflow");
    assert!(out.starts_with("# Generated by `cargo xtask generate`"));
    assert!(out.contains("# Source: specs/workflows/wf.yaml"));
    let body: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(
        body,
        [
            "version: \"2.0\"",
            "wf:",
            "  description: Demo.",
            "  tags:",
            "    - \"mistral-actions:managed\"",
            "  tasks:",
            "    t:",
            "      action: std.http",
            "      input:",
            "        url: \"http://x\"",
            "        method: GET",
            "      on-success: u",
            "    u:",
            "      action: std.noop",
        ]
    );
}
