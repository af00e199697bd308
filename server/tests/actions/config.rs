//! Configuration: file, then environment, then flags.

use std::io::Write;

use mistral_actions_server::config::{Config, Overrides};

use crate::support::env_of;

fn file(text: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    f.write_all(text.as_bytes()).unwrap();
    f
}

#[test]
fn the_file_is_read_and_the_environment_wins() {
    let token = file("from-file\n");
    let cfg = file(&format!(
        "listen: 127.0.0.1:9999\ntoken_file: {}\nexec:\n  allow: [ls]\n  timeout_secs: 2.5\n  max_output_bytes: 10\n",
        token.path().display()
    ));
    let with = |pairs: &[(&str, String)]| {
        Config::load(
            Overrides {
                config: Some(cfg.path().to_path_buf()),
                ..Overrides::default()
            },
            &env_of(pairs),
        )
        .unwrap()
    };
    let c = with(&[]);
    assert_eq!(c.listen.to_string(), "127.0.0.1:9999");
    assert_eq!(c.token.as_ref().unwrap().expose(), "from-file");
    assert_eq!(c.exec.allow, ["ls"]);
    assert_eq!(c.exec.timeout.as_millis(), 2500);
    assert_eq!(c.exec.max_output_bytes, 10);
    assert!(c.cloud.is_none());
    assert!(
        !format!("{c:?}").contains("from-file"),
        "the token is redacted"
    );

    let c = with(&[
        ("MISTRAL_ACTIONS_TOKEN", "from-env".into()),
        ("MISTRAL_ACTIONS_LISTEN", "127.0.0.1:7777".into()),
        ("OS_AUTH_URL", "http://keystone:5000".into()),
        ("OS_USERNAME", "u".into()),
        ("OS_PASSWORD", "p".into()),
    ]);
    assert_eq!(c.token.unwrap().expose(), "from-env");
    assert_eq!(c.listen.port(), 7777);
    assert_eq!(c.cloud.unwrap().auth_url, "http://keystone:5000/v3");
}

#[test]
fn no_token_needs_the_explicit_flag() {
    let e = Config::load(Overrides::default(), &env_of(&[])).unwrap_err();
    assert!(e.to_string().contains("--insecure-no-auth"), "{e}");
    let c = Config::load(
        Overrides {
            insecure_no_auth: true,
            ..Overrides::default()
        },
        &env_of(&[("MISTRAL_ACTIONS_TOKEN", "t".into())]),
    )
    .unwrap();
    assert!(c.token.is_none());
}

#[test]
fn unknown_keys_in_the_file_are_refused() {
    let cfg = file("listen: 127.0.0.1:1\ntokne: x\n");
    let e = Config::load(
        Overrides {
            config: Some(cfg.path().to_path_buf()),
            ..Overrides::default()
        },
        &env_of(&[]),
    )
    .unwrap_err();
    assert!(e.to_string().contains("tokne"), "{e}");
}
