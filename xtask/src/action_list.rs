//! `cargo xtask action-list`: the comparison of `mistral-actions-listing` (the operator
//! CLI's `mistral-actions action-list` runs the same code), with the rows the specs under
//! `--root` want, computed by codegen.

use std::collections::BTreeMap;
use std::path::Path;

use codegen::Error;
pub use mistral_actions_listing::{ActionListArgs, Source, Wanted};

/// The rows the specs want, reduced to what Mistral's API shows.
pub fn wanted(root: &Path) -> Result<BTreeMap<String, Wanted>, Error> {
    let (model, _) = codegen::spec::load(root)?;
    Ok(codegen::emit::sql::desired(&model)?
        .into_iter()
        .map(|(name, row)| (name, from_row(row)))
        .collect())
}

pub fn from_row(row: codegen::registration::Row) -> Wanted {
    Wanted {
        description: row.description,
        input: row.input,
        tags: row.tags,
        definition: row.definition,
    }
}

pub fn action_list(root: &Path, args: ActionListArgs) -> Result<bool, Error> {
    let wanted = wanted(root)?;
    Ok(mistral_actions_listing::run(
        &args,
        Source::from_env(args.url.clone()),
        &wanted,
    ))
}
