//! The real OpenStack the run acts on, as env.json and clouds.yaml describe it: the test
//! user's logins.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use harness_contract::OpenStackEnv;
use mistral_actions_runtime::openstack::CloudConfig;
use serde_json::Value;

use crate::services::mistral_for_tests;
use crate::services::openstack::api::Api;

pub struct Cloud {
    pub env: OpenStackEnv,
    /// Where `env` was read from (the settle helper reads it again).
    pub env_file: PathBuf,
}

impl Cloud {
    pub fn read(env_file: &Path) -> Result<Cloud> {
        Ok(Cloud {
            env: OpenStackEnv::read(env_file)?,
            env_file: env_file.to_path_buf(),
        })
    }

    /// A cloud of clouds.yaml (`ma-test`, `ma-test-appcred`, …) as the runtime reads it.
    pub fn config(&self, cloud: &str) -> Result<CloudConfig> {
        let mut config = CloudConfig::from_clouds_yaml(&self.env.clouds_yaml, cloud)
            .with_context(|| format!("cloud {cloud} of {}", self.env.clouds_yaml.display()))?;
        // Two cores run every service here; be patient.
        config.timeout = Duration::from_secs(60);
        Ok(config)
    }

    /// A fresh token of the test user, scoped to the test project (what a person gets
    /// from `openstack token issue`), with the token body.
    pub fn user_login(&self) -> Result<(Api, Value)> {
        mistral_for_tests::user_login(&self.env)
    }
}
