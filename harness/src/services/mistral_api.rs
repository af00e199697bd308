//! The few calls of Mistral's v2 REST API the end-to-end run makes, each with a Keystone
//! token (`X-Auth-Token`), over a blocking HTTP client.

use std::time::Duration;

use anyhow::{anyhow, Context, Result};

use serde_json::{json, Value};

pub struct MistralApi {
    base: String,
    agent: ureq::Agent,
    /// Sent as `X-Auth-Token` with every call; `None` sends none (to see Mistral refuse).
    token: Option<String>,
}

/// A non-2xx answer or a transport failure, with what the service (Mistral, OpenStack)
/// said.
pub fn describe(what: &str, err: ureq::Error) -> anyhow::Error {
    match err {
        ureq::Error::Status(code, resp) => {
            let body = resp.into_string().unwrap_or_default();
            anyhow!("{what}: HTTP {code}: {}", body.trim())
        }
        ureq::Error::Transport(t) => anyhow::Error::new(t).context(what.to_string()),
    }
}

/// Whether a plain GET of `url` answers 2xx (any HTTP service, e.g. a health check).
pub fn http_ok(url: &str) -> bool {
    ureq::get(url)
        .timeout(Duration::from_secs(5))
        .call()
        .is_ok()
}

impl MistralApi {
    /// `base` is `http://host:port` (without `/v2`); `token` a Keystone token.
    pub fn new(base: &str, token: Option<&str>) -> Self {
        MistralApi {
            base: base.trim_end_matches('/').to_string(),
            agent: ureq::AgentBuilder::new()
                .timeout(Duration::from_secs(60))
                .build(),
            token: token.map(str::to_string),
        }
    }

    fn url(&self, path: &str) -> String {
        format!("{}/v2/{path}", self.base)
    }

    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let request = self.agent.request(method, &self.url(path));
        match &self.token {
            Some(token) => request.set("X-Auth-Token", token),
            None => request,
        }
    }

    /// The HTTP status of `GET /v2/<path>` (a refusal is an answer too).
    pub fn status_of(&self, path: &str) -> Result<u16> {
        match self.request("GET", path).call() {
            Ok(resp) => Ok(resp.status()),
            Err(ureq::Error::Status(code, _)) => Ok(code),
            Err(e) => Err(describe(&format!("GET /v2/{path}"), e)),
        }
    }

    fn json(what: &str, resp: ureq::Response) -> Result<Value> {
        let text = resp
            .into_string()
            .with_context(|| format!("{what}: cannot read the answer"))?;
        serde_json::from_str(&text).with_context(|| format!("{what}: answer is not JSON: {text}"))
    }

    pub fn get(&self, path: &str) -> Result<Value> {
        let what = format!("GET /v2/{path}");
        let resp = self
            .request("GET", path)
            .call()
            .map_err(|e| describe(&what, e))?;
        Self::json(&what, resp)
    }

    /// Whether the API answers (200 on the workflow list), else why not.
    pub fn ready(&self) -> Result<()> {
        self.request("GET", "workflows")
            .timeout(Duration::from_secs(5))
            .call()
            .map(drop)
            .map_err(|e| describe("GET /v2/workflows", e))
    }

    /// Creates (or, if they exist, updates) the workflows of one DSL v2 document.
    pub fn upload_workflows(&self, yaml: &str) -> Result<Vec<String>> {
        let created = self
            .request("POST", "workflows")
            .set("Content-Type", "text/plain")
            .send_string(yaml);
        let resp = match created {
            Err(ureq::Error::Status(409, _)) => self
                .request("PUT", "workflows")
                .set("Content-Type", "text/plain")
                .send_string(yaml)
                .map_err(|e| describe("PUT /v2/workflows", e))?,
            other => other.map_err(|e| describe("POST /v2/workflows", e))?,
        };
        let body = Self::json("POST /v2/workflows", resp)?;
        Ok(body["workflows"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|w| w["name"].as_str().map(str::to_string))
            .collect())
    }

    /// Starts an execution of `workflow` with `input` and `env` in its params; returns its id.
    pub fn start_execution(&self, workflow: &str, input: &Value, env: &Value) -> Result<String> {
        let what = format!("POST /v2/executions ({workflow})");
        let body = json!({
            "workflow_name": workflow,
            "input": input.to_string(),
            "params": json!({"env": env}).to_string(),
        });
        let resp = self
            .request("POST", "executions")
            .set("Content-Type", "application/json")
            .send_string(&body.to_string())
            .map_err(|e| describe(&what, e))?;
        let exec = Self::json(&what, resp)?;
        exec["id"]
            .as_str()
            .map(str::to_string)
            .with_context(|| format!("{what}: no id in {exec}"))
    }

    pub fn execution(&self, id: &str) -> Result<Value> {
        self.get(&format!("executions/{id}"))
    }

    /// One task with its result (the list leaves results out).
    pub fn task(&self, id: &str) -> Result<Value> {
        self.get(&format!("tasks/{id}"))
    }

    /// The tasks of an execution, with their states and state_info (no results).
    pub fn tasks(&self, execution_id: &str) -> Result<Vec<Value>> {
        let body = self.get(&format!("tasks?workflow_execution_id={execution_id}"))?;
        Ok(body["tasks"].as_array().cloned().unwrap_or_default())
    }

    /// The action executions of a task: one per attempt when it retries.
    pub fn action_executions(&self, task_id: &str) -> Result<Vec<Value>> {
        let body = self.get(&format!("tasks/{task_id}/action_executions"))?;
        Ok(body["action_executions"]
            .as_array()
            .cloned()
            .unwrap_or_default())
    }

    /// The names of every action Mistral lists (builtins from its providers and ad-hoc ones
    /// from its database), through the operator CLI's client.
    pub fn action_names(&self) -> Result<Vec<String>> {
        use mistral_actions_deploy::mistral::{Client, Source};
        let client = Client::connect(&Source::Plain {
            api_root: self.url(""),
            token: self.token.clone(),
        })?;
        let listed = client.list("/actions", &[], "actions")?;
        Ok(listed
            .iter()
            .filter_map(|a| a["name"].as_str().map(str::to_string))
            .collect())
    }
}
