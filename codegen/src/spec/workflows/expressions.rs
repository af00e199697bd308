//! Checks on every string of a workflow: balanced `<% %>` / `{{ }}` / `{% %}`, `$.x` and
//! `_.x` naming something declared, and plain YAML 1.1 booleans.

use std::collections::BTreeSet;

use super::offsets::sub_pos;
use crate::diagnostics::{Code, Diagnostic};
use crate::spec::reader::Ctx;
use crate::suggest::closest;
use crate::workflow::expr;
use crate::yaml::{Kind, Node};

/// Balanced delimiters in every string, and `$.x` / `_.x` naming something declared.
pub(super) fn check_expressions(
    ctx: &mut Ctx,
    src: &[char],
    body: &Node,
    declared: &BTreeSet<String>,
) {
    let mut strings = Vec::new();
    collect_strings(body, &mut strings);
    for (node, s) in strings {
        check_yaml11_boolean(ctx, src, node, s);
        let (_, problems) = expr::scan(s);
        for p in problems {
            ctx.error(
                Code::UnbalancedExpression,
                sub_pos(src, node, s, p.offset),
                p.message,
                "expressions are `<% YAQL %>`, `{{ Jinja }}` or `{% Jinja %}`",
            );
        }
        for (offset, name) in expr::context_refs(s) {
            if declared.contains(&name) {
                continue;
            }
            let help = match closest(&name, declared.iter().map(String::as_str)) {
                Some(c) => {
                    format!("did you mean `{c}`? Declare it in `input`, `vars` or a `publish`")
                }
                None => "declare it in `input`, `vars` or a `publish`".to_string(),
            };
            ctx.diags.push(
                Diagnostic::warning(
                    Code::UndeclaredVariable,
                    ctx.file,
                    sub_pos(src, node, s, offset),
                    format!(
                        "`{name}` is not declared by any input, var or publish of this workflow"
                    ),
                )
                .with_help(help),
            );
        }
    }
}

/// Mistral reads YAML 1.1 (PyYAML), where a plain `yes`/`no`/`on`/`off` is a boolean;
/// the specs are read as YAML 1.2, where it is a string. Refuse the ambiguity.
fn check_yaml11_boolean(ctx: &mut Ctx, src: &[char], node: &Node, s: &str) {
    const WORDS: [&str; 12] = [
        "yes", "Yes", "YES", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
    ];
    let plain = !matches!(src.get(node.pos.char_offset), Some('"' | '\'' | '|' | '>'));
    if plain && WORDS.contains(&s) {
        let b = matches!(s, "yes" | "Yes" | "YES" | "on" | "On" | "ON");
        ctx.error(
            Code::InvalidWorkflow,
            node.pos,
            format!(
                "plain `{s}` is the boolean {b} to Mistral (YAML 1.1) but a string to YAML 1.2"
            ),
            &format!("write `{b}`, or quote it (`'{s}'`) if you mean the text"),
        );
    }
}

fn collect_strings<'n>(node: &'n Node, out: &mut Vec<(&'n Node, &'n str)>) {
    match &node.kind {
        Kind::Str(s) => out.push((node, s)),
        Kind::Seq(items) => items.iter().for_each(|n| collect_strings(n, out)),
        Kind::Map(pairs) => {
            for (k, v) in pairs {
                collect_strings(k, out);
                collect_strings(v, out);
            }
        }
        _ => {}
    }
}
