//! `kind: request`: one REST call declared whole, for the many actions that are one call
//! ("delete this backup", "set metadata"): the method, the path with `{input}`
//! placeholders, query parameters and a JSON body whose leaves are literals or
//! `{input: NAME}`, the statuses that mean success, and what to return (a JSON pointer into
//! the answer, `status` or `none`). An input given as null (optional, not passed) is left
//! out of the query and of the body.

use serde::Serialize;
use syn::Expr;
use serde_json::Value;

use super::{checks, Kind};
use crate::emit::rust::action::Inputs;
use crate::emit::rust::syntax::{
    array, call_path, lit, path, reference, string, struct_expr, tuple, var,
};
use crate::diagnostics::Code;
use crate::emit::catalog::markdown::code;
use crate::model::Input;
use crate::spec::reader::{Ctx, Fields};
use crate::yaml::{Kind as YamlKind, Node, Pos};

pub const WORD: &str = "request";
pub(crate) const KEYS: &[&str] = &[
    "service", "method", "path", "query", "body", "expect", "result",
];

/// Methods the runtime sends.
pub const METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    pub service: String,
    /// One of [`METHODS`].
    pub method: String,
    /// With `{input}` placeholders.
    pub path: String,
    /// Query parameter → a literal or `{"input": NAME}`, in spec order.
    pub query: Vec<(String, Value)>,
    /// The body template: leaves are literals or `{"input": NAME}`.
    pub body: Option<Value>,
    /// The statuses that mean success.
    pub expect: Vec<u16>,
    /// What the action returns.
    pub result: Returns,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Returns {
    /// The value at this JSON pointer (RFC 6901) of the answer.
    Pointer(String),
    /// The HTTP status.
    Status,
    /// Nothing (`null`).
    None,
}

impl Returns {
    /// As the spec and the runtime write it.
    pub fn word(&self) -> &str {
        match self {
            Returns::Pointer(p) => p,
            Returns::Status => "status",
            Returns::None => "none",
        }
    }
}

impl Request {
    /// The inputs the body names, in order of appearance.
    pub fn body_inputs(&self) -> Vec<&str> {
        let mut names = Vec::new();
        if let Some(body) = &self.body {
            collect_placeholders(body, &mut names);
        }
        names
    }
}

/// `{"input": NAME}`: the one shape of a placeholder (the runtime reads the same).
pub fn placeholder(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => m.get("input")?.as_str(),
        _ => None,
    }
}

fn collect_placeholders<'v>(v: &'v Value, out: &mut Vec<&'v str>) {
    if let Some(name) = placeholder(v) {
        if !out.contains(&name) {
            out.push(name);
        }
        return;
    }
    match v {
        Value::Object(map) => map.values().for_each(|v| collect_placeholders(v, out)),
        Value::Array(items) => items.iter().for_each(|v| collect_placeholders(v, out)),
        _ => {}
    }
}

pub(crate) fn read(ctx: &mut Ctx, f: &mut Fields, inputs: &[Input]) -> Option<Request> {
    let service = checks::text(ctx, f, "service");
    let method = checks::text(ctx, f, "method").and_then(|(m, pos)| {
        if METHODS.contains(&m.as_str()) {
            return Some((m, pos));
        }
        ctx.error(
            Code::InvalidValue,
            pos,
            format!("unknown method `{m}`"),
            &format!("use one of: {}", METHODS.join(", ")),
        );
        None
    });
    let path = checks::text(ctx, f, "path");
    let query = f.get("query").map(|n| query(ctx, n, inputs));
    let body_node = f.get("body");
    let body = body_node.and_then(|n| {
        let body = ctx.json(n, "body")?;
        check_placeholders(ctx, n, inputs);
        Some(body)
    });
    let expect = f.require(ctx, "expect").and_then(|n| expect(ctx, n));
    let result = checks::text(ctx, f, "result").and_then(|(r, pos)| returns(ctx, &r, pos));

    let at = method.as_ref().map_or(f.pos, |(_, pos)| *pos);
    if let (Some(n), Some((m @ ("GET" | "DELETE"), _))) =
        (body_node, method.as_ref().map(|(m, p)| (m.as_str(), p)))
    {
        ctx.error(
            Code::InvalidValue,
            n.pos,
            format!("a {m} request has a `body`"),
            "OpenStack services ignore or refuse a body on GET and DELETE: pass the values in `path` or `query`, or use POST, PUT or PATCH",
        );
    }
    if let Some((path, pos)) = &path {
        checks::path(ctx, path, *pos, inputs);
    }
    let query = query.unwrap_or_default();
    let mut used: Vec<&str> = path
        .as_ref()
        .map(|(p, _)| checks::path_inputs(p).collect())
        .unwrap_or_default();
    used.extend(query.iter().filter_map(|(_, v)| placeholder(v)));
    let mut in_body = Vec::new();
    if let Some(b) = &body {
        collect_placeholders(b, &mut in_body);
    }
    used.extend(in_body);
    check_all_used(ctx, &used, inputs, at);
    Some(Request {
        service: service?.0,
        method: method?.0,
        path: path?.0,
        query,
        body,
        expect: expect?,
        result: result?,
    })
}

/// `query`: parameter → a literal (string, number, boolean) or `{input: NAME}`.
fn query(ctx: &mut Ctx, node: &Node, inputs: &[Input]) -> Vec<(String, Value)> {
    let Some(mut params) = Fields::new(ctx, node, "`query`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, _, value) in params.entries() {
        let Some(v) = ctx.json(value, name) else {
            continue;
        };
        if let Some(input) = placeholder(&v) {
            checks::input_ref(ctx, input, value.pos, inputs, "query");
        } else if v.is_object() || v.is_array() || v.is_null() {
            ctx.error(
                Code::InvalidValue,
                value.pos,
                format!("query parameter `{name}` is not a text, a number, a boolean or an input"),
                "write a literal such as `detail` or `10`, or `{input: NAME}`",
            );
            continue;
        }
        out.push((name.to_string(), v));
    }
    out
}

