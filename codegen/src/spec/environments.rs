//! `specs/environments/**.yaml`: Mistral environments, the variables an execution reads
//! with `env()`. A value may name where `apply` reads it (`{from_env: NAME}`,
//! `{from_file: PATH}`), so that secrets such as the action server's
//! `mistral_actions_token` never sit in the specs, in generated/ or in a plan.

use mistral_actions_contract::ownership;

use super::names::check_deployment_name as check_name;
use super::reader::{Ctx, Fields};
use crate::diagnostics::Code;
use crate::model::{Environment, Origin, Variable};
use crate::yaml::{Kind, Node, Pos};

const FILE_KEYS: &[&str] = &["environments"];
const KEYS: &[&str] = &["description", "variables"];

/// An environment as read, with where its name is (for duplicate reports).
pub struct Parsed {
    pub environment: Environment,
    pub name_pos: Pos,
}

pub fn parse_file(ctx: &mut Ctx, root: &Node) -> Vec<Parsed> {
    let fill = "add `environments:` with at least one environment, or delete the file";
    let Some(mut fields) = Fields::of_file(ctx, root, "an environments file", fill) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(node) = fields.require(ctx, "environments") {
        if let Some(mut all) = Fields::new(ctx, node, "`environments`") {
            for (name, key, body) in all.entries() {
                out.extend(parse_environment(ctx, name, key, body));
            }
        }
    }
    fields.finish(ctx, FILE_KEYS);
    out
}

fn parse_environment(ctx: &mut Ctx, name: &str, key: &Node, body: &Node) -> Option<Parsed> {
    let what = format!("environment `{name}`");
    check_name(ctx, "environment", name, key.pos);
    let mut f = Fields::new(ctx, body, &what)?;
    let description = f
        .require(ctx, "description")
        .and_then(|n| ctx.string(n, "description"))
        .map(|d| d.trim_end().to_string());
    let mut variables = Vec::new();
    if let Some(node) = f.require(ctx, "variables") {
        if let Some(mut vars) = Fields::new(ctx, node, &format!("the variables of {what}")) {
            for (var, var_key, value) in vars.entries() {
                if var == ownership::ENVIRONMENT_VARIABLE {
                    ctx.error(
                        Code::InvalidValue,
                        var_key.pos,
                        format!("`{var}` is the variable apply marks its environments with"),
                        "choose another name; apply sets this one itself",
                    );
                    continue;
                }
                if let Some(v) = variable(ctx, var, value) {
                    variables.push((var.to_string(), v));
                }
            }
        }
    }
    f.finish(ctx, KEYS);
    variables.sort_by(|a, b| a.0.cmp(&b.0));
    Some(Parsed {
        environment: Environment {
            name: name.to_string(),
            origin: Origin {
                file: crate::paths::slash(ctx.file),
                line: key.pos.line,
            },
            description: description?,
            variables,
        },
        name_pos: key.pos,
    })
}

/// A literal, or a one-key mapping `from_env: NAME` / `from_file: PATH`.
fn variable(ctx: &mut Ctx, name: &str, node: &Node) -> Option<Variable> {
    if let Kind::Map(pairs) = &node.kind {
        if let [(k, v)] = pairs.as_slice() {
            let source = k.as_str();
            if matches!(source, Some("from_env" | "from_file")) {
                return reference(ctx, name, source?, v);
            }
        }
        let refers = pairs
            .iter()
            .find(|(k, _)| matches!(k.as_str(), Some("from_env" | "from_file")));
        if let Some((k, _)) = refers {
            ctx.error(
                Code::InvalidVariableReference,
                k.pos,
                format!("variable `{name}` mixes `{}` with other keys", k.as_str().unwrap_or("")),
                "a reference is a mapping with exactly one key: `{from_env: NAME}` or `{from_file: PATH}`",
            );
            return None;
        }
    }
    ctx.json(node, name).map(Variable::Literal)
}

fn reference(ctx: &mut Ctx, name: &str, source: &str, value: &Node) -> Option<Variable> {
    let text = ctx.string(value, source)?;
    if source == "from_env" {
        let valid = text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            ctx.error(
                Code::InvalidVariableReference,
                value.pos,
                format!("variable `{name}` reads `{text}`, which is not an environment variable name"),
                "name a variable of ASCII letters, digits and `_`, not starting with a digit, e.g. `MISTRAL_ACTIONS_TOKEN`",
            );
            return None;
        }
        return Some(Variable::FromEnv(text));
    }
    if text.trim().is_empty() || text.contains('\0') {
        ctx.error(
            Code::InvalidVariableReference,
            value.pos,
            format!("variable `{name}` reads from an empty file path"),
            "name the file apply reads the value from, e.g. `/etc/mistral-actions/token`",
        );
        return None;
    }
    Some(Variable::FromFile(text))
}
