//! Scopes as Mistral 23 allows them: private for any member, public only for an admin
//! (`*:publicize` is admin-only); an admin is warned about its triggers' trust.

use harness_contract::{PROJECT_ADMIN_CLOUD, USER_CLOUD};

use super::support::{actions, cli, schedule, workflow, Env, Project};

fn project(prefix: &str, scope: &str) -> Project {
    let p = Project::new(prefix, scope);
    p.file("actions/vol.yaml", &actions(1))
        .file(
            "workflows/flow.yaml",
            &workflow(
                &format!("{prefix}_flow"),
                Some(&format!("{prefix}.vol.get0")),
                "",
            ),
        )
        .file(
            "schedules/s.yaml",
            &format!(
                "schedules:\n{}",
                schedule(
                    &format!("{prefix}_yearly"),
                    &format!("{prefix}_flow"),
                    "0 0 1 1 *",
                    None
                )
            ),
        )
        .generate();
    p
}

#[test]
fn public_as_the_admin_user_with_a_warning_about_trusts() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtpublic");
    let p = project("dtpublic", "public");
    let apply = cli(&env, PROJECT_ADMIN_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(
        apply.stderr.contains("warning: you hold the `admin` role")
            && apply.stderr.contains("dedicated user"),
        "{}",
        apply.all()
    );
    let wf = member.find("workflows", "dtpublic_flow").unwrap();
    assert_eq!(wf["scope"], "public");
    let trigger = member.find("cron_triggers", "dtpublic_yearly").unwrap();
    assert_eq!(trigger["scope"], "public");
    let plan = cli(&env, PROJECT_ADMIN_CLOUD, &p, &["plan"], &[]);
    assert_eq!(
        plan.code,
        0,
        "an admin lists every project's: {}",
        plan.all()
    );
    member.clean("dtpublic");
}

#[test]
fn public_as_a_member_is_refused_and_explained() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtrefused");
    let p = project("dtrefused", "public");
    let plan = cli(&env, USER_CLOUD, &p, &["plan"], &[]);
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(
        plan.stderr.contains("only admins make resources public"),
        "warned before: {}",
        plan.all()
    );
    let apply = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 1, "{}", apply.all());
    assert!(
        apply.stderr.contains("Mistral answered 403"),
        "{}",
        apply.all()
    );
    assert!(
        apply
            .stderr
            .contains("Mistral lets only admins make an action public (policy `actions:publicize`"),
        "{}",
        apply.all()
    );
    assert!(
        apply
            .stderr
            .contains("set `scope: private` in specs/project.yaml"),
        "{}",
        apply.all()
    );
    assert!(member.find("workflows", "dtrefused_flow").is_none());
    member.clean("dtrefused");
}

#[test]
fn private_as_a_member_without_warnings() {
    let env = Env::get();
    let member = env.member();
    member.clean("dtprivate");
    let p = project("dtprivate", "private");
    let apply = cli(&env, USER_CLOUD, &p, &["apply"], &[]);
    assert_eq!(apply.code, 0, "{}", apply.all());
    assert!(!apply.stderr.contains("warning"), "{}", apply.all());
    for (collection, name) in [
        ("workflows", "dtprivate_flow"),
        ("cron_triggers", "dtprivate_yearly"),
        ("actions", "dtprivate.vol.get0"),
    ] {
        let item = member.find(collection, name).unwrap();
        assert_eq!(item["scope"], "private", "{item}");
    }
    member.clean("dtprivate");
}
