//! The layout oracle of the Rust emitter: every file it emits is exactly what prettyplease
//! prints when it parses that file again (items spaced as [`space_items`] does). Checked on
//! the seed specs, the synthetic bench project and generated specs with long and odd
//! names, strings and defaults (the lines where prettyplease's breaking shows), each
//! module whole and each action alone, so one long line does not hide the rest.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use super::{header, module_name, module_rs, registry, space_items, Table};
use crate::model::{Action, Model};
use crate::output::List;

/// `text` as prettyplease prints it: the header comments kept, the rest parsed and
/// printed again.
fn reformatted(text: &str) -> String {
    let mut lines = text.splitn(4, '\n');
    let (a, b, blank, rest) = (
        lines.next().unwrap(),
        lines.next().unwrap(),
        lines.next().unwrap(),
        lines.next().unwrap(),
    );
    let file = syn::parse_file(rest).expect("emitted Rust parses");
    format!(
        "{a}\n{b}\n{blank}\n{}",
        space_items(&prettyplease::unparse(&file))
    )
}

fn assert_prettyplease_layout(text: &str, what: &str) {
    assert_eq!(text, reformatted(text), "{what}: not prettyplease's layout");
}

/// Checks every module, every action alone and the registry of `model`; returns how many
/// actions there were.
fn check(model: &Model) -> usize {
    let mut modules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, a) in model.actions.iter().enumerate() {
        modules.entry(module_name(a)).or_default().push(i);
    }
    let list = List::of(&model.actions);
    let mut rows = Vec::new();
    for (module, indices) in modules {
        let actions: Vec<&Action> = indices.iter().map(|&i| &model.actions[i]).collect();
        assert_prettyplease_layout(&module_rs(&actions), &module);
        for a in &actions {
            assert_prettyplease_layout(&module_rs(&[a]), &a.name);
        }
        rows.push((module, list.pick(indices)));
    }
    assert_prettyplease_layout(&registry(&Table { modules: rows }), "registry");
    assert!(header("x").starts_with("// "));
    model.actions.len()
}

#[test]
fn items_are_spaced_after_braces_and_uses() {
    let printed = "//! Doc.\nuse a as b;\nuse c;\nstruct A {}\nfn f() {\n    x\n}\n\
        static S: &[u8] = &[\n    1,\n];\n/// Doc.\nfn g() {}\n";
    let spaced = "//! Doc.\nuse a as b;\nuse c;\n\nstruct A {}\nfn f() {\n    x\n}\n\n\
        static S: &[u8] = &[\n    1,\n];\n\n/// Doc.\nfn g() {}\n";
    assert_eq!(space_items(printed), spaced);
}

