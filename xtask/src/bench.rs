//! `cargo xtask bench`: the whole job on a synthetic project (release build): cold, warm
//! and `--check` runs of `generate` beside the floor (reading every spec and copying
//! every output byte once, `cat` + `cp -r`, measured in the same run), optionally a sweep
//! over project sizes (`--sweep`). A benchmark, not a test: it prints tables and asserts
//! nothing. The SQL on real databases is `cargo harness bench-sql`.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use codegen::Error;

pub struct Options {
    pub actions: usize,
    pub workflows: usize,
    pub runs: usize,
    pub sweep: bool,
    pub keep: Option<PathBuf>,
}

/// One process run: wall time, CPU time (user + system) and peak RSS.
#[derive(Clone, Copy)]
struct Usage {
    wall: Duration,
    cpu: Duration,
    rss_kib: i64,
}

pub fn run(root: &Path, opts: &Options) -> Result<bool, Error> {
    eprintln!("bench: building xtask (release, with mimalloc)");
    let ok = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(root)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "xtask",
            "--features",
            "mimalloc",
        ])
        .status()
        .map_err(Error::io(root))?
        .success();
    if !ok {
        return Ok(false);
    }
    let exe = root.join("target/release/xtask");
    let temp = tempfile::tempdir().map_err(Error::io(root))?;
    let dir = opts.keep.as_deref().unwrap_or(temp.path());
    let runs = opts.runs.max(1);
    if opts.sweep {
        println!("| actions | workflows | cold wall | cold CPU | cold RSS | warm wall | check wall | check RSS | floor | cold / floor | cold CPU per 1,000 actions |");
        println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        for actions in [1_000, 10_000, 50_000] {
            let workflows = actions / 10;
            synthesise(dir, actions, workflows)?;
            let Some(m) = measure_all(&exe, dir, runs)? else {
                return Ok(false);
            };
            println!(
                "| {actions} | {workflows} | {} | {} | {} | {} | {} | {} | {} | {:.1}× | {:.3} s |",
                secs(m.cold.wall),
                secs(m.cold.cpu),
                mb(m.cold.rss_kib),
                secs(m.warm.wall),
                secs(m.check.wall),
                mb(m.check.rss_kib),
                secs(m.floor.wall),
                ratio(m.cold.wall, m.floor.wall),
                m.cold.cpu.as_secs_f64() * 1000.0 / actions as f64,
            );
        }
        return Ok(true);
    }
    synthesise(dir, opts.actions, opts.workflows)?;
    let Some(m) = measure_all(&exe, dir, runs)? else {
        return Ok(false);
    };
    println!(
        "{} actions, {} workflows; median of {runs} run(s) each, peak RSS the largest",
        opts.actions, opts.workflows
    );
    println!("| run | wall | CPU (user+sys) | peak RSS | floor (same run) | wall / floor |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for (label, u) in [
        (
            "generate, cold (no generated/, no target/codegen-cache)",
            m.cold,
        ),
        ("generate, warm (nothing changed)", m.warm),
        ("generate --check (files settled)", m.check),
        ("floor: cat every spec + cp -r generated/", m.floor),
    ] {
        println!(
            "| {label} | {} | {} | {} | {} | {:.1}× |",
            secs(u.wall),
            secs(u.cpu),
            if u.rss_kib > 0 {
                mb(u.rss_kib)
            } else {
                "—".into()
            },
            secs(m.floor.wall),
            ratio(u.wall, m.floor.wall)
        );
    }
    println!();
    println!("| generated/ | bytes |");
    println!("| --- | --- |");
    for (label, bytes) in sizes(&dir.join("generated")).map_err(Error::io(dir))? {
        println!("| {label} | {:.1} MB |", bytes as f64 / 1e6);
    }
    Ok(true)
}

struct Measured {
    cold: Usage,
    warm: Usage,
    check: Usage,
    floor: Usage,
}

fn measure_all(exe: &Path, dir: &Path, runs: usize) -> Result<Option<Measured>, Error> {
    let (mut cold, mut warm, mut check, mut floor) = (vec![], vec![], vec![], vec![]);
    for _ in 0..runs {
        for gone in ["generated", "target/codegen-cache"] {
            let path = dir.join(gone);
            if path.exists() {
                fs::remove_dir_all(&path).map_err(Error::io(&path))?;
            }
        }
        let Some(c) = measure(exe, dir, &["generate"])? else {
            return Ok(None);
        };
        cold.push(c);
        floor.push(measure_floor(dir)?);
        // As a developer's next run would find them: written over 2 s ago (younger
        // mtimes are never trusted, and emitted migrations are hashed again).
        std::thread::sleep(Duration::from_millis(2500));
        let Some(w) = measure(exe, dir, &["generate"])? else {
            return Ok(None);
        };
        warm.push(w);
        let Some(k) = measure(exe, dir, &["generate", "--check"])? else {
            return Ok(None);
        };
        check.push(k);
    }
    Ok(Some(Measured {
        cold: median(cold),
        warm: median(warm),
        check: median(check),
        floor: median(floor),
    }))
}

