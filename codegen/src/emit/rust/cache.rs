//! Reusing files (modules and the table) a previous run printed, so a warm `generate` or `--check` skips most of
//! syn and prettyplease (about two thirds of their time with 10,000 actions).
//!
//! `target/codegen-cache/rust-modules.json` maps each module to the SHA-256 of what it was
//! printed from (its actions as the model holds them, plus this emitter's own sources and
//! the locked dependency versions) and of the text printed. A module is reused only when
//! both still match: the inputs are unchanged, and the file in `generated/` is exactly
//! what was printed. A missing or broken cache only costs time; CI never has one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::model::Action;

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Entry {
    pub inputs: String,
    pub output: String,
}

pub type Cache = BTreeMap<String, Entry>;

/// What the printed text depends on besides the actions: the code that prints it.
const EMITTER_SOURCES: &[&str] = &[
    include_str!("../rust.rs"),
    include_str!("action.rs"),
    include_str!("names.rs"),
    include_str!("../mod.rs"),
    include_str!("../../model.rs"),
    include_str!("../../signature.rs"),
    include_str!("../../spec/mod.rs"),
    include_str!("../../../../Cargo.lock"),
];

pub fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The key of a file: its path, the actions it is printed from, and the emitter.
pub fn inputs_key(path: &str, actions: &[&Action]) -> String {
    static EMITTER: OnceLock<String> = OnceLock::new();
    let emitter = EMITTER.get_or_init(|| hex(EMITTER_SOURCES.concat().as_bytes()));
    let model = serde_json::to_string(actions).expect("the model serialises");
    hex(format!("{emitter}\n{path}\n{model}").as_bytes())
}

pub fn path(root: &Path) -> PathBuf {
    root.join("target/codegen-cache/rust-modules.json")
}

pub fn load(root: &Path) -> Cache {
    std::fs::read_to_string(path(root))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Best effort: a cache that cannot be written is a slower next run, not an error.
pub fn save(root: &Path, cache: &Cache) {
    let file = path(root);
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string(cache) {
        let _ = std::fs::write(file, text);
    }
}
