//! Plain `cargo test` fails when generated/ is stale, like rust-analyzer's codegen tests.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[test]
fn generated_matches_the_specs() {
    let root = root();
    let (_, _, files) = codegen::generate(&root).expect("the specs are valid");
    let drift = codegen::output::check(&root, &files).unwrap();
    assert!(
        drift.is_empty(),
        "generated/ is stale, run `cargo xtask generate`:\n{}",
        drift
            .iter()
            .map(|c| format!("{c:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn generation_is_deterministic() {
    let root = root();
    let (_, _, first) = codegen::generate(&root).unwrap();
    let (_, _, second) = codegen::generate(&root).unwrap();
    assert_eq!(first, second);
}

#[test]
fn generated_files_hold_no_timestamps_or_absolute_paths() {
    let root = root();
    let (_, _, files) = codegen::generate(&root).unwrap();
    let root_text = root.to_string_lossy().into_owned();
    for path in files.paths() {
        let text = files.contents(&root, path).unwrap().unwrap();
        assert!(
            !text.contains(&root_text),
            "{path} holds the absolute root path"
        );
        for (n, line) in text.lines().enumerate() {
            let bytes = line.as_bytes();
            // YYYY-MM-DD followed by a time: what a "generated at" stamp looks like.
            let stamp = bytes.windows(16).any(|w| {
                w[..4].iter().all(u8::is_ascii_digit)
                    && w[4] == b'-'
                    && w[7] == b'-'
                    && (w[10] == b' ' || w[10] == b'T')
                    && w[13] == b':'
            });
            assert!(!stamp, "{path}:{} looks like a timestamp: {line}", n + 1);
        }
    }
}
