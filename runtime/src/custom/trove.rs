//! Trove (database) actions; Trove has no SDK worth its weight here, so raw REST.
//!
//! Trove's rules, from its source: a backup list is paged at `backups_page_size` (20),
//! newest first, and filtered by `?instance_id=` (`trove/backup/service.py`, `index`); a
//! create names its parent with `parent_id` and takes `incremental` as the integer 0 or 1
//! (`trove/common/apischema.py`, `backup` and `boolean_string`), `true` is refused.

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
    let listed = os
        .get_all(
            SERVICE,
            "/backups",
            &[("instance_id", instance_id.to_string())],
            "backups",
        )
        .await?;
    // Trove before 26 ignores the filter. Only completed backups can be built on: a
    // failed one has no data, and one still running is not a parent yet.
    let links: Vec<Link> = listed
        .iter()
        .filter(|b| b.get("instance_id").and_then(Value::as_str) == Some(instance_id.as_str()))
        .filter(|b| b.get("status").and_then(Value::as_str) == Some("COMPLETED"))
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
        .ok_or_else(|| ActionError::upstream(format!("{SERVICE} answered without `instance`")))?;
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
    match parent {
        Some(p) => {
            backup.insert("parent_id".into(), json!(p.id));
            backup.insert("incremental".into(), json!(1));
        }
        None => {
            backup.insert("incremental".into(), json!(0));
        }
    }
    let mut body = os
        .post(SERVICE, "/backups", &json!({ "backup": backup }))
        .await?;
    body.get_mut("backup")
        .map(Value::take)
        .ok_or_else(|| ActionError::upstream(format!("{SERVICE} answered without `backup`")))
}
