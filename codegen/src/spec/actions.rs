//! `specs/actions/**.yaml`: one file per resource, holding its actions.

use serde_json::Value;

use super::microversions;
use super::names;
use super::reader::{Ctx, Fields};
use crate::diagnostics::Code;
use crate::model::{
    Action, Deprecation, Example, Implementation, Input, InputType, Origin, Output,
};
use crate::yaml::{Node, Pos};

const FILE_KEYS: &[&str] = &["actions"];
const ACTION_KEYS: &[&str] = &[
    "name",
    "description",
    "inputs",
    "output",
    "tags",
    "deprecated",
    "implementation",
    "examples",
];
const INPUT_KEYS: &[&str] = &[
    "name",
    "type",
    "required",
    "default",
    "enum",
    "secret",
    "description",
];

/// An action as read from its file, before cross-file checks.
pub struct ParsedAction {
    pub action: Action,
    /// Where the action's key is, for duplicate and collision reports.
    pub name_pos: Pos,
    pub replaced_by_pos: Option<Pos>,
    /// Where a `custom` implementation names its function.
    pub function_pos: Option<Pos>,
}

/// Reads one actions file. `name_prefix` is `<prefix>.<path segments>`, derived from
/// the file's place under `specs/actions/`.
pub fn parse_file(ctx: &mut Ctx, root: &Node, name_prefix: &str) -> Vec<ParsedAction> {
    let fill = "add `actions:` with at least one action, or delete the file";
    let Some(mut fields) = Fields::of_file(ctx, root, "an actions file", fill) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(actions) = fields.require(ctx, "actions") {
        if let Some(mut actions) = Fields::new(ctx, actions, "`actions`") {
            for (short, key, body) in actions.entries() {
                let derived = format!("{name_prefix}.{short}");
                if let Some(parsed) = parse_action(ctx, &derived, key, body) {
                    out.push(parsed);
                }
            }
        }
    }
    fields.finish(ctx, FILE_KEYS);
    out
}

fn parse_action(ctx: &mut Ctx, derived: &str, key: &Node, body: &Node) -> Option<ParsedAction> {
    let what = format!("action `{derived}`");
    let mut f = Fields::new(ctx, body, &what)?;
    let mut ok = true;

    names::check_action_name(ctx, derived, key.pos);
    if let Some(node) = f.get("name") {
        if let Some(explicit) = ctx.string(node, "name") {
            if explicit != derived {
                ctx.error(
                    Code::NameMismatch,
                    node.pos,
                    format!("`name: {explicit}` differs from `{derived}`, the name this file's path gives"),
                    &format!("write `name: {derived}`, or move the action to the file its name implies"),
                );
            }
        }
    }

    let description = f
        .require(ctx, "description")
        .and_then(|n| ctx.string(n, "description"))
        .map(|d| d.trim_end().to_string());
    if description.as_deref().is_some_and(|d| d.trim().is_empty()) {
        ctx.error(
            Code::InvalidValue,
            f.pos,
            format!("{what} has an empty description"),
            "its first line is the summary shown in the catalog; say what the action does",
        );
    }
    ok &= description.is_some();

    let mut inputs = Vec::new();
    if let Some(list) = f.get("inputs") {
        for item in ctx.seq(list, "inputs") {
            match parse_input(ctx, item, &inputs) {
                Some(input) => inputs.push(input),
                None => ok = false,
            }
        }
    }

    let output = match f.get("output") {
        None => Some(Output {
            ty: InputType::Any,
            description: String::new(),
        }),
        Some(node) => parse_output(ctx, node),
    };
    ok &= output.is_some();

    let mut tags = f
        .get("tags")
        .map(|n| ctx.strings(n, "tags"))
        .unwrap_or_default();
    tags.sort();
    tags.dedup();

    let (deprecated, replaced_by_pos) = match f.get("deprecated") {
        None => (None, None),
        Some(node) => parse_deprecation(ctx, node),
    };

    let implementation_node = f.require(ctx, "implementation");
    let implementation = implementation_node.and_then(|n| parse_implementation(ctx, n, &inputs));
    let microversions_node = implementation_node.and_then(|n| n.get("microversions"));
    let microversions = microversions::parse(ctx, microversions_node);
    if let (Some(imp), Some(node)) = (&implementation, implementation_node) {
        let at = node.get("kind").map_or(node.pos, |k| k.pos);
        microversions::check_declared(ctx, imp, microversions_node, at);
    }
    let function_pos = implementation_node
        .and_then(|n| n.get("function"))
        .map(|n| n.pos);
    ok &= implementation.is_some();

    let examples = f
        .get("examples")
        .map(|n| {
            ctx.seq(n, "examples")
                .iter()
                .filter_map(|e| parse_example(ctx, e))
                .collect()
        })
        .unwrap_or_default();

    f.finish(ctx, ACTION_KEYS);
    if !ok {
        return None;
    }
    Some(ParsedAction {
        action: Action {
            name: derived.to_string(),
            origin: Origin {
                file: crate::paths::slash(ctx.file),
                line: key.pos.line,
            },
            description: description?,
            inputs,
            output: output?,
            tags,
            deprecated,
            implementation: implementation?,
            microversions,
            examples,
        },
        name_pos: key.pos,
        replaced_by_pos,
        function_pos,
    })
}

