//! mistral-actions code generator: specs → validated model → one emitter per output.
//!
//! - [`spec`] reads `specs/` (and the runtime's `custom` functions) and validates it into a
//!   [`model::Model`], collecting every problem as a located [`diagnostics::Diagnostic`].
//! - [`prior`] reads what earlier runs left in `generated/` that outputs build on.
//! - [`emit`] turns the model and the prior into files, one module per output, listed in
//!   [`emit::EMITTERS`]: texts, or what a file is made of and how to write it.
//! - [`output`] verifies the files earlier runs left that must stay, and writes the files
//!   into `generated/` or checks them; it alone hashes and caches.

mod builtins;
pub mod catalog_diff;
pub mod diagnostics;
pub mod emit;
pub mod kinds;
pub mod model;
pub mod output;
mod parallel;
mod paths;
pub mod prior;
pub mod registration;
mod signature;
pub mod spec;
mod suggest;
pub mod synthetic;
pub mod workflow;
pub mod yaml;

use std::path::{Path, PathBuf};

pub use diagnostics::{Code, Diagnostic, Diagnostics};
pub use model::Model;
pub use output::{Change, FileSet};

/// Everything that can go wrong in the generator.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the specs have {} error(s)", .0.0.iter().filter(|d| d.severity == diagnostics::Severity::Error).count())]
    Spec(Diagnostics),
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("rendering a template failed: {0}")]
    Template(#[from] askama::Error),
    /// What an earlier run left in generated/ cannot be built on (an edited SQL
    /// migration, a broken state or history file).
    #[error("{0}")]
    State(String),
    /// A command asked for something the specs do not have (an unknown action name).
    #[error("{0}")]
    Usage(String),
}

impl Error {
    /// For `map_err`: an I/O failure on `path`.
    pub fn io(path: &Path) -> impl FnOnce(std::io::Error) -> Error + '_ {
        move |source| Error::Io {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Loads the specs under `root` and produces every generated file.
/// What earlier runs left (`generated/sql/state.json` and the migrations' sums) is read
/// beside the specs, on its own thread; spec errors still come first. Fails if a file an
/// earlier run wrote that must stay (an emitted migration) was edited or removed.
pub fn generate(root: &Path) -> Result<(Model, Diagnostics, FileSet), Error> {
    let generated = root.join(output::GENERATED_DIR);
    let (loaded, prior) = std::thread::scope(|scope| {
        let prior = scope.spawn(|| prior::Prior::read(&generated));
        let loaded = spec::load(root);
        let prior = prior
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (loaded, prior)
    });
    let (model, warnings) = loaded?;
    let prior = prior?;
    let files = emit::all(&model, &prior)?;
    files.verify_kept(root)?;
    Ok((model, warnings, files))
}
