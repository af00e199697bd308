//! The fast reader against the yaml-rust2 path: whenever the fast reader accepts a text, the
//! tree (kinds, values and every position) must be the one yaml-rust2 gives.

use std::path::Path;

use proptest::prelude::*;
use proptest::strategy::ValueTree;

use super::{fast, parse_events, Kind, Node};

const BUDGET: usize = 1_000_000;

/// Whether the fast reader took `text`; panics when it took it and disagrees.
fn same(text: &str) -> bool {
    let slow = parse_events(text, BUDGET);
    match fast::parse(text, BUDGET) {
        Some(node) => {
            assert_eq!(Ok(node), slow, "the readers disagree on:\n{text}");
            true
        }
        None => false,
    }
}

fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| !matches!(e.file_name().to_str(), Some("target" | ".git")))
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect()
}

#[test]
fn every_yaml_file_of_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = yaml_files(&root);
    assert!(files.len() > 10, "found only {files:?}");
    for file in files {
        // codegen/tests/cases/files holds a Latin-1 spec on purpose (MA031): no text to read.
        let Ok(text) = String::from_utf8(std::fs::read(&file).unwrap()) else {
            continue;
        };
        let taken = same(&text);
        // The specs are the subset by design: they must not fall back to the slow path.
        if file.starts_with(root.join("specs")) {
            assert!(taken, "the fast reader declined {}", file.display());
        }
    }
}

#[test]
fn the_synthetic_corpus() {
    let dir = tempfile::tempdir().unwrap();
    crate::synthetic::write(dir.path(), 400, 100).unwrap();
    let files = yaml_files(dir.path());
    assert!(files.len() > 10);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(same(&text), "the fast reader declined {}", file.display());
    }
}

/// Plain scalars the core schema types, and strings that look like them.
const PLAIN: &[&str] = &[
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "true",
    "True",
    "TRUE",
    "tRUE",
    "false",
    "False",
    "FALSE",
    "yes",
    "no",
    "on",
    "off",
    "0",
    "-0",
    "+1",
    "007",
    "1_000",
    "0x1f",
    "0o17",
    "0b1",
    "1e3",
    "1E3",
    "1e-3",
    "-1.5e+3",
    "1.",
    ".5",
    "-.5",
    "1.2.3",
    "1e",
    "e1",
    ".inf",
    "-.inf",
    ".nan",
    "inf",
    "NaN",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "12:30",
    "1-2",
    "--1",
    "+",
    "-",
    ".",
    "a b",
    "a#b",
    "a:b",
    "a: b",
    "a #b",
    "-a",
    ":a",
    "?a",
    "héllo wörld",
    "日本",
    "x,y",
    "x]",
    "a{b}",
    "<% $.x %>",
    "http://h:1/p?q=1#f",
];

#[test]
fn scalars_are_typed_as_yaml_rust2_types_them() {
    for v in PLAIN {
        for text in [
            format!("k: {v}\n"),
            format!("- {v}\n"),
            format!("{v}\n"),
            format!("k: [{v}]\n"),
            format!("k: {{a: {v}}}\n"),
            format!("{v}: 1\n"),
            format!("k: '{v}'\n"),
            format!("k: \"{v}\"\n"),
        ] {
            same(&text);
        }
    }
    for (text, kind) in [
        ("k: 0x1f\n", Kind::Str("0x1f".into())),
        ("k: 1e3\n", Kind::Float(1000.0)),
        ("k: .inf\n", Kind::Str(".inf".into())),
        ("k: ~\n", Kind::Null),
        ("k: True\n", Kind::Bool(true)),
        ("k: -12\n", Kind::Int(-12)),
        ("k: '12'\n", Kind::Str("12".into())),
        ("k: |\n  12\n", Kind::Str("12\n".into())),
    ] {
        let node = fast::parse(text, BUDGET).expect(text);
        assert_eq!(node.get("k").map(|n| &n.kind), Some(&kind), "{text}");
        assert!(same(text));
    }
}

#[test]
fn hand_picked_shapes() {
    let taken = [
        "a:\nb: 1\n",
        "a:\n  - x\n  -\n  - y\nb:\n",
        "a:\n- x\n- y\nb: 2\n",
        "- a: 1\n  b: 2\n- - x\n  - y\n-\n",
        "a: |\n  one\n\n  two\n   three\n\n\nb: >-\n  folded\n  text\n\n  para\n",
        "a: |+\n  keep\n\n\nb: |2-\n    strip\n",
        "a: >\n  x\n\n   more\n  y\n",
        "a: 'it''s'   # comment\nb: \"tab\\tand \\u00e9 \\x41 \\\\ \\\" \\/\"\n",
        "k: {volumev3: \"3.0\", b: 'c'}\nt: [bench, get, 'x y', \"z\"]\ne: []\nf: {}\n",
        "# top\n\na:   # after key\n  # between\n  b: 1 # after value\n\n",
        "  indented: root\n  second: 2\n",
        "é: ü\nü: [é, ö]\n",
    ];
    for text in taken {
        assert!(same(text), "declined:\n{text}");
    }
    let declined = [
        "a: &x 1\nb: *x\n",
        "a: !!str 1\n",
        "? a\n: b\n",
        "---\na: 1\n",
        "a: 1\n---\nb: 2\n",
        "a:\tb\n",
        "a: 1\r\n",
        "a: b\n  c\n",
        "a: 'b\n  c'\n",
        "a: [b,\n  c]\n",
        "a: 1",
        "",
        "# only a comment\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "- a\nb: 1\n",
        "a: |\n\n",
        "a: |0\n  x\n",
        "a: |\n  é\n",
        "a: \"\\q\"\n",
        "[a, b]: c\n",
        "a: [b, ]\n",
    ];
    for text in declined {
        assert!(!same(text), "taken:\n{text}");
    }
}

