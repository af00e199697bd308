//! The Workflows part of the catalog: every workflow documented with its graph, every
//! action linked both ways, every workflow check listed.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn section<'a>(text: &'a str, anchor: &str) -> &'a str {
    let start = text
        .find(&format!("<a id=\"{anchor}\"></a>"))
        .unwrap_or_else(|| panic!("no section #{anchor}"));
    let rest = &text[start + 1..];
    let end = rest
        .find("<a id=")
        .or_else(|| rest.find("\n## "))
        .unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn each_workflow_has_its_inputs_actions_and_graph() {
    let (model, _, files) = codegen::generate(&root()).expect("the specs are valid");
    let text = files.get("catalog.md").unwrap();
    assert!(!model.workflows.is_empty());
    for w in model.workflows.iter() {
        let s = section(text, &format!("workflow-{}", w.name));
        for i in &w.inputs {
            assert!(
                s.contains(&format!("| `{}` |", i.name)),
                "{}: input {}",
                w.name,
                i.name
            );
        }
        assert!(
            s.contains("```mermaid\nflowchart TD\n"),
            "{}: no graph",
            w.name
        );
        for t in &w.tasks {
            assert!(
                s.contains(&format!("    t_{}[\"{}", t.name, t.name)),
                "{}: task {}",
                w.name,
                t.name
            );
            for e in &t.transitions {
                assert!(
                    s.contains(&format!("t_{} -->|{}", t.name, e.on)),
                    "{}: edge {:?}",
                    w.name,
                    e
                );
            }
        }
        for a in w.actions_used() {
            if model.action(a).is_some() {
                assert!(
                    s.contains(&format!("](#action-{a})")),
                    "{}: action {a} not linked",
                    w.name
                );
                let back = section(text, &format!("action-{a}"));
                assert!(
                    back.contains(&format!("[`{}`](#workflow-{})", w.name, w.name)),
                    "action {a} does not list workflow {}",
                    w.name
                );
            } else {
                assert!(
                    s.contains(&format!("`{a}` (Mistral builtin)")),
                    "{}: builtin {a}",
                    w.name
                );
            }
        }
    }
}

#[test]
fn the_checks_are_listed() {
    let (_, _, files) = codegen::generate(&root()).unwrap();
    let text = files.get("catalog.md").unwrap();
    for (code, _, _) in codegen::workflow::CHECKS {
        assert!(
            text.contains(&format!("| {code} |")),
            "{code} missing from the catalog"
        );
    }
    assert!(codegen::workflow::CHECKS.len() >= 14);
}
