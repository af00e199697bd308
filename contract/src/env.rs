//! The keys of Mistral's environment (`env()`) a deployment sets to reach its action
//! server; each registration reads them per execution.

use crate::header;

/// What a key falls back to when the execution's environment does not set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnvDefault {
    /// `server_url` of `specs/project.yaml`, baked into the registrations.
    ServerUrl,
    /// The empty string: the server's own setting.
    Empty,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvKey {
    pub name: &'static str,
    pub default: EnvDefault,
    /// The request header the value travels in, if any (the URL is the request's target).
    pub header: Option<&'static str>,
    pub meaning: &'static str,
}

impl EnvKey {
    pub const URL: EnvKey = EnvKey {
        name: "mistral_actions_url",
        default: EnvDefault::ServerUrl,
        header: None,
        meaning: "action server base URL",
    };
    pub const TOKEN: EnvKey = EnvKey {
        name: "mistral_actions_token",
        default: EnvDefault::Empty,
        header: Some(header::AUTHORIZATION),
        meaning: "bearer token the action server expects",
    };
    pub const REGION: EnvKey = EnvKey {
        name: "mistral_actions_region",
        default: EnvDefault::Empty,
        header: Some(header::REGION),
        meaning: "OpenStack region the action server calls for this execution",
    };
    pub const PROJECT: EnvKey = EnvKey {
        name: "mistral_actions_project",
        default: EnvDefault::Empty,
        header: Some(header::PROJECT),
        meaning: "OpenStack project (id or name) the action server acts in for this execution",
    };
}

/// Every key, in the order the registrations send them.
pub const ENV_KEYS: [EnvKey; 4] = [EnvKey::URL, EnvKey::TOKEN, EnvKey::REGION, EnvKey::PROJECT];