fn parse_input(ctx: &mut Ctx, node: &Node, earlier: &[Input]) -> Option<Input> {
    let mut f = Fields::new(ctx, node, "an input")?;
    let name_node = f.require(ctx, "name");
    let name = name_node.and_then(|n| ctx.string(n, "name"));
    if let (Some(n), Some(name)) = (name_node, &name) {
        names::check_input_name(ctx, name, n.pos);
        if earlier.iter().any(|i| &i.name == name) {
            ctx.error(
                Code::DuplicateInput,
                n.pos,
                format!("input `{name}` is declared twice"),
                "rename or remove one of them",
            );
        }
    }
    let ty_node = f.require(ctx, "type");
    let ty = ty_node.and_then(|n| {
        let s = ctx.string(n, "type")?;
        let ty = InputType::parse(&s);
        if ty.is_none() {
            let known: Vec<_> = InputType::ALL.iter().map(|t| t.as_str()).collect();
            ctx.error(
                Code::InvalidValue,
                n.pos,
                format!("unknown input type `{s}`"),
                &format!("use one of: {}", known.join(", ")),
            );
        }
        ty
    });
    let required = f.get("required").and_then(|n| ctx.bool(n, "required"));
    let secret = f
        .get("secret")
        .and_then(|n| ctx.bool(n, "secret"))
        .unwrap_or(false);
    let description = f
        .get("description")
        .and_then(|n| ctx.string(n, "description"))
        .unwrap_or_default();
    let enum_node = f.get("enum");
    let enum_values: Option<Vec<(Value, Pos)>> = enum_node.map(|n| {
        ctx.seq(n, "enum")
            .iter()
            .filter_map(|v| Some((ctx.json(v, "enum")?, v.pos)))
            .collect()
    });
    let default_node = f.get("default");
    let default = default_node.and_then(|n| ctx.json(n, "default"));
    f.finish(ctx, INPUT_KEYS);

    let name = name?;
    let ty = ty?;
    if let (Some(values), Some(n)) = (&enum_values, enum_node) {
        if values.is_empty() {
            ctx.error(
                Code::InvalidValue,
                n.pos,
                format!("input `{name}` has an empty `enum`"),
                "list the accepted values, or remove `enum`",
            );
        }
        for (value, pos) in values {
            if !ty.accepts(value) {
                ctx.error(
                    Code::DefaultTypeMismatch,
                    *pos,
                    format!(
                        "enum value {value} of input `{name}` is not of type `{}`",
                        ty.as_str()
                    ),
                    "make every enum value match the input's type",
                );
            }
        }
    }
    let default = match (required, default_node) {
        (Some(true), Some(n)) => {
            ctx.error(
                Code::RequiredWithDefault,
                n.pos,
                format!("input `{name}` is required and has a default"),
                "remove `default`, or remove `required: true` to make the input optional",
            );
            return None;
        }
        (_, Some(n)) => {
            let value = default?;
            check_default(ctx, &name, ty, &value, enum_values.as_deref(), n.pos);
            if secret && !value.is_null() {
                ctx.error(
                    Code::SecretWithDefault,
                    n.pos,
                    format!("secret input `{name}` has a default"),
                    "a default is published in the SQL and the catalog; pass secrets from Mistral's environment instead",
                );
            }
            Some(value)
        }
        (Some(false), None) => Some(Value::Null),
        (_, None) => None,
    };
    Some(Input {
        name,
        ty,
        default,
        enum_values: enum_values.map(|v| v.into_iter().map(|(v, _)| v).collect()),
        secret,
        description,
    })
}

