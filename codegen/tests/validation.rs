//! One test per spec problem: each asserts the code and the exact `file:line:col`.

use std::fs;
use std::path::Path;

use codegen::diagnostics::Code;
use codegen::Error;

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

fn problems(files: &[(&str, &[u8])]) -> Vec<(Code, String)> {
    let dir = project(files);
    match codegen::spec::load(dir.path()) {
        Ok(_) => panic!("the specs were accepted"),
        Err(Error::Spec(diags)) => diags
            .0
            .iter()
            .map(|d| {
                (
                    d.code,
                    format!("{}:{}:{}", d.file.display(), d.pos.line, d.pos.col),
                )
            })
            .collect(),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[track_caller]
fn assert_problem(files: &[(&str, &[u8])], code: Code, at: &str) {
    let found = problems(files);
    assert!(
        found.iter().any(|(c, loc)| *c == code && loc == at),
        "expected {code} at {at}, got {found:?}"
    );
}

const FILE: &str = "specs/actions/svc/res.yaml";

/// A valid action with `inputs` spliced in (already indented).
fn action_with_inputs(inputs: &str) -> String {
    format!(
        "actions:\n  act:\n    description: Does it.\n    inputs:\n{inputs}    implementation:\n      kind: custom\n      function: svc::act\n"
    )
}

#[test]
fn a_valid_spec_loads_and_keeps_input_order() {
    let text = action_with_inputs(
        "      - name: opt\n        type: string\n        default: x\n      - name: req\n        type: integer\n        required: true\n",
    );
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

#[test]
fn invalid_yaml() {
    assert_problem(
        &[(FILE, b"actions:\n  a: [1, 2\n")],
        Code::YamlSyntax,
        &format!("{FILE}:3:1"),
    );
}

#[test]
fn unknown_key() {
    let text = "actions:\n  act:\n    description: x\n    descripton: y\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::UnknownKey,
        &format!("{FILE}:4:5"),
    );
}

#[test]
fn wrong_type() {
    let text = "actions:\n  act:\n    description: [x]\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::WrongType,
        &format!("{FILE}:3:18"),
    );
}

#[test]
fn missing_key() {
    let text = "actions:\n  act:\n    description: x\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::MissingKey,
        &format!("{FILE}:3:5"),
    );
}

#[test]
fn duplicate_key() {
    let text = "actions:\n  act:\n    description: x\n    description: y\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DuplicateKey,
        &format!("{FILE}:4:5"),
    );
}

#[test]
fn duplicate_action_across_files() {
    let one = "actions:\n  res.act:\n    description: x\n    implementation: {kind: custom, function: a::b}\n";
    let two = "actions:\n  act:\n    description: x\n    implementation: {kind: custom, function: a::b}\n";
    // `svc.yaml` sorts after `svc/`? No: walkdir sorts by file name within a directory,
    // "svc" (dir) < "svc.yaml", so svc/res.yaml is read first.
    let found = problems(&[
        ("specs/actions/svc.yaml", one.as_bytes()),
        (FILE, two.as_bytes()),
    ]);
    assert!(
        found.contains(&(Code::DuplicateAction, "specs/actions/svc.yaml:2:3".into())),
        "{found:?}"
    );
}

#[test]
fn duplicate_action_in_one_file() {
    let text = "actions:\n  act:\n    description: x\n    implementation: {kind: custom, function: a::b}\n  act:\n    description: y\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DuplicateKey,
        &format!("{FILE}:5:3"),
    );
}

#[test]
fn builtin_collision() {
    let text = "actions:\n  consumers_create:\n    description: x\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[
            ("specs/project.yaml", b"prefix: keystone\n"),
            ("specs/actions/oauth1.yaml", text.as_bytes()),
        ],
        Code::BuiltinCollision,
        "specs/actions/oauth1.yaml:2:3",
    );
}

#[test]
fn invalid_action_name() {
    let text = "actions:\n  \"bad name\":\n    description: x\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::InvalidActionName,
        &format!("{FILE}:2:3"),
    );
}

#[test]
fn action_name_too_long() {
    let key = "a".repeat(250);
    let text = format!("actions:\n  {key}:\n    description: x\n    implementation: {{kind: custom, function: a::b}}\n");
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::ActionNameTooLong,
        &format!("{FILE}:2:3"),
    );
}

