//! Declared reach: `X-OpenStack-Project` and `X-OpenStack-Region` select only the
//! configured project and region and those `openstack.projects` / `openstack.regions`
//! list, as written there; a project's own token (`tokens:`) acts in that project only.
//! Anything else is a 403 before any OpenStack call, Keystone's included.

use std::collections::BTreeMap;
use std::io::Write;

use mistral_actions_server::config::{Overrides, Settings};
use serde_json::{json, Value};
use stub_openstack::{fixtures, PROJECT_ID, PROJECT_NAME, PROJECT_TWO_ID, PROJECT_TWO_NAME};

use crate::support::{env_of, Harness, Options, TOKEN};

const GET_STATUS: &str = "int32bit.nova.servers.get_status";
const SECOND_TOKEN: &str = "second-project-token-5e1f";

async fn call(h: &Harness, token: &str, server: &str, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut req = h
        .client
        .post(format!("{}/v1/actions/{GET_STATUS}", h.url))
        .bearer_auth(token)
        .json(&json!({ "server_id": server }));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    crate::support::conforming("POST", req.send().await.expect("an answer")).await
}

fn forbidden(answer: &(u16, Value), naming: &str) {
    let (status, body) = answer;
    assert_eq!(*status, 403, "{body}");
    assert_eq!(body["error"]["kind"], "forbidden", "{body}");
    let m = body["error"]["message"].as_str().unwrap();
    assert!(m.contains(naming), "{m}");
}

fn untouched(h: &Harness) {
    let w = h.stub.world();
    assert_eq!(
        (w.logins, w.service_requests),
        (0, 0),
        "a refused call reaches no OpenStack service, Keystone included"
    );
}

#[tokio::test]
async fn by_default_only_the_configured_project_and_region() {
    let h = Harness::start().await;
    for (header, value) in [
        ("X-OpenStack-Project", PROJECT_TWO_NAME),
        ("X-OpenStack-Project", PROJECT_TWO_ID),
        ("X-OpenStack-Project", "nowhere"),
        ("X-OpenStack-Region", stub_openstack::REGION_TWO),
    ] {
        let answer = call(&h, TOKEN, fixtures::SERVER, &[(header, value)]).await;
        forbidden(&answer, header);
    }
    untouched(&h);
    // The configured project, as configured, and the configured region are fine.
    for (header, value) in [
        ("X-OpenStack-Project", PROJECT_NAME),
        ("X-OpenStack-Region", stub_openstack::REGION),
        ("X-OpenStack-Project", ""),
    ] {
        let (status, body) = call(&h, TOKEN, fixtures::SERVER, &[(header, value)]).await;
        assert_eq!((status, &body["result"]), (200, &json!("ACTIVE")), "{body}");
    }
    // The configured project by its other spelling is not what was configured.
    let answer = call(
        &h,
        TOKEN,
        fixtures::SERVER,
        &[("X-OpenStack-Project", PROJECT_ID)],
    )
    .await;
    forbidden(&answer, PROJECT_ID);
}

#[tokio::test]
async fn a_listed_project_is_selected_as_it_is_listed() {
    let h = Harness::with(Options {
        projects: &[PROJECT_TWO_NAME],
        regions: &[stub_openstack::REGION_TWO],
        ..Options::default()
    })
    .await;
    let (status, body) = call(
        &h,
        TOKEN,
        fixtures::PROJECT_TWO_SERVER,
        &[
            ("X-OpenStack-Project", PROJECT_TWO_NAME),
            ("X-OpenStack-Region", stub_openstack::REGION_TWO),
        ],
    )
    .await;
    assert_eq!(
        (status, &body["result"]),
        (200, &json!("SHUTOFF")),
        "{body}"
    );
    let before = h.stub.world().logins;
    let answer = call(
        &h,
        TOKEN,
        fixtures::PROJECT_TWO_SERVER,
        &[("X-OpenStack-Project", PROJECT_TWO_ID)],
    )
    .await;
    forbidden(&answer, "openstack.projects");
    assert_eq!(h.stub.world().logins, before);
}

fn token_file(token: &str) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "{token}").unwrap();
    f
}

#[tokio::test]
async fn a_project_s_token_acts_in_that_project_only() {
    let file = token_file(SECOND_TOKEN);
    let h = Harness::with(Options {
        project_tokens: BTreeMap::from([(PROJECT_TWO_NAME.to_string(), file.path().into())]),
        ..Options::default()
    })
    .await;
    // No header: the token's project.
    for headers in [&[][..], &[("X-OpenStack-Project", PROJECT_TWO_NAME)][..]] {
        let (status, body) = call(&h, SECOND_TOKEN, fixtures::PROJECT_TWO_SERVER, headers).await;
        assert_eq!(
            (status, &body["result"]),
            (200, &json!("SHUTOFF")),
            "{body}"
        );
    }
    assert_eq!(h.stub.world().project_requests.get(PROJECT_ID), None);
    let logins = h.stub.world().logins;
    for other in [PROJECT_NAME, PROJECT_ID, PROJECT_TWO_ID] {
        let answer = call(
            &h,
            SECOND_TOKEN,
            fixtures::SERVER,
            &[("X-OpenStack-Project", other)],
        )
        .await;
        forbidden(&answer, "acts in project 'second' only");
    }
    assert_eq!(h.stub.world().logins, logins);
    // The server's token does not reach the second project: it is not listed.
    let answer = call(
        &h,
        TOKEN,
        fixtures::PROJECT_TWO_SERVER,
        &[("X-OpenStack-Project", PROJECT_TWO_NAME)],
    )
    .await;
    forbidden(&answer, "openstack.projects");
    let (status, body) = call(&h, TOKEN, fixtures::SERVER, &[]).await;
    assert_eq!(status, 200, "{body}");
}

#[test]
fn tokens_are_configured_per_project_and_never_shared() {
    let second = token_file(SECOND_TOKEN);
    let config = |main: &str| {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(
            f,
            "token: {main}\ntoken_overlap_secs: 30\ntokens:\n  {PROJECT_TWO_NAME}: {}\nopenstack:\n  projects: [{PROJECT_TWO_ID}]\n  regions: [{}]\n",
            second.path().display(),
            stub_openstack::REGION_TWO
        )
        .unwrap();
        f
    };
    let load = |file: &tempfile::NamedTempFile| {
        Settings::load(
            Overrides {
                config: Some(file.path().into()),
                ..Overrides::default()
            },
            &env_of(&[]),
        )
    };
    let ok = config("main-token");
    let s = load(&ok).unwrap();
    assert_eq!(s.access.projects, [PROJECT_TWO_ID]);
    assert_eq!(s.access.regions, [stub_openstack::REGION_TWO]);
    assert_eq!(s.access.overlap.as_secs(), 30);
    assert_eq!(
        s.access.project_tokens.keys().collect::<Vec<_>>(),
        [PROJECT_TWO_NAME]
    );
    mistral_actions_server::state_with(&s.config, &s.access).unwrap();

    let shared = config(SECOND_TOKEN);
    let s = load(&shared).unwrap();
    let e = mistral_actions_server::state_with(&s.config, &s.access)
        .err()
        .expect("a token shared by two callers is refused");
    assert!(e.to_string().contains("token of its own"), "{e}");
    assert!(!e.to_string().contains(SECOND_TOKEN), "{e}");
}
