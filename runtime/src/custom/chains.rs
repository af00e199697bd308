//! Automatic incremental backup chains, the original tool's promise: a chain holds at most
//! [`MAX_CHAIN_LENGTH`] backups, and only chains whose root this tool created (its
//! description starts with [`DESC_PREFIX`]) are extended; otherwise a new full backup
//! starts a chain.
//!
//! Trove lets the caller name the parent (`parent_id`), so a new Trove backup extends the
//! shortest of our chains, as the original did ([`chains`], [`choose_parent`]). Cinder does
//! not (see [`super::cinder_chain`]).

use serde_json::Value;

pub const MAX_CHAIN_LENGTH: usize = 5;
/// Descriptions of backups this tool creates start with this.
pub const DESC_PREFIX: &str = "Created by Mistral";

/// Whether a backup with this description was created by this tool.
pub fn is_ours(description: Option<&str>) -> bool {
    description.is_some_and(|d| d.starts_with(DESC_PREFIX))
}

/// What `chains` needs of a backup.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub id: String,
    pub parent_id: Option<String>,
    pub description: Option<String>,
}

impl Link {
    pub fn from_json(v: &Value) -> Option<Link> {
        let text = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
        Some(Link {
            id: text("id")?,
            parent_id: text("parent_id"),
            description: text("description"),
        })
    }
}

/// Groups backups into chains: each root (no parent) with every backup descending from it,
/// in the order they attach. Backups are taken from the end of the list first, as the
/// original did (APIs list newest first). Backups whose ancestry never reaches a root in
/// the list (parent deleted, or of another volume) belong to no chain; the original looped
/// forever on those.
pub fn chains(backups: &[Link]) -> Vec<Vec<Link>> {
    let mut pending: Vec<Link> = backups.to_vec();
    let mut chains: Vec<Vec<Link>> = Vec::new();
    loop {
        let before = pending.len();
        let mut still = Vec::new();
        while let Some(b) = pending.pop() {
            match &b.parent_id {
                None => chains.push(vec![b]),
                Some(parent) => match chains
                    .iter_mut()
                    .find(|c| c.iter().any(|x| &x.id == parent))
                {
                    Some(chain) => chain.push(b),
                    None => still.insert(0, b),
                },
            }
        }
        if still.is_empty() || still.len() == before {
            return chains;
        }
        pending = still;
    }
}

/// The backup to extend, or `None` for a new full backup.
pub fn choose_parent(chains: &[Vec<Link>]) -> Option<&Link> {
    let mut sorted: Vec<&Vec<Link>> = chains.iter().collect();
    // Stable, like Python's sorted(): equal lengths keep their order.
    sorted.sort_by_key(|c| c.len());
    for chain in sorted {
        if chain.len() >= MAX_CHAIN_LENGTH {
            // Every other chain is at least as long.
            return None;
        }
        if is_ours(chain[0].description.as_deref()) {
            return chain.last();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(id: &str, parent: Option<&str>, ours: bool) -> Link {
        Link {
            id: id.into(),
            parent_id: parent.map(Into::into),
            description: Some(
                if ours {
                    "Created by Mistral at x"
                } else {
                    "by hand"
                }
                .into(),
            ),
        }
    }

    #[test]
    fn orphans_do_not_hang() {
        let list = vec![link("b", Some("gone"), true), link("a", None, true)];
        let c = chains(&list);
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].len(), 1);
    }

    #[test]
    fn newest_first_listing_extends_the_newest() {
        // newest first: c -> b -> a(root)
        let list = vec![
            link("c", Some("b"), true),
            link("b", Some("a"), true),
            link("a", None, true),
        ];
        let c = chains(&list);
        assert_eq!(
            c[0].iter().map(|l| l.id.as_str()).collect::<Vec<_>>(),
            ["a", "b", "c"]
        );
        assert_eq!(choose_parent(&c).unwrap().id, "c");
    }
}