fn check_default(
    ctx: &mut Ctx,
    name: &str,
    ty: InputType,
    value: &Value,
    enum_values: Option<&[(Value, Pos)]>,
    pos: Pos,
) {
    if value.is_null() {
        return;
    }
    if !ty.accepts(value) {
        ctx.error(
            Code::DefaultTypeMismatch,
            pos,
            format!(
                "default {value} of input `{name}` is not of type `{}`",
                ty.as_str()
            ),
            &format!("write a {} default, or change `type`", ty.as_str()),
        );
        return;
    }
    if let Some(values) = enum_values {
        if !values.iter().any(|(v, _)| v == value) {
            let listed: Vec<String> = values.iter().map(|(v, _)| v.to_string()).collect();
            ctx.error(
                Code::DefaultNotInEnum,
                pos,
                format!("default {value} of input `{name}` is not one of its `enum` values"),
                &format!("use one of: {}", listed.join(", ")),
            );
        }
    }
}

fn parse_output(ctx: &mut Ctx, node: &Node) -> Option<Output> {
    let mut f = Fields::new(ctx, node, "`output`")?;
    let ty = f.require(ctx, "type").and_then(|n| {
        let s = ctx.string(n, "output type")?;
        let ty = InputType::parse(&s);
        if ty.is_none() {
            ctx.error(
                Code::InvalidValue,
                n.pos,
                format!("unknown output type `{s}`"),
                "use one of: string, integer, number, boolean, object, array, uuid, any",
            );
        }
        ty
    });
    let description = f
        .get("description")
        .and_then(|n| ctx.string(n, "description"))
        .unwrap_or_default();
    f.finish(ctx, &["type", "description"]);
    Some(Output {
        ty: ty?,
        description,
    })
}

fn parse_deprecation(ctx: &mut Ctx, node: &Node) -> (Option<Deprecation>, Option<Pos>) {
    let Some(mut f) = Fields::new(ctx, node, "`deprecated`") else {
        return (None, None);
    };
    let since = f.get("since").and_then(|n| ctx.string(n, "since"));
    let replaced = f.get("replaced_by");
    let replaced_by = replaced.and_then(|n| ctx.string(n, "replaced_by"));
    let message = f.get("message").and_then(|n| ctx.string(n, "message"));
    f.finish(ctx, &["since", "replaced_by", "message"]);
    (
        Some(Deprecation {
            since,
            replaced_by,
            message,
        }),
        replaced.map(|n| n.pos),
    )
}

/// `implementation:`: its `kind` picks the reader ([`crate::kinds`]); `microversions` is
/// read with the action ([`microversions::parse`]).
fn parse_implementation(ctx: &mut Ctx, node: &Node, inputs: &[Input]) -> Option<Implementation> {
    let mut f = Fields::new(ctx, node, "`implementation`")?;
    let kind_node = f.require(ctx, "kind")?;
    let kind = ctx.string(kind_node, "kind")?;
    f.get("microversions");
    let Some(read) = Implementation::read(&kind, ctx, &mut f, inputs) else {
        ctx.error(
            Code::InvalidValue,
            kind_node.pos,
            format!("unknown implementation kind `{kind}`"),
            &format!("use one of: {}", Implementation::WORDS.join(", ")),
        );
        return None;
    };
    let known: Vec<&str> = ["kind", "microversions"]
        .into_iter()
        .chain(Implementation::keys(&kind).iter().copied())
        .collect();
    f.finish(ctx, &known);
    read
}

fn parse_example(ctx: &mut Ctx, node: &Node) -> Option<Example> {
    let mut f = Fields::new(ctx, node, "an example")?;
    let title = f.require(ctx, "title").and_then(|n| ctx.string(n, "title"));
    let workflow = f
        .require(ctx, "workflow")
        .and_then(|n| ctx.string(n, "workflow"));
    f.finish(ctx, &["title", "workflow"]);
    Some(Example {
        title: title?,
        workflow: workflow?.trim_end().to_string(),
    })
}