/// Every `{input: NAME}` in the body must name an input; reported where it is written.
fn check_placeholders(ctx: &mut Ctx, node: &Node, inputs: &[Input]) {
    match &node.kind {
        YamlKind::Map(pairs) => {
            if let [(k, v)] = pairs.as_slice() {
                if k.as_str() == Some("input") {
                    match v.as_str() {
                        Some(name) => checks::input_ref(ctx, name, v.pos, inputs, "body"),
                        None => ctx.wrong_type(v, "input", "the name of an input"),
                    }
                    return;
                }
            }
            pairs
                .iter()
                .for_each(|(_, v)| check_placeholders(ctx, v, inputs));
        }
        YamlKind::Seq(items) => items
            .iter()
            .for_each(|v| check_placeholders(ctx, v, inputs)),
        _ => {}
    }
}

fn expect(ctx: &mut Ctx, node: &Node) -> Option<Vec<u16>> {
    let mut statuses = Vec::new();
    for n in ctx.seq(node, "expect") {
        match n.kind {
            YamlKind::Int(i) if (200..400).contains(&i) => statuses.push(i as u16),
            _ => ctx.error(
                Code::InvalidValue,
                n.pos,
                "`expect` lists a value that is not a success status (200–399)",
                "list the statuses the service answers on success, e.g. `[202]`; error statuses are errors of the action already",
            ),
        }
    }
    if statuses.is_empty() {
        ctx.error(
            Code::InvalidValue,
            node.pos,
            "`expect` lists no status",
            "list the statuses that mean success, e.g. `[200]` or `[202, 204]`",
        );
        return None;
    }
    statuses.sort_unstable();
    statuses.dedup();
    Some(statuses)
}

/// `status`, `none` or a JSON pointer (RFC 6901: empty, or `/` segments, `~` only as
/// `~0` or `~1`).
fn returns(ctx: &mut Ctx, text: &str, pos: Pos) -> Option<Returns> {
    match text {
        "status" => return Some(Returns::Status),
        "none" => return Some(Returns::None),
        _ => {}
    }
    let escapes_ok = text
        .split('~')
        .skip(1)
        .all(|rest| rest.starts_with('0') || rest.starts_with('1'));
    if text.starts_with('/') && escapes_ok {
        return Some(Returns::Pointer(text.to_string()));
    }
    ctx.error(
        Code::InvalidValue,
        pos,
        format!("`result: {text}` is not a JSON pointer, `status` or `none`"),
        "point into the answer with a JSON pointer such as `/backup/id` (`~1` for a `/` in a key, `~0` for `~`), or write `status` or `none`",
    );
    None
}

/// An input the request never sends would be accepted from Mistral and silently dropped.
fn check_all_used(ctx: &mut Ctx, used: &[&str], inputs: &[Input], at: Pos) {
    for input in inputs {
        if !used.contains(&input.name.as_str()) {
            ctx.error(
                Code::InvalidImplementation,
                at,
                format!("input `{}` is not sent by the request", input.name),
                "use it in `path` (`{name}`), `query` or `body` (`{input: name}`), or remove it",
            );
        }
    }
}

impl Kind for Request {
    fn service(&self) -> Option<&str> {
        Some(&self.service)
    }

    fn line(&self) -> String {
        let mut sent = Vec::new();
        if !self.query.is_empty() {
            let params: Vec<String> = self.query.iter().map(|(k, _)| code(k)).collect();
            sent.push(format!("query {}", params.join(", ")));
        }
        if let Some(body) = &self.body {
            sent.push(format!("body {}", code(&body.to_string())));
        }
        let sent = if sent.is_empty() {
            String::new()
        } else {
            format!(" with {}", sent.join(" and "))
        };
        let expect: Vec<String> = self.expect.iter().map(u16::to_string).collect();
        let returns = match &self.result {
            Returns::Pointer(p) => format!("return {}", code(p)),
            Returns::Status => "return the status".to_string(),
            Returns::None => "return nothing".to_string(),
        };
        format!(
            "{}: {} {} on the {} service{sent}, success on {}, {returns}",
            code(WORD),
            self.method,
            code(&self.path),
            code(&self.service),
            expect.join(" or ")
        )
    }

    fn call(&self, inputs: &Inputs) -> Expr {
        let query = self.query.iter().map(|(k, v)| {
            let value = match placeholder(v) {
                Some(name) => call_path("rt::helpers::query_value", [inputs.value(name)]),
                None => {
                    let text = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    call_path("Some", [call_path("String::from", [string(&text)])])
                }
            };
            tuple([string(k), value])
        });
        let body = match &self.body {
            Some(template) => call_path("Some", [string(&template.to_string())]),
            None => var("None"),
        };
        let values = self.body_inputs().into_iter().map(|name| {
            tuple([string(name), call_path("rt::helpers::json", [inputs.value(name)])])
        });
        let expect = self
            .expect
            .iter()
            .map(|s| lit(proc_macro2::Literal::u16_unsuffixed(*s)));
        let request = struct_expr(
            path("rt::helpers::Request"),
            [
                ("service", string(&self.service)),
                ("method", string(&self.method)),
                ("path", inputs.path(&self.path)),
                ("query", reference(array(query))),
                ("body", body),
                ("values", reference(array(values))),
                ("expect", reference(array(expect))),
                ("result", string(self.result.word())),
            ],
        );
        call_path("rt::helpers::request", [var("ctx"), request])
    }
}
