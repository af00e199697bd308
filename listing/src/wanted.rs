//! The rows the specs want in Mistral, reduced to what `GET /v2/actions` shows of them.

use std::collections::BTreeMap;

use serde::Deserialize;

/// What Mistral should list for one of our actions (the columns its API returns).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Wanted {
    pub description: String,
    /// `None`: no inputs (Mistral stores NULL, not `""`).
    pub input: Option<String>,
    /// JSON list, as Python's `json.dumps` writes it.
    pub tags: String,
    /// The action's YAML.
    pub definition: String,
}

/// The rows of `generated/sql/state.json` (the registrations the emitted migrations leave
/// in Mistral's database), by name. `generate --check` keeps that file equal to what the
/// specs produce, so a binary built with it embedded needs no source tree.
pub fn from_state_json(text: &str) -> Result<BTreeMap<String, Wanted>, String> {
    #[derive(Deserialize)]
    struct State {
        rows: BTreeMap<String, Wanted>,
    }
    serde_json::from_str::<State>(text)
        .map(|s| s.rows)
        .map_err(|e| format!("generated/sql/state.json: {e}"))
}
