//! An action's input: its struct, the enum types of its string inputs with `enum:` values,
//! and the functions giving its defaults.

use proc_macro2::{Ident, Literal, TokenStream};
use serde_json::Value;
use syn::{Item, Type};

use super::attrs::{attr, doc, name_value, once_per_thread, path_list};
use super::names;
use super::shells::Shells;
use super::syntax::{
    self, call_path, closure, field, generic_of, ident, item_fn, lit, method, path_expr, path_of,
    reference, string, tail, ty, var,
};
use crate::model::{Input, InputType};

/// What the generator knows about one input's Rust side.
pub struct Field<'a> {
    pub input: &'a Input,
    /// The field's name, `r#`-prefixed when a keyword.
    pub name: String,
    /// Set for string inputs with `enum:` values.
    pub enum_ty: Option<String>,
}

impl<'a> Field<'a> {
    /// The fields of an action's inputs; `camel` is the action's name in `CamelCase`.
    pub fn all(camel: &str, inputs: &'a [Input]) -> Vec<Self> {
        inputs
            .iter()
            .map(|input| Field {
                input,
                name: names::ident(&names::snake(&input.name)),
                enum_ty: enum_type(camel, input),
            })
            .collect()
    }

    /// Whether the input is an `Option` in Rust (optional, with no value by default).
    fn optional(&self) -> bool {
        self.input.default == Some(Value::Null) && self.input.ty != InputType::Any
    }

    fn ident(&self) -> Ident {
        ident(&self.name)
    }

    /// `input.x`
    fn of_input(&self) -> syn::Expr {
        field(var("input"), self.ident())
    }

    pub fn rust_type(&self) -> Type {
        let mut t = match (&self.enum_ty, self.input.ty) {
            (Some(e), _) => ty(e),
            (None, InputType::String) => ty("String"),
            (None, InputType::Integer) => ty("i64"),
            (None, InputType::Number) => ty("f64"),
            (None, InputType::Boolean) => ty("bool"),
            (None, InputType::Object) => {
                generic_of("serde_json::Map", [ty("String"), ty("serde_json::Value")])
            }
            (None, InputType::Array) => generic_of("Vec", [ty("serde_json::Value")]),
            (None, InputType::Uuid) => ty("rt::Uuid"),
            (None, InputType::Any) => ty("serde_json::Value"),
        };
        if self.input.secret {
            t = generic_of("rt::Secret", [t]);
        }
        if self.optional() {
            t = generic_of("Option", [t]);
        }
        t
    }

    /// `input.x` as a value that serialises (secrets exposed: the spec uses them).
    pub fn value_ref(&self) -> syn::Expr {
        match (self.input.secret, self.optional()) {
            (true, true) => {
                let exposed = closure("s", method(var("s"), "expose", []));
                reference(method(
                    method(self.of_input(), "as_ref", []),
                    "map",
                    [exposed],
                ))
            }
            (true, false) => method(self.of_input(), "expose", []),
            (false, _) => reference(self.of_input()),
        }
    }

    /// The argument a custom function receives.
    pub fn custom_arg(&self) -> syn::Expr {
        match (&self.enum_ty, self.optional()) {
            (Some(_), false) => method(self.of_input(), "as_str", []),
            (Some(e), true) => method(self.of_input(), "map", [path_expr(path_of([e, "as_str"]))]),
            (None, _) => self.of_input(),
        }
    }

    /// The Rust expression of a spec default of this field's type.
    fn default_expr(&self, value: &Value) -> syn::Expr {
        if let (Some(e), Value::String(s)) = (&self.enum_ty, value) {
            let variant = variant_names(self.input)
                .into_iter()
                .find(|(v, _)| v == s)
                .map(|(_, name)| name)
                .expect("the spec checked the default is an enum value");
            return path_expr(path_of([e.as_str(), &variant]));
        }
        let expect = |e, why| method(e, "expect", [string(why)]);
        let expr = match (self.input.ty, value) {
            (InputType::String, Value::String(s)) => call_path("String::from", [string(s)]),
            (InputType::Uuid, Value::String(s)) => expect(
                call_path("rt::Uuid::parse", [string(s)]),
                "the spec checked the default is a UUID",
            ),
            (InputType::Integer, Value::Number(n)) => lit(Literal::i64_suffixed(
                n.as_i64().expect("the spec checked the type"),
            )),
            (InputType::Number, Value::Number(n)) => {
                lit(Literal::f64_suffixed(n.as_f64().expect("a JSON number")))
            }
            (InputType::Boolean, Value::Bool(b)) => syn::Expr::Lit(syn::ExprLit {
                attrs: vec![],
                lit: syn::LitBool::new(*b, proc_macro2::Span::call_site()).into(),
            }),
            (_, v) => expect(
                call_path("serde_json::from_str", [string(&v.to_string())]),
                "the spec's default is JSON",
            ),
        };
        if self.input.secret {
            call_path("rt::Secret::new", [expr])
        } else {
            expr
        }
    }
}

