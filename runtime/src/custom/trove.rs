//! Trove (database) actions; Trove has no SDK worth its weight here, so raw REST.

use serde_json::{json, Map, Value};

use super::chains::{self, Link, DESC_PREFIX};
use crate::clock::Utc;
use crate::helpers::segment;
use crate::{ActionError, Context, Uuid};

const SERVICE: &str = "database";

/// `int32bit.trove.backups.create_backup`: a backup of an ACTIVE instance in an automatic
/// incremental chain (see [`chains`]).
pub async fn create_backup_in_chain(
    ctx: &Context,
    instance_id: Uuid,
) -> Result<Value, ActionError> {
    let os = ctx.openstack()?;
    let now = Utc::now();
    // Trove cannot filter backups by instance.
    let listed = os.get(SERVICE, "/backups", &[]).await?;
    let links: Vec<Link> = listed
        .get("backups")
        .and_then(Value::as_array)
        .ok_or_else(|| ActionError::Upstream(format!("{SERVICE} answered without `backups`")))?
        .iter()
        .filter(|b| b.get("instance_id").and_then(Value::as_str) == Some(instance_id.as_str()))
        .filter_map(Link::from_json)
        .collect();
    let chains = chains::chains(&links);
    let parent = chains::choose_parent(&chains);
    let instance = os
        .get(
            SERVICE,
            &format!("/instances/{}", segment(&instance_id)),
            &[],
        )
        .await?;
    let instance = instance
        .get("instance")
        .ok_or_else(|| ActionError::Upstream(format!("{SERVICE} answered without `instance`")))?;
    let status = instance.get("status").and_then(Value::as_str).unwrap_or("");
    if status != "ACTIVE" {
        return Err(ActionError::UnexpectedState(format!(
            "The instance status should be 'ACTIVE', but current status is '{status}'"
        )));
    }
    let name = instance
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or(instance_id.as_str());
    let mut backup = Map::new();
    backup.insert(
        "name".into(),
        json!(format!("{name}_snap_{}", now.name_stamp())),
    );
    backup.insert("instance".into(), json!(instance_id));
    backup.insert(
        "description".into(),
        json!(format!("{DESC_PREFIX} at {}", now.python_str())),
    );
    if let Some(p) = parent {
        backup.insert("parent_id".into(), json!(p.id));
        backup.insert("incremental".into(), json!(true));
    }
    let mut body = os
        .post(SERVICE, "/backups", &json!({ "backup": backup }))
        .await?;
    body.get_mut("backup")
        .map(Value::take)
        .ok_or_else(|| ActionError::Upstream(format!("{SERVICE} answered without `backup`")))
}
