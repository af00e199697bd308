//! The rows our migrations write, loaded back by Mistral 23's own Python code from the real
//! database, the way its engine does before running an action: `AdHocActionProvider.find`
//! reads the row, `instantiate` evaluates `base-input` into a `std.http` action. Also checks
//! that Mistral, given our `definition`, would store exactly our `spec`, `input`,
//! `description` and `tags`.

mod sql_db;

use std::collections::BTreeMap;
use std::process::Command;

use codegen::emit::sql;
use codegen::model::{Dialect, SchemaGeneration};
use codegen::registration::Row;
use serde_json::{json, Value};
use sql_db::{root, Db};

const PROBE: &str = r#"
import json, sys, warnings
warnings.simplefilter("ignore")
from oslo_config import cfg
from oslo_db import options as db_options
from mistral import config  # noqa: registers Mistral's options
db_options.set_defaults(cfg.CONF)
cfg.CONF([], project="mistral", default_config_files=[])
cfg.CONF.set_override("connection", sys.argv[1], group="database")
cfg.CONF.set_override("auth_enable", False, group="pecan")
from mistral import context
from mistral.db.v2 import api as db_api
from mistral.actions import adhoc
from mistral.services import adhoc_actions
from mistral.lang import parser as spec_parser
db_api.setup_db()
context.set_ctx(context.MistralContext(project_id="<default-project>", is_admin=True))
provider = adhoc.AdHocActionProvider()
out = {}
for name in sys.argv[2:]:
    desc = provider.find(name, namespace="")
    if desc is None:
        out[name] = None
        continue
    inputs = {k: "v-" + k for k in desc.spec.get_input()}
    plain = desc.instantiate(inputs, {"__env": {}}).base_action
    deployed = desc.instantiate(inputs, {"__env": {
        "mistral_actions_url": "https://actions.example:8443",
        "mistral_actions_token": "s3cret",
        "mistral_actions_region": "RegionTwo",
        "mistral_actions_project": "ops"}}).base_action
    [again] = spec_parser.get_action_list_spec_from_yaml(desc.definition).get_actions()
    values = adhoc_actions._get_action_values(again, desc.definition, "public", "")
    out[name] = {
        "params": desc.params_spec, "base": type(plain).__name__,
        "url": plain.url, "method": plain.method, "headers": plain.headers,
        "body": plain.body, "timeout": plain.timeout,
        "deployed_url": deployed.url, "deployed_headers": deployed.headers,
        "spec": json.dumps(values["spec"]), "tags": values["tags"],
        "description": values["description"], "input": values["input"],
    }
print(json.dumps(out))
"#;

fn mistral_loads(dialect: Dialect) {
    let python = std::env::var_os("MA_MISTRAL_PYTHON").unwrap_or_else(|| {
        panic!(
            "MA_MISTRAL_PYTHON is not set: this test loads our rows with Mistral's own code. \
             Run `cargo xtask ci`, which installs mistral==23.0.0 into target/mistral-venv and \
             sets it, or set it to a Python that can `import mistral`."
        )
    });
    let generation = SchemaGeneration::VictoriaTo2026;
    let db = Db::new(&dialect, &generation, "mistral_python");
    let dir = root()
        .join("generated/sql")
        .join(dialect.as_str())
        .join(generation.as_str());
    let mut ups: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".up.sql"))
        .collect();
    ups.sort();
    for up in &ups {
        db.apply_file(up).unwrap();
    }
    let (model, _) = codegen::spec::load(&root()).unwrap();
    let rows: BTreeMap<String, Row> = sql::desired(&model).unwrap();
    let out = Command::new(&python)
        .arg("-c")
        .arg(PROBE)
        .arg(db.sqlalchemy_url())
        .args(rows.keys())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python:?}: {e}"));
    assert!(
        out.status.success(),
        "Mistral could not load our rows:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let loaded: Value = serde_json::from_str(stdout.lines().last().unwrap_or_default())
        .unwrap_or_else(|e| panic!("unreadable probe output ({e}): {stdout}"));
    for (name, row) in &rows {
        let got = &loaded[name];
        assert!(got.is_object(), "{name}: Mistral did not find the action");
        let action = model.action(name).unwrap();
        assert_eq!(got["base"], "HTTPAction", "{name}: based on std.http");
        assert_eq!(
            got["url"],
            format!("{}/v1/actions/{name}", model.project.server_url),
            "{name}"
        );
        assert_eq!(
            got["deployed_url"],
            format!("https://actions.example:8443/v1/actions/{name}"),
            "{name}"
        );
        assert_eq!(got["method"], "POST");
        assert_eq!(
            got["headers"],
            json!({"Content-Type": "application/json", "Authorization": "Bearer ",
                "X-OpenStack-Region": "", "X-OpenStack-Project": ""})
        );
        assert_eq!(got["deployed_headers"]["Authorization"], "Bearer s3cret");
        assert_eq!(got["deployed_headers"]["X-OpenStack-Region"], "RegionTwo");
        assert_eq!(got["deployed_headers"]["X-OpenStack-Project"], "ops");
        assert_eq!(got["timeout"], 600);
        let body: Value = serde_json::from_str(
            got["body"]
                .as_str()
                .expect("std.http serialises a dict body"),
        )
        .unwrap();
        let want_body: serde_json::Map<String, Value> = action
            .inputs
            .iter()
            .map(|i| (i.name.clone(), json!(format!("v-{}", i.name))))
            .collect();
        assert_eq!(
            body,
            Value::Object(want_body),
            "{name}: every input goes in the body"
        );
        assert_eq!(
            got["params"].as_str(),
            Some(action.signature().as_str()),
            "{name}"
        );
        // Mistral, given our definition, would store exactly our row.
        assert_eq!(
            got["spec"].as_str(),
            Some(row.spec.as_str()),
            "{name}: spec"
        );
        assert_eq!(
            got["description"].as_str(),
            Some(row.description.as_str()),
            "{name}"
        );
        assert_eq!(got["input"].as_str(), row.input.as_deref(), "{name}");
        assert_eq!(
            got["tags"].to_string().replace(',', ", "),
            row.tags,
            "{name}"
        );
    }
}

#[test]
fn mistral_loads_our_rows_from_postgresql() {
    mistral_loads(Dialect::Postgresql);
}

#[test]
fn mistral_loads_our_rows_from_mariadb() {
    mistral_loads(Dialect::Mysql);
}
