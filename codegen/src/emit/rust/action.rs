//! One action: its input struct (and enum types), defaults, and handler.

use proc_macro2::{Ident, Literal, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::names;
use crate::model::{path_parts, Action, Implementation, Input, InputType, PathPart};

pub struct Emitted {
    pub items: TokenStream,
}

fn doc_attrs(text: &str) -> TokenStream {
    let lines = text.trim_end().lines().map(|l| {
        let l = if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        };
        quote! { #[doc = #l] }
    });
    quote! { #(#lines)* }
}

/// What the generator knows about one input's Rust side.
struct Field<'a> {
    input: &'a Input,
    ident: Ident,
    /// Set for string inputs with `enum:` values.
    enum_ty: Option<Ident>,
}

impl Field<'_> {
    fn optional(&self) -> bool {
        optional(self.input)
    }

    /// The type ([`rust_type`], which the text writer shares).
    fn rust_type(&self) -> TokenStream {
        let enum_ty = self.enum_ty.as_ref().map(Ident::to_string);
        rust_type(self.input, enum_ty.as_deref())
            .parse()
            .expect("a Rust type")
    }

    /// `input.x` as a value that serialises (secrets exposed: the spec uses them).
    fn value_ref(&self) -> TokenStream {
        let id = &self.ident;
        if self.input.secret {
            if self.optional() {
                quote! { &input.#id.as_ref().map(|s| s.expose()) }
            } else {
                quote! { input.#id.expose() }
            }
        } else {
            quote! { &input.#id }
        }
    }

    /// The argument a custom function receives.
    fn custom_arg(&self) -> TokenStream {
        let id = &self.ident;
        match (&self.enum_ty, self.optional()) {
            (Some(_), false) => quote! { input.#id.as_str() },
            (Some(e), true) => quote! { input.#id.map(#e::as_str) },
            (None, _) => quote! { input.#id },
        }
    }
}

/// The Rust expression of a spec default of this field's type.
fn default_expr(field: &Field, value: &Value) -> TokenStream {
    if let (Some(e), Value::String(s)) = (&field.enum_ty, value) {
        let variant = variant_idents(field.input)
            .into_iter()
            .find(|(v, _)| v == s)
            .map(|(_, id)| id)
            .expect("the spec checked the default is an enum value");
        return quote! { #e::#variant };
    }
    let expr = match (field.input.ty, value) {
        (InputType::String, Value::String(s)) => quote! { String::from(#s) },
        (InputType::Uuid, Value::String(s)) => {
            quote! { rt::Uuid::parse(#s).expect("the spec checked the default is a UUID") }
        }
        (InputType::Integer, Value::Number(n)) => {
            let lit = Literal::i64_suffixed(n.as_i64().expect("the spec checked the type"));
            quote! { #lit }
        }
        (InputType::Number, Value::Number(n)) => {
            let lit = Literal::f64_suffixed(n.as_f64().expect("a JSON number"));
            quote! { #lit }
        }
        (InputType::Boolean, Value::Bool(b)) => quote! { #b },
        (_, v) => {
            let json = v.to_string();
            quote! { serde_json::from_str(#json).expect("the spec's default is JSON") }
        }
    };
    if field.input.secret {
        quote! { rt::Secret::new(#expr) }
    } else {
        expr
    }
}

/// `(wire value, variant ident)` for each enum value, unique idents.
fn variant_idents(input: &Input) -> Vec<(String, Ident)> {
    variant_names(input)
        .into_iter()
        .map(|(s, name)| (s, Ident::new(&name, Span::call_site())))
        .collect()
}

/// `(wire value, variant name)` for each enum value, unique names.
pub(super) fn variant_names(input: &Input) -> Vec<(String, String)> {
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

fn is_string_enum(input: &Input) -> bool {
    input.ty == InputType::String
        && input
            .enum_values
            .as_ref()
            .is_some_and(|vs| !vs.is_empty() && vs.iter().all(Value::is_string))
}

/// The enum type of a string input with `enum:` values, in the action `camel`.
pub(super) fn enum_type(camel: &str, input: &Input) -> Option<String> {
    is_string_enum(input).then(|| {
        let name = names::camel(&input.name).unwrap_or_else(|| "Value".into());
        format!("{camel}{name}")
    })
}

/// Whether the input is an `Option` in Rust (optional, with no value by default).
pub(super) fn optional(input: &Input) -> bool {
    input.default == Some(Value::Null) && input.ty != InputType::Any
}

/// The Rust type of `input`; `enum_ty` names its enum type, if it has one.
pub(super) fn rust_type(input: &Input, enum_ty: Option<&str>) -> String {
    let mut ty = match (enum_ty, input.ty) {
        (Some(e), _) => e.to_string(),
        (None, InputType::String) => "String".into(),
        (None, InputType::Integer) => "i64".into(),
        (None, InputType::Number) => "f64".into(),
        (None, InputType::Boolean) => "bool".into(),
        (None, InputType::Object) => "serde_json::Map<String, serde_json::Value>".into(),
        (None, InputType::Array) => "Vec<serde_json::Value>".into(),
        (None, InputType::Uuid) => "rt::Uuid".into(),
        (None, InputType::Any) => "serde_json::Value".into(),
    };
    if input.secret {
        ty = format!("rt::Secret<{ty}>");
    }
    if optional(input) {
        ty = format!("Option<{ty}>");
    }
    ty
}

/// The request path (a `&str`): the spec's text with each `{input}` replaced by that input,
/// percent-encoded.
fn path_expr(path: &str, fields: &[Field]) -> TokenStream {
    let parts: Vec<TokenStream> = path_parts(path)
        .into_iter()
        .map(|part| match part {
            PathPart::Text(text) => quote! { #text },
            PathPart::Input(name) => {
                let f = fields
                    .iter()
                    .find(|f| f.input.name == name)
                    .expect("the spec checked path placeholders");
                let v = f.value_ref();
                quote! { rt::helpers::path_arg(#v).as_str() }
            }
        })
        .collect();
    if parts.len() == 1 && !path.contains('{') {
        quote! { #path }
    } else {
        quote! { &[#(#parts),*].concat() }
    }
}

/// The handler's name in its module: the last dotted part of the action's name.
pub fn handler(action: &Action) -> Ident {
    let key = action.name.rsplit('.').next().unwrap_or(&action.name);
    names::ident(&names::snake(key))
}

pub fn emit(action: &Action) -> Emitted {
    let key = action.name.rsplit('.').next().unwrap_or(&action.name);
    let handler = handler(action);
    let camel = names::camel(key).unwrap_or_else(|| "Action".into());
    let input_ty = format_ident!("{}Input", camel);

    let fields: Vec<Field> = action
        .inputs
        .iter()
        .map(|i| Field {
            input: i,
            ident: names::ident(&names::snake(&i.name)),
            enum_ty: enum_type(&camel, i).map(|e| format_ident!("{e}")),
        })
        .collect();

    let mut items = Vec::new();

    for f in &fields {
        let Some(enum_ty) = &f.enum_ty else { continue };
        let variants = variant_idents(f.input);
        let doc = doc_attrs(&format!(
            "Values of `{}` of `{}`.",
            f.input.name, action.name
        ));
        let decl = variants
            .iter()
            .map(|(s, id)| quote! { #[serde(rename = #s)] #id });
        let arms = variants.iter().map(|(s, id)| quote! { Self::#id => #s });
        let display = quote! {
            impl std::fmt::Display for #enum_ty {
                fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str(self.as_str())
                }
            }
        };
        items.push(quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
            pub enum #enum_ty { #(#decl),* }

            impl #enum_ty {
                /// The value as it travels in JSON.
                pub fn as_str(self) -> &'static str {
                    match self { #(#arms),* }
                }
            }

            #display
        });
    }

    let mut struct_fields = Vec::new();
    let mut checks = Vec::new();
    for f in &fields {
        let (id, ty, name) = (&f.ident, f.rust_type(), &f.input.name);
        let mut attrs = Vec::new();
        let mut doc = f.input.description.clone();
        if f.input.secret {
            doc.push_str("\n\nSecret: never logged.");
        }
        attrs.push(doc_attrs(&doc));
        let unraw = id.to_string();
        if unraw.trim_start_matches("r#") != name {
            attrs.push(quote! { #[serde(rename = #name)] });
        }
        match &f.input.default {
            None => {}
            Some(Value::Null) => attrs.push(quote! { #[serde(default)] }),
            Some(v) => {
                let fn_name = format!("default_{}_{}", names::snake(key), names::snake(name));
                let fn_ident = Ident::new(&fn_name, Span::call_site());
                let expr = default_expr(f, v);
                items.push(quote! {
                    fn #fn_ident() -> #ty { #expr }
                });
                attrs.push(quote! { #[serde(default = #fn_name)] });
            }
        }
        struct_fields.push(quote! { #(#attrs)* pub #id: #ty });
        if let (Some(values), None) = (&f.input.enum_values, &f.enum_ty) {
            let allowed = Value::Array(values.clone()).to_string();
            let v = f.value_ref();
            checks.push(quote! { rt::input::one_of(#name, #v, #allowed)?; });
        }
    }

    let doc = doc_attrs(&format!("Input of `{}`.", action.name));
    items.push(quote! {
        #doc
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct #input_ty { #(#struct_fields),* }
    });

    let body = match &action.implementation {
        Implementation::GetField(crate::kinds::get_field::GetField {
            service,
            path,
            field,
        }) => {
            let path = path_expr(path, &fields);
            quote! { rt::helpers::get_field(ctx, #service, #path, #field).await }
        }
        Implementation::AssertField(crate::kinds::assert_field::AssertField {
            service,
            path,
            field,
            expected,
            subject,
        }) => {
            let path = path_expr(path, &fields);
            let exp = fields
                .iter()
                .find(|f| &f.input.name == expected)
                .expect("the spec checked `expected`")
                .value_ref();
            quote! {
                rt::helpers::assert_field(ctx, #service, #path, #field, rt::helpers::json(#exp), #subject).await
            }
        }
        Implementation::ListFilter(crate::kinds::list_filter::ListFilter {
            service,
            path,
            items: list,
            filters,
            allow_empty,
        }) => {
            let path = path_expr(path, &fields);
            let pairs = filters.iter().map(|name| {
                let f = fields
                    .iter()
                    .find(|f| &f.input.name == name)
                    .expect("the spec checked `filters`");
                let v = f.value_ref();
                quote! { (#name, rt::helpers::query_value(#v)) }
            });
            let function = if *allow_empty {
                quote! { rt::helpers::list }
            } else {
                quote! { rt::helpers::list_filter }
            };
            quote! {
                #function(ctx, #service, #path, #list, &[#(#pairs),*]).await
            }
        }
        Implementation::Custom(crate::kinds::custom::Custom { function, .. }) => {
            let path: syn::Path = syn::parse_str(function).expect("the spec checked the path");
            let args = fields.iter().map(Field::custom_arg);
            quote! { rt::custom::#path(ctx, #(#args),*).await }
        }
        Implementation::Request(r) => {
            let find = |name: &str| {
                fields
                    .iter()
                    .find(|f| f.input.name == name)
                    .expect("the spec checked the inputs a request names")
            };
            let path = path_expr(&r.path, &fields);
            let (service, method, result) = (&r.service, &r.method, r.result.word());
            let query = r
                .query
                .iter()
                .map(|(k, v)| match crate::kinds::request::placeholder(v) {
                    Some(name) => {
                        let v = find(name).value_ref();
                        quote! { (#k, rt::helpers::query_value(#v)) }
                    }
                    None => {
                        let text = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        quote! { (#k, Some(String::from(#text))) }
                    }
                });
            let body = match &r.body {
                Some(b) => {
                    let template = b.to_string();
                    quote! { Some(#template) }
                }
                None => quote! { None },
            };
            let values = r.body_inputs().into_iter().map(|name| {
                let v = find(name).value_ref();
                quote! { (#name, rt::helpers::json(#v)) }
            });
            let expect = r.expect.iter().map(|s| Literal::u16_unsuffixed(*s));
            quote! {
                rt::helpers::request(
                    ctx,
                    rt::helpers::Request {
                        service: #service,
                        method: #method,
                        path: #path,
                        query: &[#(#query),*],
                        body: #body,
                        values: &[#(#values),*],
                        expect: &[#(#expect),*],
                        result: #result,
                    },
                )
                .await
            }
        }
    };

    let doc = doc_attrs(&format!("`{}`: {}", action.name, action.description));
    // The versions the spec names go with every request the action makes.
    let microversions = (!action.microversions.is_empty()).then(|| {
        let pairs = action.microversions.iter().map(|m| {
            let (service, version) = (&m.service, &m.version);
            quote! { (#service, #version) }
        });
        quote! { let ctx = &ctx.with_microversions(&[#(#pairs),*]); }
    });
    let unused = if fields.is_empty() {
        quote! { let #input_ty {} = rt::input::parse(input)?; }
    } else {
        quote! { let input: #input_ty = rt::input::parse(input)?; }
    };
    items.push(quote! {
        #doc
        pub fn #handler(
            ctx: &rt::Context,
            input: serde_json::Value,
        ) -> rt::BoxFuture<'_, Result<serde_json::Value, rt::ActionError>> {
            Box::pin(async move {
                #unused
                #(#checks)*
                #microversions
                #body
            })
        }
    });

    Emitted {
        // Collected, not quoted: `quote!` would copy every token once more.
        items: items.into_iter().collect(),
    }
}
