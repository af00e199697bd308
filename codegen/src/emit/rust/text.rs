//! One action's items written as text, in prettyplease's layout: the fixed parts as they
//! always print, the expression statements through [`super::pretty`].
//!
//! Mirrors [`super::action::emit`] (the syn version, kept as the reference the tests hold
//! this to and as the fallback): returns `None` wherever a line might be long enough for
//! prettyplease to break a part this module writes as fixed text, or for an
//! implementation kind it does not write, and the module is then printed through syn
//! instead. Identical bytes either way.

use serde_json::Value;

use super::action::{enum_type, optional, rust_type, variant_names};
use super::names;
use super::pretty::{self, call, field, method, reference, str_lit, word, Expr, Stmt};
use crate::model::{path_parts, Action, Implementation, Input, InputType, PathPart};

/// Fixed-layout lines at most this wide certainly print on one line (prettyplease's
/// margin is 89, and nothing after such a line's last break is wider than a few columns).
const SAFE_WIDTH: usize = 80;

fn fits(indent: usize, line: &str) -> Option<()> {
    (indent + line.len() <= SAFE_WIDTH).then_some(())
}

/// `///` lines of `text`, as prettyplease prints `#[doc = " line"]` attributes.
fn doc(out: &mut String, indent: usize, text: &str) {
    for line in text.trim_end().lines() {
        push_indent(out, indent);
        out.push_str("///");
        if !line.is_empty() {
            out.push(' ');
            out.push_str(line.trim_end_matches(' '));
        }
        out.push('\n');
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// `line` at `indent`, if it certainly prints unbroken.
fn line(out: &mut String, indent: usize, line: &str) -> Option<()> {
    fits(indent, line)?;
    push_indent(out, indent);
    out.push_str(line);
    out.push('\n');
    Some(())
}

struct Field<'a> {
    input: &'a Input,
    ident: String,
    enum_ty: Option<String>,
}

impl Field<'_> {
    fn optional(&self) -> bool {
        optional(self.input)
    }

    fn rust_type(&self) -> String {
        rust_type(self.input, self.enum_ty.as_deref())
    }

    fn input_field(&self) -> Expr {
        field(word("input"), self.ident.clone())
    }

    fn value_ref(&self) -> Expr {
        match (self.input.secret, self.optional()) {
            (true, true) => reference(method(
                method(self.input_field(), "as_ref", vec![]),
                "map",
                vec![Expr::Closure(
                    "s",
                    Box::new(method(word("s"), "expose", vec![])),
                )],
            )),
            (true, false) => method(self.input_field(), "expose", vec![]),
            (false, _) => reference(self.input_field()),
        }
    }

    fn custom_arg(&self) -> Expr {
        match (&self.enum_ty, self.optional()) {
            (Some(_), false) => method(self.input_field(), "as_str", vec![]),
            (Some(e), true) => method(
                self.input_field(),
                "map",
                vec![word(format!("{e}::as_str"))],
            ),
            (None, _) => self.input_field(),
        }
    }
}

fn default_expr(f: &Field, value: &Value) -> Option<Expr> {
    if let (Some(e), Value::String(s)) = (&f.enum_ty, value) {
        let variant = variant_names(f.input)
            .into_iter()
            .find(|(v, _)| v == s)
            .map(|(_, id)| id)?;
        return Some(word(format!("{e}::{variant}")));
    }
    let expr = match (f.input.ty, value) {
        (InputType::String, Value::String(s)) => call("String::from", vec![word(str_lit(s))]),
        (InputType::Uuid, Value::String(s)) => method(
            call("rt::Uuid::parse", vec![word(str_lit(s))]),
            "expect",
            vec![word(str_lit("the spec checked the default is a UUID"))],
        ),
        (InputType::Integer, Value::Number(n)) => word(format!("{}i64", n.as_i64()?)),
        (InputType::Number, Value::Number(n)) => word(format!("{}f64", n.as_f64()?)),
        (InputType::Boolean, Value::Bool(b)) => word(b.to_string()),
        (_, v) => method(
            call("serde_json::from_str", vec![word(str_lit(&v.to_string()))]),
            "expect",
            vec![word(str_lit("the spec's default is JSON"))],
        ),
    };
    Some(if f.input.secret {
        call("rt::Secret::new", vec![expr])
    } else {
        expr
    })
}

