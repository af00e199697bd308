//! What Cinder itself shows of the nightly runs, read apart from the workflow's own report:
//! a volume's backups and how they chain, a refused state for the failing run, and the
//! removal of everything the case made.

use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context, Result};
use mistral_actions_runtime::openstack::Method;
use mistral_actions_runtime::ActionError;
use serde_json::{json, Value};

use crate::e2e::resources::Client;

/// Longest a delete may take to show; two busy cores run every service.
const GONE: Duration = Duration::from_secs(180);

/// The test user's client, and the admin's for what only an admin may do.
pub struct Cinder<'a> {
    pub user: &'a Client,
    pub admin: &'a Client,
}

fn is_404(e: &anyhow::Error) -> bool {
    matches!(
        e.downcast_ref::<ActionError>(),
        Some(ActionError::OpenStack { status: 404, .. })
    )
}

fn text<'v>(v: &'v Value, key: &str) -> &'v str {
    v[key].as_str().unwrap_or_default()
}

impl Cinder<'_> {
    /// The volume's backups in Cinder's detail view, oldest first.
    pub fn backups_of(&self, volume: &str) -> Result<Vec<Value>> {
        let body = self
            .user
            .get("volumev3", &format!("/backups/detail?volume_id={volume}"))?;
        let mut list = body["backups"]
            .as_array()
            .with_context(|| format!("no backups list in {body}"))?
            .clone();
        list.sort_by(|a, b| text(a, "created_at").cmp(text(b, "created_at")));
        Ok(list)
    }

    /// The parent Cinder recorded for a backup. Its API view has no `parent_id`; the
    /// admin's export record does: `backup_url` is the backup's row as base64 JSON
    /// (`cinder/objects/backup.py`, `encode_record`).
    fn parent_of(&self, backup: &str) -> Result<Option<String>> {
        let path = format!("/backups/{backup}/export_record");
        let record = self.admin.get("volumev3", &path)?;
        let url = record["backup-record"]["backup_url"]
            .as_str()
            .with_context(|| format!("no backup_url in {record}"))?;
        let row: Value = serde_json::from_slice(&base64(url)?)
            .with_context(|| format!("backup {backup}: the export record is not JSON"))?;
        ensure!(
            row["id"] == backup,
            "backup {backup}: the export record is of {}",
            row["id"]
        );
        Ok(row["parent_id"].as_str().map(str::to_string))
    }

    /// Checks that `volume` holds `chain` (root first) and nothing else, as one chain:
    /// all available, the root full and each next one an incremental whose parent is the
    /// one before it, every one but the newest with a dependent.
    pub fn holds_only(&self, volume: &str, chain: &[String]) -> Result<()> {
        let backups = self.backups_of(volume)?;
        let ids: Vec<&str> = backups.iter().map(|b| text(b, "id")).collect();
        ensure!(
            ids == chain,
            "volume {volume}: Cinder lists backups {ids:?}, expected only the newest chain {chain:?}"
        );
        for (i, b) in backups.iter().enumerate() {
            let id = text(b, "id");
            let parent = self.parent_of(id)?;
            let want_parent = i.checked_sub(1).map(|p| chain[p].clone());
            ensure!(
                b["status"] == "available"
                    && b["is_incremental"] == (i > 0)
                    && b["has_dependent_backups"] == (i + 1 < chain.len())
                    && parent == want_parent,
                "volume {volume}: backup {id} (#{i} of its chain) is {} with is_incremental={}, \
                 has_dependent_backups={}, parent {parent:?}; expected available, {}, {}, {want_parent:?}",
                b["status"],
                b["is_incremental"],
                b["has_dependent_backups"],
                i > 0,
                i + 1 < chain.len()
            );
        }
        Ok(())
    }

    /// Checks Cinder no longer has these backups.
    pub fn all_gone(&self, backups: &[String]) -> Result<()> {
        for b in backups {
            match self.user.get("volumev3", &format!("/backups/{b}")) {
                Err(e) if is_404(&e) => {}
                Ok(found) => bail!(
                    "backup {b} was reported deleted, Cinder still shows it {}",
                    found["backup"]["status"]
                ),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Sets a volume's status as only an admin may (`os-reset_status`,
    /// `cinder/api/contrib/admin_actions.py`).
    pub fn reset_status(&self, volume: &str, status: &str) -> Result<()> {
        let body = json!({"os-reset_status": {"status": status}});
        let path = format!("/volumes/{volume}/action");
        self.admin
            .call(Method::POST, "volumev3", &path, Some(body))?;
        let now = self.user.get("volumev3", &format!("/volumes/{volume}"))?;
        ensure!(
            now["volume"]["status"] == status,
            "volume {volume} is {} after os-reset_status to {status}",
            now["volume"]["status"]
        );
        Ok(())
    }

    /// Deletes the volumes' backups, each once nothing depends on it (Cinder refuses it
    /// before), then the volumes, and waits until Cinder shows none of them.
    pub fn remove(&self, volumes: &[String]) -> Result<()> {
        let started = Instant::now();
        loop {
            let mut left = 0;
            for v in volumes {
                for b in self.backups_of(v)? {
                    left += 1;
                    let free = !b["has_dependent_backups"].as_bool().unwrap_or(true);
                    if free && matches!(text(&b, "status"), "available" | "error") {
                        let path = format!("/backups/{}", text(&b, "id"));
                        self.user.call(Method::DELETE, "volumev3", &path, None)?;
                    }
                }
            }
            if left == 0 {
                break;
            }
            if started.elapsed() > GONE {
                bail!("{left} backup(s) of {volumes:?} still there after {GONE:?}");
            }
            std::thread::sleep(Duration::from_secs(2));
        }
        for v in volumes {
            let path = format!("/volumes/{v}");
            self.user.call(Method::DELETE, "volumev3", &path, None)?;
        }
        for v in volumes {
            let path = format!("/volumes/{v}");
            loop {
                match self.user.get("volumev3", &path) {
                    Err(e) if is_404(&e) => break,
                    Err(e) => return Err(e),
                    Ok(_) if started.elapsed() > GONE => {
                        bail!("volume {v} still there after {GONE:?}")
                    }
                    Ok(_) => std::thread::sleep(Duration::from_secs(1)),
                }
            }
        }
        Ok(())
    }
}

/// Standard base64 with padding, as oslo's `base64.encode_as_text` writes it.
fn base64(text: &str) -> Result<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c)
            .with_context(|| format!("{:?} is not base64", c as char))?;
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_decodes_what_python_encodes() {
        // base64.b64encode(b'{"parent_id": null}') and b'ab' (one padding byte short).
        assert_eq!(
            base64("eyJwYXJlbnRfaWQiOiBudWxsfQ==").unwrap(),
            br#"{"parent_id": null}"#
        );
        assert_eq!(base64("YWI=").unwrap(), b"ab");
        assert!(base64("a*b").is_err());
    }
}
