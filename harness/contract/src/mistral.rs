//! The Mistral the harness starts for the tests (`cargo xtask ci`, step "start Mistral",
//! and `cargo harness openstack`), as a deployment has it: Mistral 23 with
//! `auth_enable = True` on the OpenStack's Keystone, cron triggers run through Keystone
//! trusts by a periodic task of its own (`mistral-server --server periodic`), registered
//! in the Keystone catalog as `workflowv2`. [`MistralEnv`] is saved as
//! `target/services/mistral/env.json`, whose path `MA_TEST_MISTRAL` ([`MISTRAL_ENV`])
//! holds. The users and clouds to act as are the OpenStack's ([`crate::OpenStackEnv`],
//! its clouds.yaml): [`crate::USER_CLOUD`] and [`crate::OTHER_CLOUD`] (two members of the
//! test project), [`crate::PROJECT_ADMIN_CLOUD`] (`admin` in it), [`crate::ALT_CLOUD`] and
//! [`crate::OTHER_ALT_CLOUD`] (the members in the second project).

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::{read_json, write_json, Error, OpenStackEnv};

/// The variable that points the tests to the Mistral part of the contract.
pub const MISTRAL_ENV: &str = "MA_TEST_MISTRAL";

/// What a test needs to reach the harness's Mistral.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MistralEnv {
    /// The REST API root, `http://127.0.0.1:<port>/v2`: the URL of its catalog entry.
    pub api_root: String,
    /// The catalog's service type for it, `workflowv2`.
    pub service_type: String,
    /// The OpenStack env.json whose Keystone Mistral checks tokens with (and whose
    /// clouds.yaml names the users).
    pub openstack_env: PathBuf,
    /// Mistral's database (libpq URL), where the end-to-end run applies the SQL
    /// registrations.
    pub database_url: String,
    /// Where the logs of the API (with the engine and executor) and of the periodic task
    /// are.
    pub logs: PathBuf,
}

impl MistralEnv {
    /// The env.json that `MA_TEST_MISTRAL` names.
    pub fn from_env() -> Result<Self, Error> {
        let path = std::env::var_os(MISTRAL_ENV)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .ok_or(Error::MistralUnset)?;
        Self::read(&path)
    }

    pub fn read(path: &Path) -> Result<Self, Error> {
        read_json(MISTRAL_ENV, path)
    }

    pub fn write(&self, path: &Path) -> Result<(), Error> {
        write_json(MISTRAL_ENV, path, self)
    }

    /// The OpenStack it runs on.
    pub fn openstack(&self) -> Result<OpenStackEnv, Error> {
        OpenStackEnv::read(&self.openstack_env)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_written_reads_back_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let env = MistralEnv {
            api_root: "http://127.0.0.1:18989/v2".into(),
            service_type: "workflowv2".into(),
            openstack_env: dir.path().join("openstack/env.json"),
            database_url: "postgresql://postgres@127.0.0.1:15432/mistral".into(),
            logs: dir.path().join("mistral"),
        };
        let file = dir.path().join("env.json");
        env.write(&file).unwrap();
        assert_eq!(MistralEnv::read(&file).unwrap(), env);
        let message = env.openstack().unwrap_err().to_string();
        assert!(message.contains("openstack/env.json"), "{message}");
    }

    #[test]
    fn an_unset_variable_says_how_to_start_mistral() {
        let message = Error::MistralUnset.to_string();
        assert!(message.contains(MISTRAL_ENV), "{message}");
        assert!(message.contains("cargo harness openstack"), "{message}");
    }
}