/// A spec-like document: nested mappings and sequences of scalars in every style.
fn scalar() -> impl Strategy<Value = String> {
    let plain = proptest::sample::select(PLAIN).prop_map(str::to_owned);
    let text = "[a-zA-Z0-9 #:,'\"\\\\é{}\\[\\]_.-]{0,12}";
    prop_oneof![
        3 => plain,
        1 => text.prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        1 => text.prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        1 => text,
        1 => proptest::collection::vec(proptest::sample::select(PLAIN), 0..4)
            .prop_map(|v| format!("[{}]", v.join(", "))),
        1 => proptest::collection::vec(proptest::sample::select(PLAIN), 0..3)
            .prop_map(|v| format!("{{{}}}", v.iter().enumerate().map(|(i, s)| format!("k{i}: {s}")).collect::<Vec<_>>().join(", "))),
        1 => Just(String::new()),
    ]
}

#[derive(Debug, Clone)]
enum Tree {
    Leaf(String),
    Block(String, Vec<String>),
    Map(Vec<(String, Tree)>),
    Seq(Vec<Tree>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let header = "[|>]([+-]?[1-4]?|[1-4]?[+-]?)( # c)?";
    let lines = proptest::collection::vec("( {0,3}[a-z #:'-]{0,8}|)", 0..5);
    let leaf = prop_oneof![
        4 => scalar().prop_map(Tree::Leaf),
        1 => (header, lines).prop_map(|(h, l)| Tree::Block(h, l)),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            proptest::collection::vec(("[a-z_]{1,6}|'[a z]{1,3}'|\"k:\"", inner.clone()), 1..5)
                .prop_map(Tree::Map),
            proptest::collection::vec(inner, 1..5).prop_map(Tree::Seq),
        ]
    })
}

/// Writes `tree` as the value after a key or `-` whose collection is at column `col`.
fn render(out: &mut String, tree: &Tree, col: usize, step: usize, comments: bool) {
    let pad = " ".repeat(col + step);
    match tree {
        Tree::Leaf(s) => {
            out.push(' ');
            out.push_str(s);
            if comments {
                out.push_str(" # note");
            }
            out.push('\n');
        }
        Tree::Block(header, lines) => {
            out.push(' ');
            out.push_str(header);
            out.push('\n');
            for line in lines {
                if !line.is_empty() {
                    out.push_str(&pad);
                }
                out.push_str(line);
                out.push('\n');
            }
        }
        Tree::Map(pairs) => {
            out.push('\n');
            if comments {
                out.push_str(&pad[1..]);
                out.push_str("# a comment\n\n");
            }
            for (k, v) in pairs {
                out.push_str(&pad);
                out.push_str(k);
                out.push(':');
                render(out, v, col + step, step, comments);
            }
        }
        Tree::Seq(items) => {
            out.push('\n');
            for v in items {
                out.push_str(&pad);
                out.push('-');
                render(out, v, col + step, step, comments);
            }
        }
    }
}

fn document() -> impl Strategy<Value = String> {
    let pairs = proptest::collection::vec(("[a-z]{1,5}", tree()), 1..5);
    (pairs, 1usize..5, any::<bool>()).prop_map(|(pairs, step, comments)| {
        let mut text = String::new();
        for (k, v) in &pairs {
            text.push_str(k);
            text.push(':');
            render(&mut text, v, 0, step, comments);
        }
        text
    })
}

/// A good share of the generated documents (a quarter today; the rest hold errors or
/// constructs it declines) must go through the fast reader, or the property would test little.
#[test]
fn most_generated_documents_are_taken() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = document();
    let taken = (0..500)
        .filter(|_| same(&strategy.new_tree(&mut runner).unwrap().current()))
        .count();
    assert!(taken >= 100, "only {taken} of 500 taken");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn spec_like_documents(text in document()) {
        same(&text);
    }

    #[test]
    fn yaml_ish_noise(text in "([a-c0-9]|: |:|- |-|#| |\n|  |'|\"|\\\\|[|]|\\{|\\}|, |\\||>|[+]|é|~){0,40}\n") {
        same(&text);
    }
}

#[test]
fn the_budget_is_kept() {
    let text = "- a\n- b\n- c\n";
    assert_eq!(fast::parse(text, 3), None);
    let node: Node = fast::parse(text, 4).unwrap();
    assert_eq!(node.pos.line, 1);
}
