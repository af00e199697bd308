//! `generated/openapi.json`: valid OpenAPI 3.1 by an independent validator
//! (`openapi-spec-validator`), and faithful to the specs and the HTTP contract.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn document() -> Value {
    let text = std::fs::read_to_string(root().join("generated/openapi.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// `$MA_OPENAPI_PYTHON`, else the venv `cargo xtask ci` installs; never a silent skip.
fn python() -> PathBuf {
    if let Some(py) = std::env::var_os("MA_OPENAPI_PYTHON") {
        return PathBuf::from(py);
    }
    let venv = root().join("target/openapi-venv/bin/python");
    assert!(
        venv.exists(),
        "validating generated/openapi.json needs openapi-spec-validator: run `cargo xtask ci` \
         once (it installs target/openapi-venv), or set MA_OPENAPI_PYTHON to a python that has it"
    );
    venv
}

#[test]
fn an_independent_validator_accepts_the_document() {
    let out = Command::new(python())
        .args(["-m", "openapi_spec_validator"])
        .arg(root().join("generated/openapi.json"))
        .output()
        .expect("the validator runs");
    assert!(
        out.status.success(),
        "openapi-spec-validator refused generated/openapi.json:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_action_is_one_operation_with_its_inputs_as_the_request() {
    let (model, _) = codegen::spec::load(&root()).unwrap();
    let doc = document();
    assert_eq!(doc["openapi"], "3.1.0");
    for a in model.actions.iter() {
        let op = &doc["paths"][format!("/v1/actions/{}", a.name)]["post"];
        assert_eq!(op["operationId"], a.name.as_str());
        let schema = &op["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(schema["additionalProperties"], false, "{}", a.name);
        let properties = schema["properties"].as_object().unwrap();
        assert_eq!(
            properties.keys().collect::<Vec<_>>(),
            a.inputs.iter().map(|i| &i.name).collect::<Vec<_>>()
        );
        let required: Vec<&str> = a
            .inputs
            .iter()
            .filter(|i| i.required())
            .map(|i| i.name.as_str())
            .collect();
        assert_eq!(schema["required"], json!(required), "{}", a.name);
        for status in ["200", "400", "401", "409", "502", "504"] {
            assert!(op["responses"].get(status).is_some(), "{} {status}", a.name);
        }
    }
    let assert = &doc["paths"]["/v1/actions/int32bit.cinder.backups.assert_status"]["post"];
    let inputs = &assert["requestBody"]["content"]["application/json"]["schema"]["properties"];
    assert_eq!(inputs["backup_id"]["format"], "uuid");
    assert_eq!(inputs["status"]["default"], "available");
    let power = &doc["paths"]["/v1/actions/int32bit.nova.servers.assert_power_status"]["post"];
    let status =
        &power["requestBody"]["content"]["application/json"]["schema"]["properties"]["status"];
    assert!(status["enum"]
        .as_array()
        .unwrap()
        .contains(&json!("running")));
    assert!(doc["paths"]["/healthz"]["get"]["security"] == json!([]));
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[test]
fn error_answers_are_the_contracts_kinds_and_statuses() {
    let doc = document();
    let responses = doc["components"]["responses"].as_object().unwrap();
    for kind in mistral_actions_contract::ErrorKind::ALL {
        let schema = &responses[kind.as_str()]["content"]["application/json"]["schema"];
        assert_eq!(
            schema["properties"]["error"]["properties"]["kind"]["const"],
            kind.as_str()
        );
    }
    let op = &doc["paths"]["/v1/actions/int32bit.system.exec"]["post"];
    assert_eq!(
        op["responses"]["422"]["$ref"],
        "#/components/responses/command_failed"
    );
}

#[test]
fn readiness_and_metrics_are_documented() {
    let doc = document();
    let ready = &doc["paths"]["/readyz"]["get"];
    assert_eq!(ready["security"], json!([]));
    let not_ready = &ready["responses"]["503"]["content"]["application/json"]["schema"];
    assert_eq!(not_ready["properties"]["status"]["const"], "not_ready");
    assert_eq!(not_ready["required"], json!(["status", "reason"]));
    let metrics = &doc["paths"]["/metrics"]["get"];
    // The bearer token, or none when the server's `metrics.public` says so.
    assert_eq!(metrics["security"], json!([{ "bearer": [] }, {}]));
    assert!(metrics["responses"]["200"]["content"]
        .get("application/openmetrics-text")
        .is_some());
}
