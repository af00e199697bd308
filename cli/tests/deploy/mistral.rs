//! The tests' own calls to Mistral, beside the tool: what another user of the project
//! makes, what Mistral holds afterwards, and cleaning up after a test. A blocking client
//! with a Keystone token of one of the harness's users.

use std::time::Duration;

use harness_contract::{MistralEnv, OpenStackEnv, Project, User};
use serde_json::{json, Value};

pub struct Api {
    agent: ureq::Agent,
    api_root: String,
    token: String,
}

fn describe(what: &str, e: ureq::Error) -> String {
    match e {
        ureq::Error::Status(code, r) => {
            format!("{what}: {code}: {}", r.into_string().unwrap_or_default())
        }
        ureq::Error::Transport(t) => format!("{what}: {t}"),
    }
}

impl Api {
    /// Logged in as `user` in `project`.
    pub fn login(mistral: &MistralEnv, os: &OpenStackEnv, user: &User, project: &Project) -> Api {
        let agent = ureq::AgentBuilder::new()
            .timeout(Duration::from_secs(120))
            .build();
        let body = json!({"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": user.name, "domain": {"name": user.domain_name},
                "password": user.password}}},
            "scope": {"project": {"name": project.name, "domain": {"name": project.domain_name}}}
        }});
        let answer = agent
            .post(&format!("{}/auth/tokens", os.auth_url))
            .set("Content-Type", "application/json")
            .send_string(&body.to_string())
            .unwrap_or_else(|e| panic!("{}", describe("login", e)));
        Api {
            token: answer.header("X-Subject-Token").unwrap().to_string(),
            agent,
            api_root: mistral.api_root.clone(),
        }
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        self.agent
            .request(method, &format!("{}{path}", self.api_root))
            .set("X-Auth-Token", &self.token)
    }

    fn json(r: ureq::Response) -> Value {
        let text = r.into_string().unwrap();
        if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap()
        }
    }

    pub fn get(&self, path: &str) -> Value {
        Self::json(
            self.request("GET", path)
                .call()
                .unwrap_or_else(|e| panic!("{}", describe(&format!("GET {path}"), e))),
        )
    }

    /// A workflow (or action) definition, as text.
    pub fn post_text(&self, path: &str, text: &str) -> Value {
        Self::json(
            self.request("POST", path)
                .set("Content-Type", "text/plain")
                .send_string(text)
                .unwrap_or_else(|e| panic!("{}", describe(&format!("POST {path}"), e))),
        )
    }

    pub fn post_json(&self, path: &str, body: &Value) -> Value {
        Self::json(
            self.request("POST", path)
                .set("Content-Type", "application/json")
                .send_string(&body.to_string())
                .unwrap_or_else(|e| panic!("{}", describe(&format!("POST {path}"), e))),
        )
    }

    /// Deletes; a missing resource is fine.
    pub fn delete(&self, path: &str) {
        match self.request("DELETE", path).call() {
            Ok(_) | Err(ureq::Error::Status(404, _)) => {}
            Err(e) => panic!("{}", describe(&format!("DELETE {path}"), e)),
        }
    }

    /// The project's items of a collection (`workflows`, `cron_triggers`, …).
    pub fn list(&self, collection: &str) -> Vec<Value> {
        self.get(&format!("/{collection}"))[collection]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The one item of `collection` named `name`, if any.
    pub fn find(&self, collection: &str, name: &str) -> Option<Value> {
        self.list(collection)
            .into_iter()
            .find(|i| i["name"] == name)
    }

    /// Deletes every trigger, workflow, action and environment of the project whose name
    /// starts with `prefix` (what a test made, or an earlier run of it left).
    pub fn clean(&self, prefix: &str) {
        for t in self.list("cron_triggers") {
            if t["name"].as_str().unwrap_or("").starts_with(prefix) {
                self.delete(&format!("/cron_triggers/{}", t["id"].as_str().unwrap()));
            }
        }
        for w in self.list("workflows") {
            if w["name"].as_str().unwrap_or("").starts_with(prefix) {
                let ns = w["namespace"].as_str().unwrap_or("");
                self.delete(&format!(
                    "/workflows/{}?namespace={ns}",
                    w["id"].as_str().unwrap()
                ));
            }
        }
        for a in self.list("actions") {
            if a["name"].as_str().unwrap_or("").starts_with(prefix) && a["project_id"].is_string() {
                self.delete(&format!("/actions/{}", a["id"].as_str().unwrap()));
            }
        }
        for e in self.list("environments") {
            let name = e["name"].as_str().unwrap_or("");
            if name.starts_with(prefix) {
                self.delete(&format!("/environments/{name}"));
            }
        }
    }
}