fn path_expr(path: &str, fields: &[Field]) -> Option<Expr> {
    let parts = path_parts(path)
        .into_iter()
        .map(|part| match part {
            PathPart::Text(text) => Some(word(str_lit(text))),
            PathPart::Input(name) => Some(method(
                call(
                    "rt::helpers::path_arg",
                    vec![find(fields, name)?.value_ref()],
                ),
                "as_str",
                vec![],
            )),
        })
        .collect::<Option<Vec<_>>>()?;
    Some(if parts.len() == 1 && !path.contains('{') {
        word(str_lit(path))
    } else {
        reference(method(Expr::Array(parts), "concat", vec![]))
    })
}

fn find<'f, 'a>(fields: &'f [Field<'a>], name: &str) -> Option<&'f Field<'a>> {
    fields.iter().find(|f| f.input.name == name)
}

fn body(action: &Action, fields: &[Field]) -> Option<Expr> {
    let lit = |s: &String| word(str_lit(s));
    let (function, args) = match &action.implementation {
        Implementation::GetField(crate::kinds::get_field::GetField {
            service,
            path,
            field,
        }) => (
            "rt::helpers::get_field".to_string(),
            vec![
                word("ctx"),
                lit(service),
                path_expr(path, fields)?,
                lit(field),
            ],
        ),
        Implementation::AssertField(crate::kinds::assert_field::AssertField {
            service,
            path,
            field,
            expected,
            subject,
        }) => (
            "rt::helpers::assert_field".to_string(),
            vec![
                word("ctx"),
                lit(service),
                path_expr(path, fields)?,
                lit(field),
                call(
                    "rt::helpers::json",
                    vec![find(fields, expected)?.value_ref()],
                ),
                lit(subject),
            ],
        ),
        Implementation::ListFilter(crate::kinds::list_filter::ListFilter {
            service,
            path,
            items,
            filters,
            allow_empty,
        }) => {
            let pairs = filters
                .iter()
                .map(|name| {
                    let v = find(fields, name)?.value_ref();
                    Some(Expr::Tuple(vec![
                        lit(name),
                        call("rt::helpers::query_value", vec![v]),
                    ]))
                })
                .collect::<Option<Vec<_>>>()?;
            let function = if *allow_empty {
                "rt::helpers::list"
            } else {
                "rt::helpers::list_filter"
            };
            (
                function.to_string(),
                vec![
                    word("ctx"),
                    lit(service),
                    path_expr(path, fields)?,
                    lit(items),
                    reference(Expr::Array(pairs)),
                ],
            )
        }
        Implementation::Custom(crate::kinds::custom::Custom { function, .. }) => {
            let plain = function
                .split("::")
                .all(|seg| !seg.is_empty() && seg.chars().all(|c| c.is_alphanumeric() || c == '_'));
            if !plain {
                return None;
            }
            let mut args = vec![word("ctx")];
            args.extend(fields.iter().map(Field::custom_arg));
            (format!("rt::custom::{function}"), args)
        }
        // Written through syn only (`action.rs`).
        Implementation::Request(_) => return None,
    };
    Some(Expr::Await(Box::new(call(function, args))))
}