#[test]
fn name_mismatch() {
    let text = "actions:\n  act:\n    name: int32bit.svc.other.act\n    description: x\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::NameMismatch,
        &format!("{FILE}:3:11"),
    );
}

#[test]
fn invalid_input_name() {
    let text = action_with_inputs("      - name: 2fast\n        type: string\n");
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::InvalidInputName,
        &format!("{FILE}:5:15"),
    );
}

#[test]
fn duplicate_input() {
    let text = action_with_inputs(
        "      - name: a\n        type: string\n      - name: a\n        type: string\n",
    );
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DuplicateInput,
        &format!("{FILE}:7:15"),
    );
}

#[test]
fn keyword_input_name() {
    for word in ["class", "\"null\"", "lambda"] {
        let text = action_with_inputs(&format!("      - name: {word}\n        type: string\n"));
        assert_problem(
            &[(FILE, text.as_bytes())],
            Code::KeywordInputName,
            &format!("{FILE}:5:15"),
        );
    }
}

#[test]
fn required_with_default() {
    let text = action_with_inputs(
        "      - name: a\n        type: string\n        required: true\n        default: x\n",
    );
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::RequiredWithDefault,
        &format!("{FILE}:8:18"),
    );
}

#[test]
fn default_of_wrong_type() {
    let text =
        action_with_inputs("      - name: a\n        type: boolean\n        default: \"yes\"\n");
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DefaultTypeMismatch,
        &format!("{FILE}:7:18"),
    );
}

#[test]
fn uuid_default_must_be_a_uuid() {
    let text =
        action_with_inputs("      - name: a\n        type: uuid\n        default: not-a-uuid\n");
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DefaultTypeMismatch,
        &format!("{FILE}:7:18"),
    );
}

#[test]
fn default_not_in_enum() {
    let text = action_with_inputs(
        "      - name: a\n        type: string\n        enum: [x, y]\n        default: z\n",
    );
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::DefaultNotInEnum,
        &format!("{FILE}:8:18"),
    );
}

#[test]
fn secret_with_default() {
    let text = action_with_inputs(
        "      - name: password\n        type: string\n        secret: true\n        default: hunter2\n",
    );
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::SecretWithDefault,
        &format!("{FILE}:8:18"),
    );
}

#[test]
fn nul_in_the_file() {
    let text = b"actions:\n  act:\n    description: a\x00b\n";
    assert_problem(
        &[(FILE, text)],
        Code::ControlCharacter,
        &format!("{FILE}:3:19"),
    );
}

#[test]
fn control_character_escaped_in_a_string() {
    let text = "actions:\n  act:\n    description: \"bell\\a\"\n    implementation: {kind: custom, function: a::b}\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::ControlCharacter,
        &format!("{FILE}:3:18"),
    );
}

#[test]
fn not_utf8() {
    let text = b"actions:\n  act:\n    description: caf\xe9\n";
    assert_problem(&[(FILE, text)], Code::NotUtf8, &format!("{FILE}:3:21"));
}

#[test]
fn file_too_large() {
    let text = action_with_inputs("");
    assert_problem(
        &[
            ("specs/project.yaml", b"max_file_bytes: 64\n"),
            (FILE, text.as_bytes()),
        ],
        Code::FileTooLarge,
        &format!("{FILE}:1:1"),
    );
}

#[test]
fn alias_bomb() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..6 {
        let prev = format!("*a{}", i - 1);
        let items = [prev.as_str(); 10].join(", ");
        text.push_str(&format!("a{i}: &a{i} [{items}]\n"));
    }
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::AliasBomb,
        &format!("{FILE}:4:45"),
    );
}

#[test]
fn every_problem_of_a_run_is_reported() {
    let one = action_with_inputs("      - name: class\n        type: strin\n");
    let two = "actions:\n  act:\n    description: x\n    implementation: {kind: custom, function: nope}\n    bogus: 1\n";
    let found = problems(&[
        (FILE, one.as_bytes()),
        ("specs/actions/other.yaml", two.as_bytes()),
    ]);
    let codes: Vec<Code> = found.iter().map(|(c, _)| *c).collect();
    for expected in [
        Code::KeywordInputName,
        Code::InvalidValue,
        Code::InvalidImplementation,
        Code::UnknownKey,
    ] {
        assert!(
            codes.contains(&expected),
            "{expected} missing from {found:?}"
        );
    }
}

