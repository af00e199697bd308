//! Declared reach on real Keystone: the test user has roles in `ma-test` (configured)
//! and `ma-test-alt`; the server reaches the second only when the operator lists it, or
//! through that project's own bearer token.

use std::collections::BTreeMap;
use std::io::Write;

use mistral_actions_runtime::openstack::config::{Credentials, Ident};
use mistral_actions_runtime::openstack::CloudConfig;
use mistral_actions_runtime::{ExecPolicy, Secret};
use mistral_actions_server::{Access, Config};
use serde_json::json;

use crate::support::{cloud, env, unique, user_server, Fixtures, TOKEN};

// `support` keeps its copy private (and is being changed elsewhere); this one is for
// `serve_with`, which takes the access settings.
#[allow(clippy::duplicate_mod)]
#[path = "../common/serve.rs"]
mod serve;
use serve::{serve_with, Served};

const GET_STATUS: &str = "int32bit.nova.servers.get_status";
const ALT_TOKEN: &str = "real-openstack-alt-project-token";

fn config(cloud: CloudConfig) -> Config {
    Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: Some(Secret::new(TOKEN.to_string())),
        tls: None,
        cloud: Some(cloud),
        exec: ExecPolicy::default(),
    }
}

/// The action server logged in as `cloud`, whose calls may also select `projects`.
pub async fn server_reaching(cloud: CloudConfig, projects: &[String]) -> Served {
    let config = config(cloud);
    let access = Access {
        projects: projects.to_vec(),
        ..Access::of(&config)
    };
    serve_with(&config, &access).await
}

/// A server of the second project, made as the test user scoped to it.
async fn alt_server() -> String {
    let mut alt_cloud = cloud("ma-test");
    let Credentials::Password { project, .. } = &mut alt_cloud.credentials else {
        panic!("ma-test is a password cloud")
    };
    *project = Some(Ident::Name(env().project_alt.name.clone()));
    Fixtures::with(alt_cloud).server(&unique("reach")).await
}

#[tokio::test]
async fn an_unlisted_project_is_refused_and_a_project_s_token_reaches_only_it() {
    let alt = &env().project_alt;
    let (alt_name, alt_id) = (alt.name.clone(), alt.id.clone());
    let theirs = alt_server().await;
    let input = json!({ "server_id": theirs });

    let s = user_server().await;
    for selector in [&alt_name, &alt_id] {
        let (status, body) = s
            .call_with(
                GET_STATUS,
                input.clone(),
                &[("X-OpenStack-Project", selector)],
            )
            .await;
        assert_eq!(
            (status, &body["error"]["kind"]),
            (403, &json!("forbidden")),
            "{body}"
        );
    }

    let mut file = tempfile::NamedTempFile::new().unwrap();
    writeln!(file, "{ALT_TOKEN}").unwrap();
    let config = config(cloud("ma-test"));
    let access = Access {
        project_tokens: BTreeMap::from([(alt_name.clone(), file.path().into())]),
        ..Access::of(&config)
    };
    let mut s = serve_with(&config, &access).await;
    // The server's token: its own project, where the alt server is not.
    let m = s.fails(GET_STATUS, input.clone(), 502).await;
    assert!(m.contains("404"), "{m}");
    // The alt project's token: its project, with or without naming it.
    s.token = ALT_TOKEN.into();
    assert_eq!(s.ok(GET_STATUS, input.clone()).await, "ACTIVE");
    let (status, body) = s
        .call_with(
            GET_STATUS,
            input.clone(),
            &[("X-OpenStack-Project", &alt_name)],
        )
        .await;
    assert_eq!((status, &body["result"]), (200, &json!("ACTIVE")), "{body}");
    let configured = env().project.name.clone();
    let (status, body) = s
        .call_with(GET_STATUS, input, &[("X-OpenStack-Project", &configured)])
        .await;
    assert_eq!(status, 403, "{body}");
}
