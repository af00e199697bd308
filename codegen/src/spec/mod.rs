//! Specs on disk → validated [`Model`]. Every problem of a run is collected before failing.

mod actions;
mod custom_fns;
mod environments;
mod microversions;
pub use microversions::SERVICES as MICROVERSION_SERVICES;
pub(crate) mod names;
mod project;
pub(crate) mod reader;
mod schedules;
mod source;
mod workflows;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::builtins;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::{Model, Project};
use crate::Error;
use reader::Ctx;

pub const SPECS_DIR: &str = "specs";
pub const PROJECT_FILE: &str = "specs/project.yaml";
pub const ACTIONS_DIR: &str = "specs/actions";
pub const ENVIRONMENTS_DIR: &str = "specs/environments";
pub const SCHEDULES_DIR: &str = "specs/schedules";

/// Loads and validates every spec under `root`, and the runtime's `custom` functions the
/// specs name (`root/runtime/src/custom`). Warnings are returned beside the model.
pub fn load(root: &Path) -> Result<(Model, Diagnostics), Error> {
    let mut diags = Diagnostics::default();
    let project = load_project(root, &mut diags);
    let parsed = read_each(root, &project, ACTIONS_DIR, &mut diags, |ctx, node| {
        let prefix = name_prefix(&project, ctx.file);
        actions::parse_file(ctx, node, &prefix)
    })?;

    check_across_files(&parsed, &mut diags);
    custom_fns::check(root, &parsed, &mut diags);
    let spec_actions: Vec<&crate::model::Action> = parsed.iter().map(|p| &p.action).collect();
    let workflows = workflows::load(root, &project, &spec_actions, &mut diags)?;
    let environments = read_each(
        root,
        &project,
        ENVIRONMENTS_DIR,
        &mut diags,
        environments::parse_file,
    )?;
    schedules::check_environment_names(&environments, &mut diags);
    let environments: Vec<_> = environments.into_iter().map(|p| p.environment).collect();
    let schedules = read_each(
        root,
        &project,
        SCHEDULES_DIR,
        &mut diags,
        schedules::parse_file,
    )?;
    schedules::check(
        &schedules,
        &workflows,
        &environments,
        &spec_actions,
        &mut diags,
    );
    drop(spec_actions);
    let diags = diags.sorted();
    if diags.has_errors() {
        return Err(Error::Spec(diags));
    }
    let mut actions: Vec<_> = parsed.into_iter().map(|p| p.action).collect();
    actions.sort_by(|a, b| a.name.cmp(&b.name));
    let mut environments = environments;
    environments.sort_by(|a, b| a.name.cmp(&b.name));
    let mut schedules: Vec<_> = schedules.into_iter().map(|p| p.schedule).collect();
    schedules.sort_by(|a, b| a.name.cmp(&b.name));
    let model = Model::new(project, actions, workflows).with_deployment(environments, schedules);
    Ok((model, diags))
}

/// Every spec file under `dir`, read and parsed by `parse` on every core; results and
/// problems keep file order, so reports do not depend on scheduling.
fn read_each<T: Send>(
    root: &Path,
    project: &Project,
    dir: &str,
    diags: &mut Diagnostics,
    parse: impl Fn(&mut Ctx, &crate::yaml::Node) -> Vec<T> + Sync,
) -> Result<Vec<T>, Error> {
    let files = spec_files(root, dir)?;
    let results = crate::parallel::map(&files, |rel| {
        let mut local = Diagnostics::default();
        let mut ctx = Ctx {
            file: rel,
            diags: &mut local,
        };
        let parsed = match source::read(&mut ctx, &root.join(rel), project.max_file_bytes) {
            Some((_, node)) => parse(&mut ctx, &node),
            None => Vec::new(),
        };
        (parsed, local)
    });
    let mut out = Vec::new();
    for (parsed, local) in results {
        out.extend(parsed);
        diags.0.extend(local.0);
    }
    Ok(out)
}

fn load_project(root: &Path, diags: &mut Diagnostics) -> Project {
    let rel = Path::new(PROJECT_FILE);
    let path = root.join(rel);
    if !path.exists() {
        return Project::default();
    }
    let mut ctx = Ctx { file: rel, diags };
    match source::read(&mut ctx, &path, Project::default().max_file_bytes) {
        Some((_, node)) => project::parse(&mut ctx, &node),
        None => Project::default(),
    }
}

/// `.yaml`/`.yml` files under `dir`, relative to `root`, sorted so runs are reproducible.
pub fn spec_files(root: &Path, dir: &str) -> Result<Vec<PathBuf>, Error> {
    let base = root.join(dir);
    if !base.exists() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for entry in WalkDir::new(&base).sort_by_file_name() {
        let entry = entry.map_err(|e| Error::Io {
            path: base.clone(),
            source: e.into(),
        })?;
        let is_yaml = entry
            .path()
            .extension()
            .is_some_and(|e| e == "yaml" || e == "yml");
        if entry.file_type().is_file() && is_yaml {
            let rel = entry.path().strip_prefix(root).unwrap_or(entry.path());
            out.push(PathBuf::from(crate::paths::slash(rel)));
        }
    }
    Ok(out)
}

/// `specs/actions/cinder/backups.yaml` → `<prefix>.cinder.backups`.
fn name_prefix(project: &Project, rel: &Path) -> String {
    let inner = rel
        .strip_prefix(ACTIONS_DIR)
        .unwrap_or(rel)
        .with_extension("");
    let mut name = project.prefix.clone();
    for part in inner.components() {
        name.push('.');
        name.push_str(&part.as_os_str().to_string_lossy());
    }
    name
}

fn check_across_files(parsed: &[actions::ParsedAction], diags: &mut Diagnostics) {
    let mut seen: BTreeMap<&str, &actions::ParsedAction> = BTreeMap::new();
    for p in parsed {
        let a = &p.action;
        if let Some(first) = seen.get(a.name.as_str()) {
            diags.push(
                Diagnostic::error(
                    Code::DuplicateAction,
                    &a.origin.file,
                    p.name_pos,
                    format!(
                        "action `{}` is already defined at {}:{}",
                        a.name, first.action.origin.file, first.name_pos.line
                    ),
                )
                .with_help("rename one of them; Mistral holds one action per name"),
            );
        } else {
            seen.insert(&a.name, p);
        }
        if builtins::is_builtin(&a.name) {
            diags.push(
                Diagnostic::error(
                    Code::BuiltinCollision,
                    &a.origin.file,
                    p.name_pos,
                    format!("`{}` is the name of a Mistral builtin action", a.name),
                )
                .with_help(
                    "choose another name; Mistral would not know which one a workflow means",
                ),
            );
        }
    }
    for p in parsed {
        let (Some(dep), Some(pos)) = (&p.action.deprecated, p.replaced_by_pos) else {
            continue;
        };
        if let Some(target) = &dep.replaced_by {
            if !seen.contains_key(target.as_str()) && !builtins::is_builtin(target) {
                diags.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        &p.action.origin.file,
                        pos,
                        format!("`replaced_by` names `{target}`, which is not an action"),
                    )
                    .with_help("name an action from the specs or a Mistral builtin"),
                );
            }
        }
    }
}
