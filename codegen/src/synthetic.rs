//! A synthetic project for benchmarks and scale tests: `actions` actions of the three
//! declarative kinds (`get_field`, `assert_field`, `list_filter`), 40 per spec file, and
//! `workflows` direct workflows of four tasks each that call them inline and through
//! `input:` maps and publish results. Deterministic: the same numbers give the same bytes.

use std::fmt::Write as _;
use std::fs;
use std::io;
use std::path::Path;

const ACTIONS_PER_FILE: usize = 40;
const FILES_PER_SERVICE: usize = 25;
const WORKFLOWS_PER_FILE: usize = 10;
const FILES_PER_GROUP: usize = 10;

/// Writes `specs/` of the synthetic project under `root` (which should be empty).
pub fn write(root: &Path, actions: usize, workflows: usize) -> io::Result<()> {
    let specs = root.join("specs");
    fs::create_dir_all(&specs)?;
    fs::write(specs.join("project.yaml"), "prefix: bench\n")?;
    let mut names: [Vec<String>; 3] = Default::default();
    for f in 0..actions.div_ceil(ACTIONS_PER_FILE) {
        let (service, resource) = (f / FILES_PER_SERVICE, f % FILES_PER_SERVICE);
        let dir = specs.join(format!("actions/service{service}"));
        fs::create_dir_all(&dir)?;
        let mut text = String::from("actions:\n");
        for a in 0..ACTIONS_PER_FILE.min(actions - f * ACTIONS_PER_FILE) {
            let kind = a % 3;
            let key = action(&mut text, kind, a, f);
            names[kind].push(format!("bench.service{service}.resource{resource}.{key}"));
        }
        fs::write(dir.join(format!("resource{resource}.yaml")), text)?;
    }
    for f in 0..workflows.div_ceil(WORKFLOWS_PER_FILE) {
        let dir = specs.join(format!("workflows/group{}", f / FILES_PER_GROUP));
        fs::create_dir_all(&dir)?;
        let mut text = String::from("version: '2.0'\n");
        for i in 0..WORKFLOWS_PER_FILE.min(workflows - f * WORKFLOWS_PER_FILE) {
            let w = f * WORKFLOWS_PER_FILE + i;
            let pick = |kind: usize| names[kind].get(w % names[kind].len().max(1)).cloned();
            workflow(&mut text, w, [pick(0), pick(1), pick(2)]);
        }
        fs::write(dir.join(format!("flows{f}.yaml")), text)?;
    }
    Ok(())
}

/// Appends action `a` of file `f` of `kind` (0 get, 1 assert, 2 list); returns its key.
fn action(text: &mut String, kind: usize, a: usize, f: usize) -> String {
    match kind {
        0 => {
            let _ = write!(
                text,
                "  get_status{a}:\n    description: |\n      Get the status of a thing ({a} of file {f}).\n\n      A second paragraph.\n    inputs:\n      - name: thing_id\n        type: uuid\n        required: true\n        description: The thing.\n    output:\n      type: string\n    tags: [bench, get]\n    implementation:\n      kind: get_field\n      microversions: {{volumev3: \"3.0\"}}\n      service: volumev3\n      path: /things/{{thing_id}}\n      field: thing.status\n"
            );
            format!("get_status{a}")
        }
        1 => {
            let _ = write!(
                text,
                "  assert_status{a}:\n    description: Assert a thing in special status ({a} of file {f}).\n    inputs:\n      - name: thing_id\n        type: uuid\n        required: true\n        description: The thing.\n      - name: status\n        type: string\n        default: available\n        enum: [available, error]\n      - name: count\n        type: integer\n        default: 5\n    output:\n      type: boolean\n    tags: [bench, assert]\n    implementation:\n      kind: assert_field\n      microversions: {{volumev3: \"3.0\"}}\n      service: volumev3\n      path: /things/{{thing_id}}\n      field: thing.status\n      expected: status\n      subject: thing\n"
            );
            format!("assert_status{a}")
        }
        _ => {
            let _ = write!(
                text,
                "  filter_by{a}:\n    description: List things filtered by name or status ({a} of file {f}).\n    inputs:\n      - name: name\n        type: string\n        default: null\n      - name: status\n        type: string\n        default: null\n    output:\n      type: array\n    tags: [bench, list]\n    implementation:\n      kind: list_filter\n      microversions: {{volumev3: \"3.0\"}}\n      service: volumev3\n      path: /things\n      items: things\n      filters: [name, status]\n"
            );
            format!("filter_by{a}")
        }
    }
}

/// Appends workflow `w`: read (inline call, publish), check (`input:` map, retry), find
/// (inline literal, publish), report (a builtin). Kinds without actions fall back to
/// `std.echo`.
fn workflow(text: &mut String, w: usize, [get, assert, list]: [Option<String>; 3]) {
    let echo = || "std.echo".to_string();
    let read = get.map_or_else(
        || "std.echo output=<% $.thing_id %>".into(),
        |g| format!("{g} thing_id=<% $.thing_id %>"),
    );
    let check = match assert {
        Some(a) => format!(
            "{a}\n      input:\n        thing_id: <% $.thing_id %>\n        status: <% $.status %>\n        count: 3"
        ),
        None => format!("{}\n      input:\n        output: <% $.status %>", echo()),
    };
    let find = list.map_or_else(
        || "std.echo output=available".into(),
        |l| format!("{l} status='available'"),
    );
    let _ = write!(
        text,
        "\nflow{w}:\n  type: direct\n  description: Synthetic workflow {w}.\n  input:\n    - thing_id\n    - status: available\n  tasks:\n    read:\n      action: {read}\n      publish:\n        current: <% task(read).result %>\n      on-success:\n        - check\n    check:\n      action: {check}\n      retry:\n        delay: 5\n        count: 10\n      on-success: [find]\n    find:\n      action: {find}\n      publish:\n        found: <% task(find).result %>\n      on-complete:\n        - report\n    report:\n      action: std.echo output=<% $.current %>\n"
    );
}
