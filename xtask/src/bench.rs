//! `cargo xtask bench`: generate and check on synthetic specs, release build, wall time and
//! peak RSS of each run. A benchmark, not a test: it prints figures and asserts nothing.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use codegen::Error;

const ACTIONS_PER_FILE: usize = 10;
const FILES_PER_SERVICE: usize = 100;

pub fn run(root: &Path, actions: usize, keep: Option<&Path>) -> Result<bool, Error> {
    eprintln!("bench: building xtask (release)");
    let ok = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .status()
        .map_err(Error::io(root))?
        .success();
    if !ok {
        return Ok(false);
    }
    let exe = root.join("target/release/xtask");
    let temp = tempfile::tempdir().map_err(Error::io(root))?;
    let dir = match keep {
        Some(dir) => {
            if dir.exists() {
                fs::remove_dir_all(dir).map_err(Error::io(dir))?;
            }
            dir
        }
        None => temp.path(),
    };
    eprintln!(
        "bench: synthesising {actions} action specs in {}",
        dir.display()
    );
    synthesise(dir, actions)?;

    println!("| run | wall time | peak RSS |");
    println!("| --- | --- | --- |");
    for (label, args) in [
        ("generate (cold, writes everything)", &["generate"][..]),
        ("generate (warm, nothing changes)", &["generate"][..]),
        ("generate --check", &["generate", "--check"][..]),
        // Files written under 2 s ago are always hashed again (their mtimes cannot be
        // trusted yet); this is the check a developer or CI runs on settled files.
        (
            "generate --check (files settled)",
            &["generate", "--check"][..],
        ),
        (
            "generate --check (settled, sums remembered)",
            &["generate", "--check"][..],
        ),
    ] {
        if label.ends_with("(files settled)") {
            std::thread::sleep(Duration::from_millis(2500));
        }
        let (elapsed, rss_kib, ok) = measure(&exe, dir, args)?;
        if !ok {
            eprintln!("bench: `{}` failed", args.join(" "));
            return Ok(false);
        }
        println!(
            "| {label} | {:.3} s | {:.1} MB |",
            elapsed.as_secs_f64(),
            rss_kib as f64 / 1024.0
        );
    }
    Ok(true)
}

fn synthesise(dir: &Path, actions: usize) -> Result<(), Error> {
    let project = dir.join("specs/project.yaml");
    fs::create_dir_all(project.parent().expect("has parent")).map_err(Error::io(dir))?;
    fs::write(&project, "prefix: bench\n").map_err(Error::io(&project))?;
    let files = actions.div_ceil(ACTIONS_PER_FILE);
    for f in 0..files {
        let path: PathBuf = dir.join(format!(
            "specs/actions/service{}/resource{}.yaml",
            f / FILES_PER_SERVICE,
            f % FILES_PER_SERVICE
        ));
        fs::create_dir_all(path.parent().expect("has parent")).map_err(Error::io(&path))?;
        let mut text = String::from("actions:\n");
        for a in 0..ACTIONS_PER_FILE.min(actions - f * ACTIONS_PER_FILE) {
            let _ = write!(
                text,
                "  action{a}:\n    description: |\n      Synthetic action {a} of file {f}.\n\n      A second paragraph.\n    inputs:\n      - name: thing_id\n        type: uuid\n        required: true\n        description: The thing.\n      - name: status\n        type: string\n        default: available\n        enum: [available, error]\n      - name: count\n        type: integer\n        default: 5\n    output:\n      type: boolean\n    tags: [bench]\n    implementation:\n      kind: assert_field\n      microversions: {{volumev3: \"3.0\"}}\n      service: volumev3\n      path: /things/{{thing_id}}\n      field: thing.status\n      expected: status\n      subject: thing\n"
            );
        }
        fs::write(&path, text).map_err(Error::io(&path))?;
    }
    Ok(())
}

/// Runs `exe args` in `root` and returns its wall time and peak RSS (KiB) from `wait4`.
fn measure(exe: &Path, root: &Path, args: &[&str]) -> Result<(Duration, i64, bool), Error> {
    let started = Instant::now();
    let child = Command::new(exe)
        .arg("--root")
        .arg(root)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(Error::io(exe))?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter; wait4 reaps exactly our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let elapsed = started.elapsed();
    if pid < 0 {
        return Err(Error::io(exe)(std::io::Error::last_os_error()));
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((elapsed, usage.ru_maxrss, ok))
}
