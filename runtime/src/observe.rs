//! What the runtime reports as it works (OpenStack requests, Keystone logins and token
//! renewals, exec runs), for the server to count. A trait rather than a metrics crate: the
//! runtime stays free of any exposition format, and tests and tools that use it without a
//! server report to no one ([`Observe::none`]).
//!
//! Every value handed over is bounded and the server's own: catalog service types and
//! methods the code names, HTTP statuses, allowlisted programs and exit codes; never an
//! input value, a path (it holds ids) or a secret.

use std::sync::Arc;
use std::time::Duration;

/// How one OpenStack request ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The service answered with this HTTP status.
    Status(u16),
    /// No answer in time.
    Timeout,
    /// No answer at all (refused connection, TLS failure, unreadable answer).
    Unreachable,
}

/// How one Keystone login ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    Ok,
    Failed,
}

/// Why a cached token was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Renewal {
    /// It was about to expire (within the refresh margin).
    Expiring,
    /// A service refused it (401): revoked, or expired early.
    Refused,
}

impl Renewal {
    pub const fn as_str(self) -> &'static str {
        match self {
            Renewal::Expiring => "expiring",
            Renewal::Refused => "refused",
        }
    }
}

/// How one program of an exec run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Killed by a signal (SIGPIPE included: the reader stopped).
    Signal,
    /// Killed at the exec timeout.
    Timeout,
    /// Could not be started (not found, not executable).
    NotStarted,
    /// Not run: exec is disabled or the program is not on `exec.allow`. Its name is the
    /// caller's text, so it is never reported.
    Refused,
}

/// The receiver of the runtime's events. Every method defaults to doing nothing.
pub trait Observer: Send + Sync {
    /// One HTTP request to `service` (a catalog type, `identity` for logins).
    fn openstack_request(
        &self,
        _service: &str,
        _method: &'static str,
        _answer: Answer,
        _took: Duration,
    ) {
    }
    /// One login (`POST /auth/tokens`), for any project.
    fn keystone_login(&self, _login: Login) {}
    /// A cached token replaced; the login that replaces it is reported too.
    fn token_renewal(&self, _why: Renewal) {}
    /// One program of an exec run; `program` is `None` for a refused one.
    fn exec_run(&self, _program: Option<&str>, _exit: Exit) {}
}

struct Nobody;
impl Observer for Nobody {}

/// A shared [`Observer`]; the default reports to no one.
#[derive(Clone)]
pub struct Observe(Arc<dyn Observer>);

impl Observe {
    pub fn new(observer: Arc<dyn Observer>) -> Observe {
        Observe(observer)
    }

    pub fn none() -> Observe {
        Observe(Arc::new(Nobody))
    }
}

impl Default for Observe {
    fn default() -> Self {
        Observe::none()
    }
}

impl std::ops::Deref for Observe {
    type Target = dyn Observer;
    fn deref(&self) -> &(dyn Observer + 'static) {
        &*self.0
    }
}

impl std::fmt::Debug for Observe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Observe")
    }
}