fn load(root: &Path) -> Model {
    match crate::spec::load(root) {
        Ok((model, _)) => model,
        Err(crate::Error::Spec(d)) => panic!("specs do not load: {d:?}"),
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn the_seed_specs_print_as_prettyplease_prints_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let model = load(&root);
    assert!(check(&model) > 0);
}

#[test]
fn the_bench_project_prints_as_prettyplease_prints_it() {
    let dir = tempfile::tempdir().unwrap();
    crate::synthetic::write(dir.path(), 200, 0).unwrap();
    let model = load(dir.path());
    assert_eq!(check(&model), 200);
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn word(&mut self, min: usize, max: usize) -> String {
        let len = min + self.below(max - min + 1);
        (0..len)
            .map(|i| {
                let c = b"abcdefghijklmnopqrstuvwxyz_"[self.below(if i == 0 { 26 } else { 27 })];
                c as char
            })
            .collect()
    }
    /// Text for a quoted YAML string: quotes, backslashes, non-ASCII.
    fn text(&mut self, max: usize) -> String {
        let len = self.below(max + 1);
        (0..len)
            .map(|_| match self.below(20) {
                0 => '\'',
                1 => '"',
                2 => '\\',
                3 => 'é',
                4..=6 => ' ',
                _ => (b'a' + self.below(26) as u8) as char,
            })
            .collect()
    }
}

fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// One action with random lengths everywhere its text can end up in code.
fn random_action(r: &mut Rng, out: &mut String, n: usize) {
    let max = if r.below(4) == 0 { 70 } else { 16 };
    let key = format!("{}{n}", r.word(1, max));
    let _ = writeln!(
        out,
        "  {key}:\n    description: {}",
        yaml_str(&format!("D{}", r.text(120)))
    );
    let mut names: Vec<String> = Vec::new();
    let mut inputs = String::new();
    for i in 0..r.below(6) {
        let name = match r.below(8) {
            0 if !names.iter().any(|n| n == "type") => "type".to_string(),
            1 if !names.iter().any(|n| n == "ref") => "ref".to_string(),
            _ => {
                let max = if r.below(5) == 0 { 40 } else { 10 };
                format!("{}{i}", r.word(1, max))
            }
        };
        let (ty, extra) = match r.below(10) {
            0 => ("string", format!("default: {}", yaml_str(&r.text(90)))),
            1 => {
                let vals: Vec<String> = (0..1 + r.below(3))
                    .map(|j| yaml_str(&format!("{}-{j} {}", r.word(1, 30), r.text(6))))
                    .collect();
                (
                    "string",
                    format!("default: {}\n        enum: [{}]", vals[0], vals.join(", ")),
                )
            }
            2 => (
                "integer",
                format!("default: {}\n        enum: [-3, {}, 70000]", -3, 5),
            ),
            3 => (
                "integer",
                format!("default: {}", r.below(1000) as i64 - 500),
            ),
            4 => ("number", "default: -2.25".to_string()),
            5 => ("boolean", "default: false".to_string()),
            6 => ("object", "default: {a: 1, b: [x]}".to_string()),
            7 => (
                "uuid",
                "default: 0d9f4ae6-5cb1-4c43-9b53-0a4c2a1f2d3e".to_string(),
            ),
            8 => ("string", "required: true\n        secret: true".to_string()),
            _ => ("string", "default: null".to_string()),
        };
        let _ = write!(
            inputs,
            "      - name: {name}\n        type: {ty}\n        {extra}\n        description: {}\n",
            yaml_str(&r.text(100))
        );
        names.push(name);
    }
    if !inputs.is_empty() {
        let _ = write!(out, "    inputs:\n{inputs}");
    }
    let service = if r.below(3) == 0 {
        "compute".to_string()
    } else {
        r.word(3, 40)
    };
    let mut path = format!("/{}", r.word(1, 30));
    for name in names.iter().take(r.below(3)) {
        let _ = write!(path, "/{{{name}}}/{}", r.word(0, 12));
    }
    let _ = write!(
        out,
        "    implementation:\n      service: {service}\n      path: {}\n",
        yaml_str(&path)
    );
    if service == "compute" {
        out.push_str("      microversions: {compute: \"2.79\", volumev3: \"3.0\"}\n");
    }
    match (r.below(3), names.first()) {
        (0, Some(expected)) => {
            let _ = write!(
                out,
                "      kind: assert_field\n      field: {}\n      expected: {expected}\n      subject: {}\n",
                r.word(1, 40),
                r.word(1, 30)
            );
        }
        (1, _) if !names.is_empty() => {
            let filters: Vec<&str> = names
                .iter()
                .take(1 + r.below(names.len()))
                .map(String::as_str)
                .collect();
            let _ = write!(
                out,
                "      kind: list_filter\n      items: {}\n      filters: [{}]\n",
                r.word(1, 30),
                filters.join(", ")
            );
        }
        _ => {
            let _ = write!(
                out,
                "      kind: get_field\n      field: {}\n",
                r.word(1, 50)
            );
        }
    }
}

#[test]
fn long_and_odd_actions_print_as_prettyplease_prints_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    std::fs::create_dir_all(dir.path().join("specs/actions/svc")).unwrap();
    for f in 0..12 {
        let mut text = String::from("actions:\n");
        for n in 0..10 {
            random_action(&mut r, &mut text, n);
        }
        let name = format!("{}{f}", r.word(1, if f % 4 == 0 { 60 } else { 8 }));
        std::fs::write(
            dir.path().join(format!("specs/actions/svc/{name}.yaml")),
            text,
        )
        .unwrap();
    }
    let model = load(dir.path());
    assert_eq!(check(&model), 120);
}
