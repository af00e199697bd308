//! Cinder (block storage v3) actions that need more than one call.

use serde_json::{json, Map, Value};

use super::chains::DESC_PREFIX;
use super::cinder_chain::{self, Decision, WhyFull};
use super::retention;
use crate::clock::Utc;
use crate::helpers::segment;
use crate::{ActionError, Context, Uuid};

const SERVICE: &str = "volumev3";

fn unwrap_key(mut body: Value, key: &str) -> Result<Value, ActionError> {
    body.get_mut(key)
        .map(Value::take)
        .ok_or_else(|| ActionError::upstream(format!("{SERVICE} answered without `{key}`")))
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

/// Every backup of `volume_id` in Cinder's detail view.
async fn volume_backups(ctx: &Context, volume_id: &Uuid) -> Result<Vec<Value>, ActionError> {
    let listed = ctx
        .openstack()?
        .get_all(
            SERVICE,
            "/backups/detail",
            &[("volume_id", volume_id.to_string())],
            "backups",
        )
        .await?;
    // Older Cinders ignore the filter; never count another volume's backup.
    Ok(listed
        .into_iter()
        .filter(|b| {
            b.get("volume_id")
                .and_then(Value::as_str)
                .is_none_or(|v| v == volume_id.as_str())
        })
        .collect())
}

/// The created backup as Cinder summarises it (`id`, `name`, `links`), with
/// `is_incremental` saying what was asked of Cinder and, when an incremental backup was
/// asked for and could not be made, `incremental_skipped` saying why.
fn created(body: Value, incremental: bool, skipped: Option<&str>) -> Result<Value, ActionError> {
    let mut backup = unwrap_key(body, "backup")?;
    if let Some(map) = backup.as_object_mut() {
        map.insert("is_incremental".into(), json!(incremental));
        if let Some(why) = skipped {
            map.insert("incremental_skipped".into(), json!(why));
        }
    }
    Ok(backup)
}

/// `int32bit.cinder.backups.create`: one backup with all of Cinder's options; unset
/// options are left out of the request. Cinder refuses an incremental backup of a volume
/// that has no available backup (`No backups available to do an incremental backup.`), so
/// then a full one is made and the result says so.
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
    let skipped = if incremental
        && !volume_backups(ctx, &volume_id)
            .await?
            .iter()
            .any(|b| b.get("status").and_then(Value::as_str) == Some("available"))
    {
        Some(WhyFull::NoAvailableBackup.explain())
    } else {
        None
    };
    let incremental = incremental && skipped.is_none();
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
    created(body, incremental, skipped)
}

/// `int32bit.cinder.backups.create_backup`: a backup in an automatic incremental chain
/// (the rule: [`cinder_chain`]).
pub async fn create_backup_in_chain(ctx: &Context, volume_id: Uuid) -> Result<Value, ActionError> {
    let now = Utc::now();
    let backups: Vec<cinder_chain::Backup> = volume_backups(ctx, &volume_id)
        .await?
        .iter()
        .filter_map(cinder_chain::Backup::from_json)
        .collect();
    let decision = cinder_chain::decide(&backups);
    let name = snap_name(ctx, &volume_id, &now).await?;
    let incremental = matches!(decision, Decision::Incremental { .. });
    match &decision {
        Decision::Incremental { length, .. } => {
            tracing::info!(chain_length = length, "extending a backup chain")
        }
        Decision::Full(why) => tracing::info!(reason = why.explain(), "starting a backup chain"),
    }
    let body = json!({"backup": {
        "volume_id": volume_id,
        "name": name,
        "description": format!("{DESC_PREFIX} at {}", now.python_str()),
        "incremental": incremental,
        "force": true,
    }});
    let os = ctx.openstack()?;
    created(
        os.post(SERVICE, "/backups", &body).await?,
        incremental,
        None,
    )
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

/// `int32bit.cinder.backups.prune`: deletes the volume's older backup chains of ours,
/// keeping the newest `keep_chains` (the rule: [`retention`]). Cinder deletes a backup only
/// once no incremental depends on it, a child being deleted included, so each level of a
/// chain goes once the one below is gone: newest first, waiting within the call (up to
/// [`retention::WAIT`]) and returning what is left in `waiting`. Safe to call again, or
/// beside another call: a delete someone else already started is skipped.
pub async fn prune(
    ctx: &Context,
    volume_id: Uuid,
    keep_chains: i64,
    dry_run: bool,
) -> Result<Value, ActionError> {
    let keep = retention::keep_count(keep_chains)?;
    let os = ctx.openstack()?;
    let deadline = std::time::Instant::now() + retention::WAIT;
    let mut deleted: Vec<String> = Vec::new();
    loop {
        let backups: Vec<cinder_chain::Backup> = volume_backups(ctx, &volume_id)
            .await?
            .iter()
            .filter_map(cinder_chain::Backup::from_json)
            .collect();
        let chains: Vec<retention::Chain> = cinder_chain::chains(&backups)
            .into_iter()
            .map(|members| retention::Chain {
                members: members.into_iter().map(member).collect(),
            })
            .collect();
        let judged = retention::judge(&chains, keep);
        let condemned: Vec<&retention::Member> = judged
            .condemned
            .iter()
            .flat_map(|c| c.newest_first())
            .collect();
        if dry_run {
            let would: Vec<String> = condemned.iter().map(|m| m.id.clone()).collect();
            return Ok(retention::outcome(&would, &judged.kept, &[], true));
        }
        let deletable = |m: &&retention::Member| {
            backups
                .iter()
                .any(|b| b.id == m.id && b.status == "available" && !b.has_dependents)
        };
        let next: Vec<&retention::Member> = condemned.iter().copied().filter(deletable).collect();
        let waiting: Vec<String> = condemned
            .iter()
            .filter(|m| !next.contains(m))
            .map(|m| m.id.clone())
            .collect();
        for m in &next {
            let path = format!("/backups/{}", segment(&m.id));
            match os
                .request(reqwest::Method::DELETE, SERVICE, &path, &[], None)
                .await
            {
                Ok(_) => deleted.push(m.id.clone()),
                // Another prune started this delete first (400: not available any more),
                // or finished it (404).
                Err(ActionError::OpenStack {
                    status: 400 | 404, ..
                }) => {}
                Err(e) => return Err(e),
            }
        }
        if condemned.is_empty() {
            return Ok(retention::outcome(&deleted, &judged.kept, &[], false));
        }
        if std::time::Instant::now() >= deadline {
            let mut left = waiting;
            left.extend(next.iter().map(|m| m.id.clone()));
            return Ok(retention::outcome(&deleted, &judged.kept, &left, false));
        }
        tokio::time::sleep(retention::POLL).await;
    }
}

/// A Cinder backup as the retention rule sees it.
fn member(b: &cinder_chain::Backup) -> retention::Member {
    retention::Member {
        id: b.id.clone(),
        ours: super::chains::is_ours(b.description.as_deref()),
        busy: matches!(b.status.as_str(), "creating" | "restoring"),
        created_at: b.created_at,
    }
}