#[test]
fn implementation_must_name_declared_inputs() {
    let text = "actions:\n  act:\n    description: x\n    inputs:\n      - {name: a, type: uuid, required: true}\n    implementation:\n      kind: get_field\n      service: compute\n      path: /things/{b}\n      field: thing.status\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::InvalidImplementation,
        &format!("{FILE}:9:13"),
    );
}

#[test]
fn problems_point_into_the_project_file_too() {
    assert_problem(
        &[(
            "specs/project.yaml",
            b"prefix: int32bit\nschema_generations: [kilo]\n",
        )],
        Code::InvalidValue,
        "specs/project.yaml:2:22",
    );
}

#[test]
fn the_real_specs_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (model, _) = codegen::spec::load(root).unwrap();
    assert_eq!(model.actions.len(), 14);
}

#[test]
fn custom_functions_are_looked_up_in_the_given_root_only() {
    // No runtime/src/custom under this root: the generator's own runtime does not count.
    assert_problem(
        &[(FILE, action_with_inputs("").as_bytes())],
        Code::UnknownCustomFunction,
        &format!("{FILE}:7:17"),
    );
}

#[test]
fn microversions_are_checked() {
    let action = |micro: &str| {
        format!("actions:\n  act:\n    description: x\n    inputs:\n      - {{name: a, type: uuid, required: true}}\n    implementation:\n      kind: get_field\n{micro}      service: compute\n      path: /things/{{a}}\n      field: thing.status\n")
    };
    // Nova has microversions: the action must name the one it reads.
    assert_problem(
        &[(FILE, action("").as_bytes())],
        Code::MissingKey,
        &format!("{FILE}:7:13"),
    );
    // Glance has none; `2.10` unquoted is the number 2.1, so versions are strings.
    let found = problems(&[(
        FILE,
        action("      microversions: {compute: \"2.x\", image: \"2.1\"}\n").as_bytes(),
    )]);
    assert_eq!(
        found,
        [
            (Code::InvalidValue, format!("{FILE}:8:32")),
            (Code::InvalidValue, format!("{FILE}:8:39")),
        ]
    );
    let text = action("      microversions: {compute: \"2.1\"}\n");
    let dir = project(&[(FILE, text.as_bytes())]);
    let (model, _) = codegen::spec::load(dir.path()).unwrap();
    assert_eq!(model.actions[0].microversions[0].version, "2.1");
}

#[test]
fn the_services_an_action_calls_are_its_spec_s() {
    let custom = |services: &str| {
        format!("actions:\n  act:\n    description: x\n    inputs: []\n    implementation:\n      kind: custom\n      microversions: {{compute: \"2.1\"}}\n{services}      function: svc::act\n")
    };
    let runtime: &[u8] = b"pub async fn act(ctx: &Context) {}\n";
    let text = custom("      services: [database, image, database]\n");
    let dir = project(&[
        (FILE, text.as_bytes()),
        ("runtime/src/custom/svc.rs", runtime),
    ]);
    let (model, _) = codegen::spec::load(dir.path()).unwrap();
    // Microversions' services count, duplicates once, sorted.
    assert_eq!(
        model.actions[0].services(),
        ["compute", "database", "image"]
    );
    // A service type is what the catalog says: lower case, digits, dashes.
    let text = custom("      services: [Database, \"\"]\n");
    let found = problems(&[
        (FILE, text.as_bytes()),
        ("runtime/src/custom/svc.rs", runtime),
    ]);
    assert_eq!(
        found,
        [
            (Code::InvalidValue, format!("{FILE}:8:18")),
            (Code::InvalidValue, format!("{FILE}:8:28")),
        ]
    );
    // A declarative action names its one service as `service`.
    let text = "actions:\n  act:\n    description: x\n    inputs: []\n    implementation:\n      kind: get_field\n      service: image\n      services: [compute]\n      path: /things\n      field: thing.status\n";
    assert_problem(
        &[(FILE, text.as_bytes())],
        Code::UnknownKey,
        &format!("{FILE}:8:7"),
    );
    let declarative = text.replace("      services: [compute]\n", "");
    let dir = project(&[(FILE, declarative.as_bytes())]);
    let (model, _) = codegen::spec::load(dir.path()).unwrap();
    assert_eq!(model.actions[0].services(), ["image"]);
}
