//! `generated/openapi.json`: the action server as an OpenAPI 3.1 document. One operation
//! per action (`POST /v1/actions/<name>`) whose request schema is the action's inputs and
//! whose result is its `output`; routes, headers, the error envelope and its statuses come
//! from the HTTP contract (`mistral_actions_contract`), like the server's own.

use mistral_actions_contract::{
    envelope, header, media, route, EnvKey, ErrorKind, NOT_READY_STATUS,
};
use serde_json::{json, Map, Value};

use super::DO_NOT_EDIT;
use crate::model::{Action, Input, InputType, Model, Project};
use crate::output::{FileSet, List};
use crate::prior::Prior;
use crate::Error;

pub const PATH: &str = "openapi.json";

const JSON: &str = "application/json";

/// What the document is made of.
#[derive(serde::Serialize)]
struct Inputs {
    project: Project,
    actions: List<Action>,
}

/// Rendered when needed: the document is tens of MB at 10,000 actions.
pub fn emit(model: &Model, _prior: &Prior) -> Result<FileSet, Error> {
    let inputs = Inputs {
        project: model.project.clone(),
        actions: List::of(&model.actions),
    };
    let mut set = FileSet::default();
    set.render(PATH, inputs, render);
    Ok(set)
}

/// Stands for `paths` in the document skeleton; the paths are streamed in its place.
const PATHS_MARKER: &str = "\u{1}paths\u{1}";

/// The document as `serde_json::to_writer_pretty` writes it, but with `paths` (one
/// entry per action) serialised entry by entry, so the whole tree is never held.
fn render(inputs: &Inputs, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let project = &inputs.project;
    let document = json!({
        "openapi": "3.1.0",
        "info": {
            "title": format!("{} action server", project.prefix),
            "version": project.version,
            "description": format!(
                "What Mistral's `std.http` calls to run the actions of specs/actions. {DO_NOT_EDIT}"
            ),
        },
        "servers": [{
            "url": project.server_url,
            "description": format!(
                "`server_url` of specs/project.yaml; each execution may name another in `env().{}`",
                EnvKey::URL.name
            ),
        }],
        "security": [{ "bearer": [] }],
        "paths": PATHS_MARKER,
        "components": components(),
    });
    let skeleton = serde_json::to_string_pretty(&document)?;
    let marker = serde_json::to_string(PATHS_MARKER)?;
    let (head, tail) = skeleton
        .split_once(&marker)
        .expect("the skeleton holds the marker once");
    w.write_all(head.as_bytes())?;
    w.write_all(b"{\n")?;
    let fixed = |path: &str, value: Value| (path.to_string(), value);
    let first = [
        fixed(route::HEALTH, json!({ "get": health() })),
        fixed(route::READY, json!({ "get": readiness() })),
        fixed(route::METRICS, json!({ "get": metrics() })),
        fixed(route::ACTIONS, json!({ "get": listing() })),
    ];
    let actions = inputs
        .actions
        .iter()
        .map(|a| (route::action(&a.name), json!({ "post": run(a) })));
    let last = [fixed(route::ACTION, json!({ "post": unknown_action() }))];
    // `paths` sits at depth 1: its entries are indented by 4 spaces.
    for (i, (path, value)) in first.into_iter().chain(actions).chain(last).enumerate() {
        if i > 0 {
            w.write_all(b",\n")?;
        }
        let value = serde_json::to_string_pretty(&value)?.replace('\n', "\n    ");
        write!(w, "    {}: {value}", serde_json::to_string(&path)?)?;
    }
    w.write_all(b"\n  }")?;
    w.write_all(tail.as_bytes())?;
    w.write_all(b"\n")
}

fn health() -> Value {
    json!({
        "operationId": "health",
        "summary": "Liveness, without a token.",
        "security": [],
        "responses": {
            "200": body_response("The server runs.", json!({
                "type": "object",
                "required": [envelope::STATUS],
                "additionalProperties": false,
                "properties": { envelope::STATUS: { "const": envelope::OK } },
            })),
        },
    })
}

