//! Nova actions beyond a plain field check.

use serde_json::Value;

use crate::helpers::segment;
use crate::{ActionError, Context, Uuid};

/// `OS-EXT-STS:power_state` codes 0..7; the empty names are codes Nova does not use.
pub const POWER_STATES: [&str; 8] = [
    "nostate",
    "running",
    "",
    "paused",
    "shutdown",
    "",
    "crashed",
    "suspended",
];

/// `int32bit.nova.servers.assert_power_status`: fails when the server is in ERROR,
/// whatever its power state, or when its power state is not `status`.
pub async fn assert_power_status(
    ctx: &Context,
    server_id: Uuid,
    status: &str,
) -> Result<Value, ActionError> {
    let body = ctx
        .openstack()?
        .get("compute", &format!("/servers/{}", segment(&server_id)), &[])
        .await?;
    let server = body
        .get("server")
        .ok_or_else(|| ActionError::upstream("compute answered without `server`"))?;
    if server.get("status").and_then(Value::as_str) == Some("ERROR") {
        return Err(ActionError::UnexpectedState(
            "The server is in ERROR status".into(),
        ));
    }
    let code = server
        .get("OS-EXT-STS:power_state")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            ActionError::upstream(
                "compute answered without `OS-EXT-STS:power_state` (is the extended status visible to this user?)",
            )
        })?;
    let power = usize::try_from(code)
        .ok()
        .and_then(|c| POWER_STATES.get(c))
        .copied()
        .ok_or_else(|| ActionError::upstream(format!("unknown power state code {code}")))?;
    if power != status {
        return Err(ActionError::UnexpectedState(format!(
            "server status is '{power}', expect '{status}'"
        )));
    }
    Ok(Value::Bool(true))
}