/// Median wall and CPU, largest RSS.
fn median(mut runs: Vec<Usage>) -> Usage {
    let rss_kib = runs.iter().map(|u| u.rss_kib).max().unwrap_or(0);
    runs.sort_by_key(|u| u.wall);
    let wall = runs[runs.len() / 2].wall;
    runs.sort_by_key(|u| u.cpu);
    Usage {
        wall,
        cpu: runs[runs.len() / 2].cpu,
        rss_kib,
    }
}

fn synthesise(dir: &Path, actions: usize, workflows: usize) -> Result<(), Error> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(Error::io(dir))?;
    }
    eprintln!(
        "bench: synthesising {actions} actions and {workflows} workflows in {}",
        dir.display()
    );
    codegen::synthetic::write(dir, actions, workflows).map_err(Error::io(dir))
}

/// Runs `exe --root dir args`; `None` if it failed.
fn measure(exe: &Path, dir: &Path, args: &[&str]) -> Result<Option<Usage>, Error> {
    let mut cmd = Command::new(exe);
    cmd.arg("--root").arg(dir).args(args);
    let (usage, ok) = wait(cmd)?;
    if !ok {
        eprintln!("bench: `{}` failed", args.join(" "));
        return Ok(None);
    }
    Ok(Some(usage))
}

/// Reading every spec and writing every byte of generated/ once, as `cat` and `cp -r`.
fn measure_floor(dir: &Path) -> Result<Usage, Error> {
    let copy = dir.join("target/floor-copy");
    let _ = fs::remove_dir_all(&copy);
    fs::create_dir_all(dir.join("target")).map_err(Error::io(dir))?;
    let mut cmd = Command::new("sh");
    cmd.current_dir(dir).args([
        "-c",
        "find specs -type f -exec cat {} + >/dev/null && cp -r generated target/floor-copy",
    ]);
    let (usage, _) = wait(cmd)?;
    let _ = fs::remove_dir_all(&copy);
    Ok(Usage {
        rss_kib: 0,
        ..usage
    })
}

/// Spawns `cmd` (output discarded) and reaps it with `wait4` for its resource usage.
fn wait(mut cmd: Command) -> Result<(Usage, bool), Error> {
    let started = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map_err(|e| Error::io(Path::new(cmd.get_program()))(e))?;
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter; wait4 reaps exactly our child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = started.elapsed();
    if pid < 0 {
        return Err(Error::io(Path::new("wait4"))(
            std::io::Error::last_os_error(),
        ));
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    Ok((
        Usage {
            wall,
            cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
            rss_kib: usage.ru_maxrss,
        },
        ok,
    ))
}

/// Bytes under `generated/` by part: SQL migrations, verify.sql, state.json, the rest.
fn sizes(generated: &Path) -> std::io::Result<Vec<(String, u64)>> {
    let mut parts: Vec<(String, u64)> = [
        "sql migrations (*.up.sql, *.down.sql)",
        "sql verify.sql",
        "sql/state.json",
        "openapi.json",
        "catalog.md",
        "actions/ (Rust crate)",
        "workflows/",
        "everything else",
        "all of generated/",
    ]
    .iter()
    .map(|l| (l.to_string(), 0))
    .collect();
    let mut stack = vec![generated.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d)? {
            let entry = entry?;
            let path = entry.path();
            if entry.file_type()?.is_dir() {
                stack.push(path);
                continue;
            }
            let len = entry.metadata()?.len();
            let rel = path
                .strip_prefix(generated)
                .unwrap_or(&path)
                .to_string_lossy()
                .into_owned();
            let i = if rel.ends_with(".up.sql") || rel.ends_with(".down.sql") {
                0
            } else if rel.ends_with("verify.sql") {
                1
            } else if rel == "sql/state.json" {
                2
            } else if rel == "openapi.json" {
                3
            } else if rel == "catalog.md" {
                4
            } else if rel.starts_with("actions/") {
                5
            } else if rel.starts_with("workflows/") {
                6
            } else {
                7
            };
            parts[i].1 += len;
            parts[8].1 += len;
        }
    }
    Ok(parts)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn mb(kib: i64) -> String {
    format!("{:.0} MB", kib as f64 / 1024.0)
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64().max(1e-9)
}