fn readiness() -> Value {
    let ready = json!({
        "type": "object",
        "required": [envelope::STATUS, envelope::SERVICES],
        "additionalProperties": false,
        "properties": {
            envelope::STATUS: { "const": envelope::READY },
            envelope::SERVICES: {
                "type": "array",
                "items": { "type": "string" },
                "description": "The catalog service types the actions use, all present.",
            },
        },
    });
    let not_ready = json!({
        "type": "object",
        "required": [envelope::STATUS, envelope::REASON],
        "additionalProperties": false,
        "properties": {
            envelope::STATUS: { "const": envelope::NOT_READY },
            envelope::REASON: {
                "type": "string",
                "description": "Why not: the Keystone login's failure, or the services the catalog lacks.",
            },
        },
    });
    json!({
        "operationId": "readiness",
        "summary": "Readiness, without a token: whether calls can work now.",
        "description": "200 when the server holds a valid Keystone token for its configured project and that token's catalog lists every service the actions use (in the configured region and interface); 503 otherwise. A cached token is reused; without one the server logs in, and a failed login is reported again without asking Keystone for a few seconds.",
        "security": [],
        "responses": {
            "200": body_response("Ready.", ready),
            NOT_READY_STATUS.to_string(): body_response("Not ready, with the reason.", not_ready),
        },
    })
}

fn metrics() -> Value {
    let media_type = media::METRICS
        .split(';')
        .next()
        .expect("split yields one item");
    json!({
        "operationId": "metrics",
        "summary": "Prometheus metrics (OpenMetrics text).",
        "description": "Needs the bearer token unless the server's `metrics.public` is true. The metrics and their labels are listed in the README.",
        "security": [{ "bearer": [] }, {}],
        "responses": {
            "200": {
                "description": format!("The exposition, `Content-Type: {}`.", media::METRICS),
                "content": { media_type: { "schema": { "type": "string" } } },
            },
            "401": error_ref(ErrorKind::Unauthorized),
        },
    })
}

fn listing() -> Value {
    let item = json!({
        "type": "object",
        "required": [envelope::NAME, envelope::INPUT, envelope::DESCRIPTION],
        "additionalProperties": false,
        "properties": {
            envelope::NAME: { "type": "string" },
            envelope::INPUT: { "type": "string", "description": "The input string Mistral shows." },
            envelope::DESCRIPTION: { "type": "string", "description": "The summary." },
        },
    });
    json!({
        "operationId": "list_actions",
        "summary": "Every action, sorted by name, with its Mistral input string.",
        "parameters": [parameter("RequestId")],
        "responses": {
            "200": body_response("The actions.", json!({
                "type": "object",
                "required": [envelope::ACTIONS],
                "additionalProperties": false,
                "properties": { envelope::ACTIONS: { "type": "array", "items": item } },
            })),
            "401": error_ref(ErrorKind::Unauthorized),
        },
    })
}

/// The operation that runs `action`.
fn run(action: &Action) -> Value {
    let mut responses = Map::new();
    let result = json!({
        "type": "object",
        "required": [envelope::RESULT],
        "additionalProperties": false,
        "properties": { envelope::RESULT: output(action) },
    });
    responses.insert("200".into(), body_response("The action's result.", result));
    responses.insert("401".into(), error_ref(ErrorKind::Unauthorized));
    for kind in ErrorKind::ALL.into_iter().filter(|k| k.from_actions()) {
        responses.insert(kind.status().to_string(), error_ref(kind));
    }
    let mut op = json!({
        "operationId": action.name,
        "summary": action.summary(),
        "description": action.description,
        "parameters": [parameter("Region"), parameter("Project"), parameter("RequestId")],
        "requestBody": {
            "required": action.inputs.iter().any(Input::required),
            "content": { JSON: { "schema": inputs(action) } },
        },
        "responses": responses,
    });
    if !action.tags.is_empty() {
        op["tags"] = json!(action.tags);
    }
    if action.deprecated.is_some() {
        op["deprecated"] = json!(true);
    }
    op
}

/// Any name no action has.
fn unknown_action() -> Value {
    json!({
        "operationId": "unknown_action",
        "summary": "A name no action has.",
        "parameters": [
            { "name": "name", "in": "path", "required": true, "schema": { "type": "string" } },
            parameter("RequestId"),
        ],
        "responses": {
            "401": error_ref(ErrorKind::Unauthorized),
            "404": error_ref(ErrorKind::UnknownAction),
        },
    })
}

