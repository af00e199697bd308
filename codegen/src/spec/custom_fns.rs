//! `kind: custom` (MA042): the named function must exist in the project's runtime crate
//! (`runtime/src/custom/<module>.rs` under the root the specs are loaded from) as a
//! `pub async fn` taking the context and one parameter per input, so a typo is a located
//! spec error rather than a compile error in generated code.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::actions::ParsedAction;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Implementation;

/// Where the runtime's custom functions live, relative to the project root.
pub const CUSTOM_DIR: &str = "runtime/src/custom";

/// `pub async fn` names and their parameter counts (the context included) in a module file.
fn public_fns(file: &Path) -> Option<BTreeMap<String, usize>> {
    let text = std::fs::read_to_string(file).ok()?;
    let parsed = syn::parse_file(&text).ok()?;
    Some(
        parsed
            .items
            .iter()
            .filter_map(|item| match item {
                syn::Item::Fn(f)
                    if matches!(f.vis, syn::Visibility::Public(_)) && f.sig.asyncness.is_some() =>
                {
                    Some((f.sig.ident.to_string(), f.sig.inputs.len()))
                }
                _ => None,
            })
            .collect(),
    )
}

fn module_file(dir: &Path, modules: &[&str]) -> Option<PathBuf> {
    let base = modules.iter().fold(dir.to_path_buf(), |p, m| p.join(m));
    [base.with_extension("rs"), base.join("mod.rs")]
        .into_iter()
        .find(|p| p.is_file())
}

/// Reports every `custom` function of `parsed` that `root`'s runtime lacks.
pub fn check(root: &Path, parsed: &[ParsedAction], diags: &mut Diagnostics) {
    let dir = root.join(CUSTOM_DIR);
    let mut cache: BTreeMap<PathBuf, Option<BTreeMap<String, usize>>> = BTreeMap::new();
    for p in parsed {
        let action = &p.action;
        let (Implementation::Custom(crate::kinds::custom::Custom { function, .. }), Some(at)) =
            (&action.implementation, p.function_pos)
        else {
            continue;
        };
        let segments: Vec<&str> = function.split("::").collect();
        let (name, modules) = segments.split_last().expect("split yields one item");
        let error = |message: String, help: &str| {
            Diagnostic::error(
                Code::UnknownCustomFunction,
                &action.origin.file,
                at,
                message,
            )
            .with_help(help)
        };
        let Some(file) = module_file(&dir, modules).filter(|_| !modules.is_empty()) else {
            diags.push(error(
                format!(
                    "`{function}`: no module `{}` in {CUSTOM_DIR}",
                    modules.join("::")
                ),
                "name a function as `module::function` of a file in runtime/src/custom/",
            ));
            continue;
        };
        let fns = cache
            .entry(file.clone())
            .or_insert_with(|| public_fns(&file));
        let want = action.inputs.len() + 1;
        match fns.as_ref().and_then(|f| f.get(*name)) {
            None => diags.push(error(
                format!("`{function}`: no `pub async fn {name}` in {CUSTOM_DIR}"),
                "write the function in the runtime crate, or fix the name",
            )),
            Some(&n) if n != want => diags.push(error(
                format!(
                    "`{function}` takes {} parameter(s) after the context; the action has {} input(s)",
                    n.saturating_sub(1),
                    action.inputs.len()
                ),
                "a custom function takes `ctx: &Context` and then one parameter per input, in spec order",
            )),
            Some(_) => {}
        }
    }
}