/// `(wire value, variant name)` for each enum value, unique names.
fn variant_names(input: &Input) -> Vec<(String, String)> {
    let values = input.enum_values.as_deref().unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.as_str().map(|s| (i, s)))
        .map(|(i, s)| {
            let mut name = names::camel(s).unwrap_or_else(|| format!("V{i}"));
            if !seen.insert(name.clone()) {
                name = format!("{name}{i}");
                seen.insert(name.clone());
            }
            (s.to_string(), name)
        })
        .collect()
}

/// The enum type of a string input with `enum:` values, in the action `camel`.
fn enum_type(camel: &str, input: &Input) -> Option<String> {
    let values = input.enum_values.as_ref()?;
    let strings = !values.is_empty() && values.iter().all(Value::is_string);
    (input.ty == InputType::String && strings).then(|| {
        let name = names::camel(&input.name).unwrap_or_else(|| "Value".into());
        format!("{camel}{name}")
    })
}

/// The enum type of `f` (which has one) with `as_str` and `Display`: three items.
pub fn enum_items(shells: &mut Shells, f: &Field, enum_ty: &str, action: &str) -> [Item; 3] {
    let variants = variant_names(f.input);
    let mut attrs: Vec<syn::Attribute> =
        doc(&format!("Values of `{}` of `{action}`.", f.input.name)).collect();
    let derive = once_per_thread!(path_list([
        "Debug",
        "Clone",
        "Copy",
        "PartialEq",
        "Eq",
        "serde::Serialize",
        "serde::Deserialize",
    ]));
    attrs.push(attr("derive", derive));
    let decl = variants.iter().map(|(s, name)| syn::Variant {
        attrs: vec![serde(name_value("rename", s))],
        ident: ident(name),
        fields: syn::Fields::Unit,
        discriminant: None,
    });
    let enum_item = Item::Enum(syn::ItemEnum {
        attrs,
        vis: syntax::visibility(true),
        enum_token: Default::default(),
        ident: ident(enum_ty),
        generics: Default::default(),
        brace_token: Default::default(),
        variants: decl.collect(),
    });

    [
        enum_item,
        shells.as_str(
            enum_ty,
            variants.iter().map(|(s, name)| (s.as_str(), name.as_str())),
        ),
        shells.display(enum_ty),
    ]
}

fn serde(tokens: TokenStream) -> syn::Attribute {
    attr("serde", tokens)
}

/// The input struct `name`, and the functions giving its fields' defaults (named after
/// the action's `key`), pushed on `items` before it.
pub fn input_struct(items: &mut Vec<Item>, fields: &[Field], key: &str, name: &str, action: &str) {
    let mut struct_fields = Vec::with_capacity(fields.len());
    for f in fields {
        let input = &f.input.name;
        let mut text = f.input.description.clone();
        if f.input.secret {
            text.push_str("\n\nSecret: never logged.");
        }
        let mut attrs: Vec<syn::Attribute> = doc(&text).collect();
        if f.name.trim_start_matches("r#") != input {
            attrs.push(serde(name_value("rename", input)));
        }
        match &f.input.default {
            None => {}
            Some(Value::Null) => attrs.push(serde(once_per_thread!(path_list(["default"])))),
            Some(v) => {
                let fn_name = format!("default_{}_{}", names::snake(key), names::snake(input));
                let sig = syntax::signature(ident(&fn_name), [], Some(f.rust_type()));
                let default = item_fn(vec![], false, sig, vec![tail(f.default_expr(v))]);
                items.push(Item::Fn(default));
                attrs.push(serde(name_value("default", &fn_name)));
            }
        }
        struct_fields.push(syn::Field {
            attrs,
            vis: syntax::visibility(true),
            mutability: syn::FieldMutability::None,
            ident: Some(f.ident()),
            colon_token: Some(Default::default()),
            ty: f.rust_type(),
        });
    }
    let mut attrs: Vec<syn::Attribute> = doc(&format!("Input of `{action}`.")).collect();
    let derive = once_per_thread!(path_list(["Debug", "serde::Deserialize"]));
    attrs.push(attr("derive", derive));
    attrs.push(serde(once_per_thread!(path_list(["deny_unknown_fields"]))));
    items.push(Item::Struct(syn::ItemStruct {
        attrs,
        vis: syntax::visibility(true),
        struct_token: Default::default(),
        ident: ident(name),
        generics: Default::default(),
        fields: syn::Fields::Named(syn::FieldsNamed {
            brace_token: Default::default(),
            named: struct_fields.into_iter().collect(),
        }),
        semi_token: None,
    }));
}
