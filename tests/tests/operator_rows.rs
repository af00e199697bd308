//! The operator CLI (and `cargo xtask action-list`, which runs it) compares Mistral with the
//! rows of generated/sql/state.json, built into it. They must be the rows the specs
//! produce, or it would judge one Mistral against stale specs.

use std::path::Path;

#[test]
fn the_rows_built_into_the_cli_are_the_rows_the_specs_want() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let (model, _) = codegen::spec::load(root).unwrap();
    let from_specs: Vec<(String, mistral_actions_listing::Wanted)> =
        codegen::emit::sql::desired(&model)
            .unwrap()
            .into_iter()
            .map(|(name, row)| {
                let wanted = mistral_actions_listing::Wanted {
                    description: row.description,
                    input: row.input,
                    tags: row.tags,
                    definition: row.definition,
                };
                (name, wanted)
            })
            .collect();
    let state = std::fs::read_to_string(root.join("generated/sql/state.json")).unwrap();
    let built_in: Vec<_> = mistral_actions_listing::from_state_json(&state)
        .unwrap()
        .into_iter()
        .collect();
    assert_eq!(from_specs, built_in);
}
