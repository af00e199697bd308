//! One action's items: the enum types and input struct ([`input`]), and the handler, whose
//! body is what the action's implementation kind does.

use syn::{Expr, Item};

use super::attrs::doc;
use super::input::{self, Field};
use super::names;
use super::shells::Shells;
use super::syntax::{
    array, awaited, call_path, ident, let_stmt, method, pat, pat_empty_struct, pat_typed, path,
    question, reference, semi, string, tail, tuple, ty, var,
};
use crate::model::{path_parts, Action, PathPart};

/// The handler's name in its module: the last dotted part of the action's name (`r#` when
/// a keyword).
pub fn handler(action: &Action) -> String {
    names::ident(&names::snake(key(action)))
}

fn key(action: &Action) -> &str {
    action.name.rsplit('.').next().unwrap_or(&action.name)
}

/// The items of `action`, in the order they print, filled in from `shells`.
pub fn items(action: &Action, shells: &mut Shells) -> Vec<Item> {
    let key = key(action);
    let camel = names::camel(key).unwrap_or_else(|| "Action".into());
    let input_ty = format!("{camel}Input");
    let fields = Field::all(&camel, &action.inputs);

    let mut items = Vec::new();
    for f in &fields {
        if let Some(enum_ty) = &f.enum_ty {
            items.extend(input::enum_items(shells, f, enum_ty, &action.name));
        }
    }
    input::input_struct(&mut items, &fields, key, &input_ty, &action.name);

    let parse = question(call_path("rt::input::parse", [var("input")]));
    let pattern = if fields.is_empty() {
        pat_empty_struct(path(&input_ty))
    } else {
        pat_typed(ident("input"), ty(&input_ty))
    };
    let mut stmts = vec![let_stmt(pattern, parse)];
    for f in &fields {
        if let (Some(values), None) = (&f.input.enum_values, &f.enum_ty) {
            let allowed = serde_json::Value::Array(values.clone()).to_string();
            let check = call_path(
                "rt::input::one_of",
                [string(&f.input.name), f.value_ref(), string(&allowed)],
            );
            stmts.push(semi(question(check)));
        }
    }
    // The versions the spec names go with every request the action makes.
    if !action.microversions.is_empty() {
        let pairs = action
            .microversions
            .iter()
            .map(|m| tuple([string(&m.service), string(&m.version)]));
        let with = method(var("ctx"), "with_microversions", [reference(array(pairs))]);
        stmts.push(let_stmt(pat(ident("ctx")), reference(with)));
    }
    stmts.push(tail(awaited(body(action, &fields))));

    let doc = doc(&format!("`{}`: {}", action.name, action.description)).collect();
    items.push(shells.handler(doc, &handler(action), stmts));
    items
}

/// What a kind's call ([`crate::kinds::Kind::call`]) can use of the action's inputs.
pub(crate) struct Inputs<'a>(&'a [Field<'a>]);

impl Inputs<'_> {
    /// `input.name` as a value that serialises (a secret exposed: the call uses it).
    pub fn value(&self, name: &str) -> Expr {
        find(self.0, name).value_ref()
    }

    /// The request path (a `&str`) with the inputs in it.
    pub fn path(&self, path: &str) -> Expr {
        path_expr(path, self.0)
    }

    /// `ctx` and every input as a custom function receives them, in spec order.
    pub fn custom_args(&self) -> impl Iterator<Item = Expr> + '_ {
        std::iter::once(var("ctx")).chain(self.0.iter().map(Field::custom_arg))
    }
}

/// The call the handler awaits: what the implementation kind does.
fn body(action: &Action, fields: &[Field]) -> Expr {
    action.implementation.call(&Inputs(fields))
}

/// The request path (a `&str`): the spec's text with each `{input}` replaced by that input,
/// percent-encoded.
fn path_expr(path: &str, fields: &[Field]) -> Expr {
    if !path.contains('{') && !path.is_empty() {
        return string(path);
    }
    let parts = path_parts(path).into_iter().map(|part| match part {
        PathPart::Text(text) => string(text),
        PathPart::Input(name) => {
            let value = call_path("rt::helpers::path_arg", [find(fields, name).value_ref()]);
            method(value, "as_str", [])
        }
    });
    reference(method(array(parts), "concat", []))
}

/// The field of the input called `name`.
fn find<'f, 'a>(fields: &'f [Field<'a>], name: &str) -> &'f Field<'a> {
    fields
        .iter()
        .find(|f| f.input.name == name)
        .expect("the spec checked the input names the implementation uses")
}
