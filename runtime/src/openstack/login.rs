//! A login on demand, for operator tools (`mistral-actions config check`) that must try
//! exactly the login the server would make, before any action runs.

use std::sync::Arc;

use super::keystone::Session;
use super::OpenStack;
use crate::ActionError;

impl OpenStack {
    /// The configured project's session: a login with Keystone unless a fresh token is
    /// cached. The error is Keystone's refusal or why it could not be reached.
    pub async fn login(&self) -> Result<Arc<Session>, ActionError> {
        self.session(None).await
    }
}