/// The request body: one property per input, nothing else.
fn inputs(action: &Action) -> Value {
    let properties: Map<String, Value> = action
        .inputs
        .iter()
        .map(|i| (i.name.clone(), input(i)))
        .collect();
    let required: Vec<&str> = action
        .inputs
        .iter()
        .filter(|i| i.required())
        .map(|i| i.name.as_str())
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    })
}

fn input(i: &Input) -> Value {
    // An optional input without a value takes `null` too (the server reads it as absent).
    let nullable = i.default == Some(Value::Null) && i.ty != InputType::Any;
    let mut schema = type_schema(i.ty, nullable);
    if let Some(values) = &i.enum_values {
        let mut values = values.clone();
        if nullable {
            values.push(Value::Null);
        }
        schema.insert("enum".into(), Value::Array(values));
    }
    if let Some(default) = &i.default {
        schema.insert("default".into(), default.clone());
    }
    if !i.description.is_empty() {
        schema.insert("description".into(), json!(i.description));
    }
    if i.secret {
        schema.insert("writeOnly".into(), json!(true));
    }
    Value::Object(schema)
}

fn output(action: &Action) -> Value {
    let mut schema = type_schema(action.output.ty, false);
    if !action.output.description.is_empty() {
        schema.insert("description".into(), json!(action.output.description));
    }
    Value::Object(schema)
}

/// The JSON Schema of a spec type; `any` is the empty schema.
fn type_schema(ty: InputType, nullable: bool) -> Map<String, Value> {
    let (name, format) = match ty {
        InputType::Any => return Map::new(),
        InputType::Uuid => ("string", Some("uuid")),
        other => (other.as_str(), None),
    };
    let mut schema = Map::new();
    schema.insert(
        "type".into(),
        if nullable {
            json!([name, "null"])
        } else {
            json!(name)
        },
    );
    if let Some(format) = format {
        schema.insert("format".into(), json!(format));
    }
    schema
}

fn body_response(description: &str, schema: Value) -> Value {
    json!({ "description": description, "content": { JSON: { "schema": schema } } })
}

fn error_ref(kind: ErrorKind) -> Value {
    json!({ "$ref": format!("#/components/responses/{}", kind.as_str()) })
}

fn parameter(name: &str) -> Value {
    json!({ "$ref": format!("#/components/parameters/{name}") })
}

fn components() -> Value {
    let responses: Map<String, Value> = ErrorKind::ALL
        .into_iter()
        .map(|kind| {
            let error = json!({
                "type": "object",
                "required": [envelope::KIND, envelope::MESSAGE],
                "additionalProperties": false,
                "properties": {
                    envelope::KIND: { "const": kind.as_str() },
                    envelope::MESSAGE: { "type": "string" },
                },
            });
            let body = json!({
                "type": "object",
                "required": [envelope::ERROR],
                "additionalProperties": false,
                "properties": { envelope::ERROR: error },
            });
            let description = format!("`{}` ({}): {}.", kind.as_str(), kind.status(), kind.when());
            (kind.as_str().to_string(), body_response(&description, body))
        })
        .collect();
    let header_parameter = |name: &str, description: &str| json!({ "name": name, "in": "header", "required": false, "schema": { "type": "string" }, "description": description });
    json!({
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": header::BEARER.to_ascii_lowercase(),
                "description": format!(
                    "The token the server is configured with (`env().{}`).",
                    EnvKey::TOKEN.name
                ),
            },
        },
        "parameters": {
            "Region": header_parameter(header::REGION, "The OpenStack region of this call; empty means the server's own. Any other must be listed in the server's `openstack.regions`, else 403."),
            "Project": header_parameter(header::PROJECT, "The OpenStack project (id or name) of this call; empty means the server's own, or the bearer token's. Any other must be listed, as it is written, in the server's `openstack.projects`, else 403; a project's own token reaches that project only."),
            "RequestId": header_parameter(header::REQUEST_ID, "Logged with the request and echoed back; made up when absent."),
        },
        "responses": responses,
    })
}
