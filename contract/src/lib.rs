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

/// Paths the server serves.
pub mod route {
    /// `GET`: liveness, without a token.
    pub const HEALTH: &str = "/healthz";
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
    /// `Authorization: Bearer <token>` on every route but [`super::route::HEALTH`].
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
}
