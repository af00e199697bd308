//! What the generated actions (`generated/actions`) call at run time.
//!
//! - [`openstack`]: Keystone v3 sessions from `clouds.yaml` / `OS_*`, catalog lookup, token
//!   cache with re-authentication.
//! - [`helpers`]: the bodies of the declarative implementation kinds (`get_field`,
//!   `assert_field`, `list_filter`).
//! - [`custom`]: the hand-written actions that specs name with `kind: custom`.
//! - [`input`]: typed-input plumbing (strict parsing, `Uuid`, `Secret`).
//! - [`error`]: [`ActionError`] and the HTTP status each variant maps to.

pub mod clock;
pub mod custom;
pub mod error;
pub mod helpers;
pub mod input;
pub mod logsafe;
pub mod observe;
pub mod openstack;
pub mod registry;
pub mod shlex;
pub mod yaml;

use std::sync::Arc;

pub use custom::system::ExecPolicy;
pub use error::ActionError;
pub use input::{Secret, Uuid};
pub use observe::{Observe, Observer};
pub use openstack::OpenStack;
pub use registry::{ActionDef, BoxFuture, Handler};

/// Everything an action may use; shared by all requests.
#[derive(Clone, Default)]
pub struct Context {
    /// `None` when no cloud is configured: OpenStack actions then fail with a config error.
    pub openstack: Option<Arc<OpenStack>>,
    pub exec: ExecPolicy,
    /// Per-call region override (the server takes it from the `X-OpenStack-Region`
    /// header); `None` uses the cloud's region.
    pub region: Option<String>,
    /// Per-call project override, an id or a name (the server takes it from the
    /// `X-OpenStack-Project` header); `None` uses the configured project.
    pub project: Option<String>,
    /// The API microversions the running action relies on (from its spec); every request
    /// to one of these services names its version.
    pub microversions: openstack::Microversions,
    /// Where exec runs are reported (OpenStack's events go to [`OpenStack`]'s own).
    pub observe: Observe,
}

impl Context {
    /// OpenStack, in this call's region and project.
    pub fn openstack(&self) -> Result<openstack::Scoped<'_>, ActionError> {
        let os = self.openstack.as_deref().ok_or_else(|| {
            ActionError::Config(
                "no OpenStack cloud is configured (set OS_CLOUD or OS_AUTH_URL, or `openstack:` in the server config)"
                    .into(),
            )
        })?;
        Ok(os.scoped(
            self.region.as_deref(),
            self.project.as_deref(),
            self.microversions,
        ))
    }

    /// This context for an action that relies on `microversions`.
    pub fn with_microversions(&self, microversions: openstack::Microversions) -> Context {
        Context {
            microversions,
            ..self.clone()
        }
    }
}
