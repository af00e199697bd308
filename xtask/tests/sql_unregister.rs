//! `cargo xtask sql unregister NAME…` says, before its SQL, which names it will remove
//! and what it never touches (the original printed NOT FOUND; ours said nothing).

use std::process::Command;

#[test]
fn unregister_says_what_it_will_and_will_not_touch() {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "sql",
            "unregister",
            "int32bit.nova.servers.get_status",
            "someone.elses.action",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let note = String::from_utf8_lossy(&out.stderr);
    assert!(note.contains("left alone"), "{note}");
    assert!(
        note.contains(
            "int32bit.nova.servers.get_status: an action of the specs: its row is removed"
        ),
        "{note}"
    );
    assert!(
        note.contains("someone.elses.action: not an action of the specs"),
        "{note}"
    );
    // stdout is only SQL, which says per name what happened when it runs.
    let sql = String::from_utf8_lossy(&out.stdout);
    assert!(
        sql.contains("'NOT FOUND'") && !sql.contains("sql unregister:"),
        "{sql}"
    );

    let refused = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "sql",
            "unregister",
            "a.b\nDROP TABLE action_definitions_v2; --",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
}
