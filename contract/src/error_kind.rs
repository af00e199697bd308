//! Every way a request can fail, with the status it is answered with.

/// The `kind` of an error body. Mistral's `std.http` fails a task on any status outside
/// 200–306, so every kind is a non-2xx status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ErrorKind {
    BadInput,
    Unauthorized,
    Forbidden,
    UnknownAction,
    NotFound,
    UnexpectedState,
    CommandFailed,
    Config,
    OpenStack,
    Timeout,
}

impl ErrorKind {
    /// In status order.
    pub const ALL: [ErrorKind; 10] = [
        ErrorKind::BadInput,
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::UnknownAction,
        ErrorKind::NotFound,
        ErrorKind::UnexpectedState,
        ErrorKind::CommandFailed,
        ErrorKind::Config,
        ErrorKind::OpenStack,
        ErrorKind::Timeout,
    ];

    /// The stable, machine-readable name in the error body.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "bad_input",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::UnknownAction => "unknown_action",
            ErrorKind::NotFound => "not_found",
            ErrorKind::UnexpectedState => "unexpected_state",
            ErrorKind::CommandFailed => "command_failed",
            ErrorKind::Config => "config",
            ErrorKind::OpenStack => "openstack",
            ErrorKind::Timeout => "timeout",
        }
    }

    pub const fn status(self) -> u16 {
        match self {
            ErrorKind::BadInput => 400,
            ErrorKind::Unauthorized => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::UnknownAction | ErrorKind::NotFound => 404,
            ErrorKind::UnexpectedState => 409,
            ErrorKind::CommandFailed => 422,
            ErrorKind::Config => 500,
            ErrorKind::OpenStack => 502,
            ErrorKind::Timeout => 504,
        }
    }

    /// When a request ends with this kind, for documentation.
    pub const fn when(self) -> &'static str {
        match self {
            ErrorKind::BadInput => "the body is not a JSON object, or an input is unknown, of the wrong type or missing",
            ErrorKind::Unauthorized => "no valid bearer token",
            ErrorKind::Forbidden => "`X-OpenStack-Project` or `X-OpenStack-Region` names a project or region the server may not select (not configured, not in `openstack.projects` / `openstack.regions`, or another project than the bearer token's); or `system.exec` is disabled, or the program is not allowed",
            ErrorKind::UnknownAction => "no action of that name",
            ErrorKind::NotFound => "no such endpoint",
            ErrorKind::UnexpectedState => "the action ran and the world is not as asserted: status mismatch, server in ERROR, nothing matches",
            ErrorKind::CommandFailed => "`system.exec`: non-zero exit or output over the cap",
            ErrorKind::Config => "the server lacks configuration the action needs (no cloud)",
            ErrorKind::OpenStack => "OpenStack answered an error (including 404 for a missing resource), could not be reached, or answered something unreadable",
            ErrorKind::Timeout => "OpenStack or a command did not answer in time",
        }
    }

    /// Whether running an action can end with this kind (the others come from routing
    /// and authentication).
    pub const fn from_actions(self) -> bool {
        !matches!(
            self,
            ErrorKind::Unauthorized | ErrorKind::UnknownAction | ErrorKind::NotFound
        )
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_is_listed_once_in_status_order_and_fails_the_task() {
        let names: std::collections::BTreeSet<&str> =
            ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), ErrorKind::ALL.len());
        assert!(ErrorKind::ALL
            .windows(2)
            .all(|w| w[0].status() <= w[1].status()));
        assert!(ErrorKind::ALL.iter().all(|k| k.status() >= 400));
    }
}
