//! The HTTP contract between Mistral and the action server, written once.
//!
//! Mistral calls each action as an ad-hoc `std.http` action (rows the SQL emitter writes);
//! the server answers it (`mistral-actions-server`); the runtime decides which error an
//! action ends with; the catalog and `generated/openapi.json` document it. All four read
//! the routes, headers, body envelope, error kinds and `env()` keys from here, so they
//! cannot drift apart. No dependencies: every crate of the workspace can use it.

mod env;
mod error_kind;

pub use env::{EnvDefault, EnvKey, ENV_KEYS};
pub use error_kind::ErrorKind;

/// The tag in every row mistral-actions registers in Mistral: its SQL only ever changes
/// rows carrying it, and `action-list` tells ours from others' by it.
pub const OWNER_TAG: &str = "mistral-actions:managed";

/// How `mistral-actions apply` tells what it made in a Mistral from what others made: it
/// only ever changes or deletes resources carrying these marks, and stops before the
/// first write when someone else's resource holds one of its names.
pub mod ownership {
    /// Actions and workflows: this tag, in the DSL's `tags:` (Mistral takes tags from
    /// the definition text only).
    pub use super::OWNER_TAG as TAG;
    /// Cron triggers (which have no tags or description): this key in
    /// `workflow_params`, with [`TRIGGER_PARAM_VALUE`]. Mistral passes it to each
    /// execution as a parameter, where it is kept and ignored.
    pub const TRIGGER_PARAM: &str = "mistral_actions";
    /// The value of [`TRIGGER_PARAM`].
    pub const TRIGGER_PARAM_VALUE: &str = "managed";
    /// Environments (which have no tags): this variable, `true`. The specs may not
    /// declare it.
    pub const ENVIRONMENT_VARIABLE: &str = "mistral_actions_managed";
}

/// Paths the server serves.
pub mod route {
    /// `GET`: liveness, without a token.
    pub const HEALTH: &str = "/healthz";
    /// `GET`: readiness, without a token: 200 when calls can work (a Keystone token, every
    /// service the actions use in the catalog), else 503 with the reason.
    pub const READY: &str = "/readyz";
    /// `GET`: Prometheus metrics ([`super::media::METRICS`]); needs the bearer token
    /// unless the server's `metrics.public` is true.
    pub const METRICS: &str = "/metrics";
    /// `GET`: every action with its Mistral input string.
    pub const ACTIONS: &str = "/v1/actions";
    /// `POST` with the input as a JSON object: runs the action `{name}`.
    pub const ACTION: &str = "/v1/actions/{name}";

    /// The path that runs the action `name`.
    pub fn action(name: &str) -> String {
        format!("{ACTIONS}/{name}")
    }
}

/// Request and response headers, in their canonical spelling (HTTP compares them without
/// regard to case).
pub mod header {
    /// `Authorization: Bearer <token>` on every route but [`super::route::HEALTH`] and
    /// [`super::route::READY`] (and [`super::route::METRICS`] when it is public).
    pub const AUTHORIZATION: &str = "Authorization";
    /// The authorization scheme the server accepts.
    pub const BEARER: &str = "Bearer";
    /// Taken from the caller when short and printable, else made up; echoed back.
    pub const REQUEST_ID: &str = "X-Request-Id";
    /// The OpenStack region of this call; empty means the server's own. Only the
    /// configured region and those the operator lists may be named.
    pub const REGION: &str = "X-OpenStack-Region";
    /// The OpenStack project (id or name) of this call; empty means the server's own (or
    /// the bearer token's). Only the configured project and those the operator lists may
    /// be named, as they are listed.
    pub const PROJECT: &str = "X-OpenStack-Project";
}

/// The JSON bodies: `{"result": …}` on success, `{"error": {"kind", "message"}}` on
/// failure, with a non-2xx status so Mistral fails the task and `retry:` works.
pub mod envelope {
    pub const RESULT: &str = "result";
    pub const ERROR: &str = "error";
    pub const KIND: &str = "kind";
    pub const MESSAGE: &str = "message";
    /// The listing: `{"actions": [{"name", "input", "description"}]}`.
    pub const ACTIONS: &str = "actions";
    pub const NAME: &str = "name";
    pub const INPUT: &str = "input";
    pub const DESCRIPTION: &str = "description";
    /// The health answer: `{"status": "ok"}`.
    pub const STATUS: &str = "status";
    pub const OK: &str = "ok";
    /// The readiness answers: `{"status": "ready", "services": [...]}` (200) and
    /// `{"status": "not_ready", "reason": "..."}` (503).
    pub const READY: &str = "ready";
    pub const NOT_READY: &str = "not_ready";
    pub const SERVICES: &str = "services";
    pub const REASON: &str = "reason";
}

/// Media types of the answers that are not JSON.
pub mod media {
    /// [`super::route::METRICS`]: the OpenMetrics text format, which Prometheus scrapes.
    pub const METRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
}

/// The status of [`route::READY`] when the server is not ready (not an error kind: the
/// readiness answer is not the error envelope).
pub const NOT_READY_STATUS: u16 = 503;
