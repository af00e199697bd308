//! `cargo xtask completions bash` in a real bash, driven as bash drives a completion: the
//! function `complete -p cargo` names, with COMP_WORDS, COMP_CWORD, COMP_LINE and
//! COMP_POINT as typing `cargo xtask …<TAB>` sets them.

use std::process::Command;

/// Sources the script (after a stand-in for cargo's own completion), then completes each
/// line of `lines`, the word under the cursor last (possibly empty); prints
/// `line => replies` per line.
fn complete(lines: &[&str]) -> String {
    let script = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(script.status.success());
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("xtask.bash");
    std::fs::write(&path, &script.stdout).unwrap();
    let mut program = format!(
        r#"
_cargo_before() {{ COMPREPLY=(build bench); }}
complete -F _cargo_before cargo
source '{}'
spec=$(complete -p cargo)
fn=${{spec##*-F }}; fn=${{fn%% *}}
drive() {{
    COMP_LINE=$1
    COMP_POINT=${{#COMP_LINE}}
    read -r -a COMP_WORDS <<< "$COMP_LINE"
    [[ $COMP_LINE == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
    COMPREPLY=()
    "$fn" cargo "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
    echo "$COMP_LINE => ${{COMPREPLY[*]}}"
}}
"#,
        path.display()
    );
    for line in lines {
        program.push_str(&format!("drive '{line}'\n"));
    }
    let out = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program])
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn replies<'a>(out: &'a str, line: &str) -> Vec<&'a str> {
    let prefix = format!("{line} => ");
    out.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no answer for {line:?}: {out}"))
        .split_whitespace()
        .collect()
}

#[test]
fn cargo_xtask_completes_in_bash() {
    let lines = [
        "cargo xtask ge",
        "cargo xtask ",
        "cargo xtask sql ",
        "cargo xtask sql unregister --generation vic",
        "cargo xtask sql register --dialect ",
        "cargo xtask completions b",
        "cargo bu",
    ];
    let out = complete(&lines);
    assert_eq!(replies(&out, "cargo xtask ge"), ["generate"], "{out}");
    let top = replies(&out, "cargo xtask ");
    for sub in ["generate", "sql", "action-list", "completions", "ci"] {
        assert!(top.contains(&sub), "{sub}: {out}");
    }
    let sql = replies(&out, "cargo xtask sql ");
    for sub in ["register", "unregister", "clear", "sync"] {
        assert!(sql.contains(&sub), "{sub}: {out}");
    }
    assert_eq!(
        replies(&out, "cargo xtask sql unregister --generation vic"),
        ["victoria-to-2026"]
    );
    assert_eq!(
        replies(&out, "cargo xtask sql register --dialect "),
        ["postgresql", "mysql"]
    );
    assert_eq!(replies(&out, "cargo xtask completions b"), ["bash"]);
    // Anything else is cargo's own completion, as before the script was sourced.
    assert_eq!(replies(&out, "cargo bu"), ["build", "bench"]);
}
