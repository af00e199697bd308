//! `cargo xtask ci`: exactly what CI runs, in order, stopping at the first failure.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use codegen::Error;

fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(root).args(args);
    cmd
}

fn step(name: &str, run: impl FnOnce() -> Result<bool, Error>) -> Result<bool, Error> {
    eprintln!("==> {name}");
    let started = Instant::now();
    let ok = run()?;
    let secs = started.elapsed().as_secs_f32();
    if ok {
        eprintln!("==> {name}: ok ({secs:.1}s)");
    } else {
        eprintln!("==> {name}: FAILED ({secs:.1}s)");
    }
    Ok(ok)
}

fn status(mut cmd: Command) -> Result<bool, Error> {
    let status = cmd.status().map_err(|source| Error::Io {
        path: "cargo".into(),
        source,
    })?;
    Ok(status.success())
}

pub fn run(root: &Path) -> Result<bool, Error> {
    let steps: [(&str, Box<dyn FnOnce() -> Result<bool, Error>>); 4] = [
        ("rustfmt --check", Box::new(|| status(cargo(root, &["fmt", "--all", "--", "--check"])))),
        (
            "clippy (warnings denied)",
            Box::new(|| {
                status(cargo(
                    root,
                    &["clippy", "--workspace", "--all-targets", "--quiet", "--", "-D", "warnings"],
                ))
            }),
        ),
        ("generate --check", Box::new(|| crate::generate(root, true))),
        ("tests", Box::new(|| status(cargo(root, &["test", "--workspace"])))),
    ];
    for (name, run) in steps {
        if !step(name, run)? {
            eprintln!("ci: failed at `{name}`");
            return Ok(false);
        }
    }
    eprintln!("ci: all checks passed");
    Ok(true)
}
