//! A plan as text: each step with its changes (a unified diff for definitions, one line
//! per field otherwise), what is kept or blocked, and a summary line.

use std::fmt::Write as _;

use similar::TextDiff;

use super::{Change, Op, Plan, Step};

fn sign(op: Op) -> &'static str {
    match op {
        Op::Create => "+",
        Op::Update => "~",
        Op::Replace => "-/+",
        Op::Delete => "-",
    }
}

fn step(out: &mut String, s: &Step) {
    let _ = write!(out, "  {} {} {}", sign(s.op), s.kind.word(), s.name);
    match (&s.op, &s.id) {
        (Op::Replace, _) => out.push_str(" (replaced: Mistral has no update for cron triggers)"),
        (Op::Delete, _) => out.push_str(" (ours, not in the specs)"),
        _ => {}
    }
    out.push('\n');
    for change in &s.changes {
        match change {
            Change::Field { field, old, new } => {
                let _ = match (old, new) {
                    (None, Some(new)) => writeln!(out, "      {field}: {new}"),
                    (Some(old), Some(new)) => writeln!(out, "      {field}: {old} → {new}"),
                    (Some(old), None) => writeln!(out, "      {field}: {old} → (none)"),
                    (None, None) => Ok(()),
                };
            }
            Change::Text { old, new, file } => {
                let diff = TextDiff::from_lines(old, new);
                let text = diff
                    .unified_diff()
                    .context_radius(2)
                    .header(&format!("{} {} (in Mistral)", s.kind.word(), s.name), file)
                    .to_string();
                for line in text.lines() {
                    let _ = writeln!(out, "      {line}");
                }
            }
            Change::Note(note) => {
                let _ = writeln!(out, "      note: {note}");
            }
        }
    }
}

/// The plan; `header` first (where, who).
pub fn text(plan: &Plan, header: &str) -> String {
    let mut out = format!("{header}\n\n");
    for s in &plan.steps {
        step(&mut out, s);
    }
    if !plan.steps.is_empty() {
        out.push('\n');
    }
    if !plan.kept.is_empty() {
        let names: Vec<String> = plan
            .kept
            .iter()
            .map(|(k, n)| format!("{} {n}", k.word()))
            .collect();
        let _ = writeln!(
            out,
            "Kept (ours, no longer in the specs; `--prune` deletes them): {}",
            names.join(", ")
        );
    }
    for b in &plan.blocked {
        let _ = writeln!(
            out,
            "Not deleted: {} {} ({}): {}",
            b.kind.word(),
            b.name,
            b.id,
            b.why
        );
    }
    for note in &plan.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    let [create, update, replace, delete] = plan.counts();
    if plan.changes() {
        let _ = writeln!(
            out,
            "Plan: {create} to create, {update} to update, {replace} to replace, {delete} to delete."
        );
    } else {
        out.push_str("No changes: Mistral holds what the specs ask.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Kind, Step};
    use super::*;

    #[test]
    fn definitions_show_as_a_unified_diff_and_fields_as_arrows() {
        let plan = Plan {
            steps: vec![
                Step {
                    op: Op::Update,
                    kind: Kind::Workflow,
                    name: "flow".into(),
                    id: Some("w1".into()),
                    changes: vec![Change::Text {
                        old: "a\nb\n".into(),
                        new: "a\nc\n".into(),
                        file: "workflows/flow.yaml".into(),
                    }],
                },
                Step {
                    op: Op::Replace,
                    kind: Kind::Trigger,
                    name: "nightly".into(),
                    id: Some("t1".into()),
                    changes: vec![Change::Field {
                        field: "pattern".into(),
                        old: Some("\"0 2 * * *\"".into()),
                        new: Some("\"0 3 * * *\"".into()),
                    }],
                },
            ],
            ..Plan::default()
        };
        let text = text(&plan, "header");
        assert!(text.contains("  ~ workflow flow\n"), "{text}");
        assert!(text.contains("+++ workflows/flow.yaml"), "{text}");
        assert!(text.contains("      -b\n      +c\n"), "{text}");
        assert!(text.contains("-/+ cron trigger nightly"), "{text}");
        assert!(
            text.contains("pattern: \"0 2 * * *\" → \"0 3 * * *\""),
            "{text}"
        );
        assert!(text.ends_with("Plan: 0 to create, 1 to update, 1 to replace, 0 to delete.\n"));
        assert!(super::text(&Plan::default(), "h").contains("No changes"));
    }
}