/// The items of one action, or `None` if some fixed-layout line might break.
pub fn action(out: &mut String, action: &Action) -> Option<()> {
    let key = action.name.rsplit('.').next().unwrap_or(&action.name);
    let handler = names::ident_str(&names::snake(key));
    let camel = names::camel(key).unwrap_or_else(|| "Action".into());
    let input_ty = format!("{camel}Input");
    let fields: Vec<Field> = action
        .inputs
        .iter()
        .map(|i| Field {
            input: i,
            ident: names::ident_str(&names::snake(&i.name)),
            enum_ty: enum_type(&camel, i),
        })
        .collect();

    for f in &fields {
        let Some(e) = &f.enum_ty else { continue };
        let variants = variant_names(f.input);
        doc(
            out,
            0,
            &format!("Values of `{}` of `{}`.", f.input.name, action.name),
        );
        out.push_str(
            "#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]\n",
        );
        line(out, 0, &format!("pub enum {e} {{"))?;
        for (s, id) in &variants {
            line(out, 4, &format!("#[serde(rename = {})]", str_lit(s)))?;
            line(out, 4, &format!("{id},"))?;
        }
        out.push_str("}\n");
        line(out, 0, &format!("impl {e} {{"))?;
        out.push_str("    /// The value as it travels in JSON.\n    pub fn as_str(self) -> &'static str {\n        match self {\n");
        for (s, id) in &variants {
            line(out, 12, &format!("Self::{id} => {},", str_lit(s)))?;
        }
        out.push_str("        }\n    }\n}\n");
        line(out, 0, &format!("impl std::fmt::Display for {e} {{"))?;
        out.push_str("    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n        f.write_str(self.as_str())\n    }\n}\n");
    }

    let mut struct_fields = String::new();
    let mut checks = String::new();
    for f in &fields {
        let (ty, name) = (f.rust_type(), &f.input.name);
        let mut d = f.input.description.clone();
        if f.input.secret {
            d.push_str("\n\nSecret: never logged.");
        }
        doc(&mut struct_fields, 4, &d);
        if f.ident.trim_start_matches("r#") != name {
            line(
                &mut struct_fields,
                4,
                &format!("#[serde(rename = {})]", str_lit(name)),
            )?;
        }
        match &f.input.default {
            None => {}
            Some(Value::Null) => struct_fields.push_str("    #[serde(default)]\n"),
            Some(v) => {
                let fn_name = format!("default_{}_{}", names::snake(key), names::snake(name));
                line(out, 0, &format!("fn {fn_name}() -> {ty} {{"))?;
                pretty::stmt(out, 4, Stmt::Tail(default_expr(f, v)?));
                out.push_str("}\n");
                line(
                    &mut struct_fields,
                    4,
                    &format!("#[serde(default = {})]", str_lit(&fn_name)),
                )?;
            }
        }
        line(&mut struct_fields, 4, &format!("pub {}: {ty},", f.ident))?;
        if let (Some(values), None) = (&f.input.enum_values, &f.enum_ty) {
            let allowed = Value::Array(values.clone()).to_string();
            let check = call(
                "rt::input::one_of",
                vec![word(str_lit(name)), f.value_ref(), word(str_lit(&allowed))],
            );
            pretty::stmt(&mut checks, 8, Stmt::Semi(Expr::Try(Box::new(check))));
        }
    }

    doc(out, 0, &format!("Input of `{}`.", action.name));
    out.push_str("#[derive(Debug, serde::Deserialize)]\n#[serde(deny_unknown_fields)]\n");
    if fields.is_empty() {
        line(out, 0, &format!("pub struct {input_ty} {{}}"))?;
    } else {
        line(out, 0, &format!("pub struct {input_ty} {{"))?;
        out.push_str(&struct_fields);
        out.push_str("}\n");
    }

    doc(
        out,
        0,
        &format!("`{}`: {}", action.name, action.description),
    );
    line(out, 0, &format!("pub fn {handler}("))?;
    out.push_str("    ctx: &rt::Context,\n    input: serde_json::Value,\n) -> rt::BoxFuture<'_, Result<serde_json::Value, rt::ActionError>> {\n    Box::pin(async move {\n");
    let parse = Expr::Try(Box::new(call("rt::input::parse", vec![word("input")])));
    let pattern = if fields.is_empty() {
        format!("let {input_ty} {{}} = ")
    } else {
        format!("let input: {input_ty} = ")
    };
    pretty::stmt(out, 8, Stmt::Let(&pattern, parse));
    out.push_str(&checks);
    if !action.microversions.is_empty() {
        let pairs = action
            .microversions
            .iter()
            .map(|m| Expr::Tuple(vec![word(str_lit(&m.service)), word(str_lit(&m.version))]))
            .collect();
        let with = method(
            word("ctx"),
            "with_microversions",
            vec![reference(Expr::Array(pairs))],
        );
        pretty::stmt(out, 8, Stmt::Let("let ctx = ", reference(with)));
    }
    pretty::stmt(out, 8, Stmt::Tail(body(action, &fields)?));
    out.push_str("    })\n}\n");
    Some(())
}

/// `ACTIONS = &[…]` with one entry per `[module, name, summary, input, handler]`.
pub fn registry_static(out: &mut String, entries: &[super::super::rust::Entry]) {
    let items = entries
        .iter()
        .map(|e| {
            let services = e.services.iter().map(|s| word(str_lit(s))).collect();
            Expr::Struct(
                "rt::ActionDef".into(),
                vec![
                    ("name", word(str_lit(&e.name))),
                    ("summary", word(str_lit(&e.summary))),
                    ("input", word(str_lit(&e.input))),
                    ("services", reference(Expr::Array(services))),
                    (
                        "handler",
                        word(format!(
                            "crate::{}::{}",
                            names::ident_str(&e.module),
                            e.handler
                        )),
                    ),
                ],
            )
        })
        .collect();
    pretty::stmt(
        out,
        0,
        Stmt::Let(
            "pub static ACTIONS: &[rt::ActionDef] = ",
            reference(Expr::Array(items)),
        ),
    );
}
