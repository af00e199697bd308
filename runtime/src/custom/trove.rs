//! Trove (database) actions; Trove has no SDK worth its weight here, so raw REST.
//!
//! Trove's rules, from its source: a backup list is paged at `backups_page_size` (20),
//! newest first, and filtered by `?instance_id=` (`trove/backup/service.py`, `index`); a
//! create names its parent with `parent_id` and takes `incremental` as the integer 0 or 1
//! (`trove/common/apischema.py`, `backup` and `boolean_string`), `true` is refused.

use serde_json::{json, Map, Value};

use super::chains::{self, Link, DESC_PREFIX};
use super::retention;
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
    // Only completed backups can be built on: a failed one has no data, and one still
    // running is not a parent yet.
    let links: Vec<Link> = instance_backups(ctx, &instance_id)
        .await?
        .iter()
        .filter(|b| status(b) == "COMPLETED")
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

/// Every backup of `instance_id` (Trove before 26 ignores the filter: never count another
/// instance's backup).
async fn instance_backups(ctx: &Context, instance_id: &Uuid) -> Result<Vec<Value>, ActionError> {
    let listed = ctx
        .openstack()?
        .get_all(
            SERVICE,
            "/backups",
            &[("instance_id", instance_id.to_string())],
            "backups",
        )
        .await?;
    Ok(listed
        .into_iter()
        .filter(|b| b.get("instance_id").and_then(Value::as_str) == Some(instance_id.as_str()))
        .collect())
}

fn status(b: &Value) -> &str {
    b.get("status").and_then(Value::as_str).unwrap_or("")
}

/// `int32bit.trove.backups.prune`: deletes the instance's older backup chains of ours,
/// keeping the newest `keep_chains` (the rule: [`retention`]).
///
/// Trove deletes a backup's children itself, deepest first, each through
/// trove-taskmanager, and refuses (422) partway when one of them is still running
/// (`trove/backup/models.py`, `Backup.delete`). So a chain goes with one DELETE of its root,
/// and only when none of its backups is running (the rule leaves such a chain whole
/// anyway); chains go newest first. The call waits (up to [`retention::WAIT`]) until the
/// taskmanager has removed them, and returns what is left in `waiting`. Safe to call
/// again: a root already gone answers 404, which is skipped.
pub async fn prune(
    ctx: &Context,
    instance_id: Uuid,
    keep_chains: i64,
    dry_run: bool,
) -> Result<Value, ActionError> {
    let keep = retention::keep_count(keep_chains)?;
    let os = ctx.openstack()?;
    let deadline = std::time::Instant::now() + retention::WAIT;
    let mut deleted: Vec<String> = Vec::new();
    let mut asked: Vec<String> = Vec::new();
    loop {
        let listed = instance_backups(ctx, &instance_id).await?;
        let links: Vec<Link> = listed.iter().filter_map(Link::from_json).collect();
        let chains: Vec<retention::Chain> = chains::chains(&links)
            .into_iter()
            .map(|chain| retention::Chain {
                members: chain.iter().filter_map(|l| member(&listed, l)).collect(),
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
        if condemned.is_empty() {
            return Ok(retention::outcome(&deleted, &judged.kept, &[], false));
        }
        for chain in &judged.condemned {
            let root = &chain.members[0].id;
            if asked.contains(root) {
                continue;
            }
            let path = format!("/backups/{}", segment(root));
            match os
                .request(reqwest::Method::DELETE, SERVICE, &path, &[], None)
                .await
            {
                Ok(_) => deleted.extend(chain.newest_first().map(|m| m.id.clone())),
                // Gone already: another prune, or the taskmanager, got there first.
                Err(ActionError::OpenStack { status: 404, .. }) => {}
                Err(e) => return Err(e),
            }
            asked.push(root.clone());
        }
        if std::time::Instant::now() >= deadline {
            let waiting: Vec<String> = condemned.iter().map(|m| m.id.clone()).collect();
            return Ok(retention::outcome(&deleted, &judged.kept, &waiting, false));
        }
        tokio::time::sleep(retention::POLL).await;
    }
}

/// A Trove backup (`link`, from `listed`) as the retention rule sees it.
fn member(listed: &[Value], link: &Link) -> Option<retention::Member> {
    let b = listed
        .iter()
        .find(|b| b.get("id").and_then(Value::as_str) == Some(link.id.as_str()))?;
    let created = b.get("created").and_then(Value::as_str)?;
    Some(retention::Member {
        id: link.id.clone(),
        ours: chains::is_ours(link.description.as_deref()),
        busy: matches!(status(b), "NEW" | "BUILDING" | "SAVING"),
        created_at: crate::clock::parse_iso8601(created)?,
    })
}
