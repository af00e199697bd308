//! Cinder (block storage v3) actions that need more than one call.

use serde_json::{json, Map, Value};

use super::chains::{self, Link, DESC_PREFIX};
use crate::clock::Utc;
use crate::helpers::segment;
use crate::{ActionError, Context, Uuid};

const SERVICE: &str = "volumev3";

fn unwrap_key(mut body: Value, key: &str) -> Result<Value, ActionError> {
    body.get_mut(key)
        .map(Value::take)
        .ok_or_else(|| ActionError::Upstream(format!("{SERVICE} answered without `{key}`")))
}

/// `<volume name>_snap_<UTC time>`; a volume without a name uses its id.
async fn snap_name(ctx: &Context, volume_id: &Uuid, now: &Utc) -> Result<String, ActionError> {
    let volume = ctx
        .openstack()?
        .get(SERVICE, &format!("/volumes/{}", segment(volume_id)), &[])
        .await?;
    let name = volume
        .pointer("/volume/name")
        .and_then(Value::as_str)
        .filter(|n| !n.is_empty())
        .unwrap_or(volume_id.as_str());
    Ok(format!("{name}_snap_{}", now.name_stamp()))
}

/// `int32bit.cinder.backups.create`: one backup with all of Cinder's options; unset
/// options are left out of the request.
#[allow(clippy::too_many_arguments)] // one parameter per spec input, by convention
pub async fn create_backup(
    ctx: &Context,
    volume_id: Uuid,
    backup_name: String,
    snapshot_id: Option<Uuid>,
    description: Option<String>,
    container: Option<String>,
    incremental: bool,
    force: bool,
) -> Result<Value, ActionError> {
    let mut backup = Map::new();
    backup.insert("volume_id".into(), json!(volume_id));
    backup.insert("name".into(), json!(backup_name));
    if let Some(s) = snapshot_id {
        backup.insert("snapshot_id".into(), json!(s));
    }
    if let Some(d) = description {
        backup.insert("description".into(), json!(d));
    }
    if let Some(c) = container {
        backup.insert("container".into(), json!(c));
    }
    backup.insert("incremental".into(), json!(incremental));
    backup.insert("force".into(), json!(force));
    let body = ctx
        .openstack()?
        .post(SERVICE, "/backups", &json!({ "backup": backup }))
        .await?;
    unwrap_key(body, "backup")
}

/// `int32bit.cinder.backups.create_backup`: a backup in an automatic incremental chain
/// (see [`chains`]).
pub async fn create_backup_in_chain(ctx: &Context, volume_id: Uuid) -> Result<Value, ActionError> {
    let os = ctx.openstack()?;
    let now = Utc::now();
    let listed = os
        .get(
            SERVICE,
            "/backups/detail",
            &[("volume_id", volume_id.to_string())],
        )
        .await?;
    let links: Vec<Link> = listed
        .get("backups")
        .and_then(Value::as_array)
        .ok_or_else(|| ActionError::Upstream(format!("{SERVICE} answered without `backups`")))?
        .iter()
        // Older Cinders ignore the filter; never chain onto another volume's backup.
        .filter(|b| {
            b.get("volume_id")
                .and_then(Value::as_str)
                .is_none_or(|v| v == volume_id.as_str())
        })
        .filter_map(Link::from_json)
        .collect();
    let chains = chains::chains(&links);
    let parent = chains::choose_parent(&chains);
    let name = snap_name(ctx, &volume_id, &now).await?;
    let body = json!({"backup": {
        "volume_id": volume_id,
        "name": name,
        "description": format!("{DESC_PREFIX} at {}", now.python_str()),
        "incremental": parent.is_some(),
        "force": true,
        "backup_id": parent.map(|p| p.id.clone()),
    }});
    tracing::info!(
        volume_id = %volume_id,
        parent = parent.map(|p| p.id.as_str()).unwrap_or("-"),
        chains = chains.len(),
        "creating a chained backup"
    );
    unwrap_key(os.post(SERVICE, "/backups", &body).await?, "backup")
}

/// `int32bit.cinder.snapshots.create_snapshot`: a forced snapshot named after the volume.
pub async fn create_snapshot(ctx: &Context, volume_id: Uuid) -> Result<Value, ActionError> {
    let now = Utc::now();
    let name = snap_name(ctx, &volume_id, &now).await?;
    let body = json!({"snapshot": {
        "volume_id": volume_id,
        "force": true,
        "name": name,
        "description": format!("{DESC_PREFIX} at {}", now.python_str()),
    }});
    unwrap_key(
        ctx.openstack()?.post(SERVICE, "/snapshots", &body).await?,
        "snapshot",
    )
}
