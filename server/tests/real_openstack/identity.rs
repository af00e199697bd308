//! Keystone as operators run it: application credentials, a second project, tokens
//! revoked under the server, and Keystone served over TLS with a private CA.

use mistral_actions_runtime::openstack::config::{Credentials, Ident};
use mistral_actions_runtime::openstack::Method;
use serde_json::json;

use crate::reach::server_reaching;
use crate::support::{cloud, env, server, text, unique, Fixtures};

const GET_STATUS: &str = "int32bit.nova.servers.get_status";

#[tokio::test]
async fn an_application_credential_acts_in_its_project_only() {
    let f = Fixtures::user();
    let server_id = f.server(&unique("appcred")).await;
    let alt = env().project_alt.name.clone();
    // Listed, so that the application credential's own refusal is what answers.
    let s = server_reaching(cloud("ma-test-appcred"), std::slice::from_ref(&alt)).await;
    assert_eq!(
        s.ok(GET_STATUS, json!({"server_id": server_id})).await,
        "ACTIVE"
    );
    let (status, body) = s
        .call_with(
            GET_STATUS,
            json!({"server_id": server_id}),
            &[("X-OpenStack-Project", &alt)],
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("application credential"));
}

#[tokio::test]
async fn the_project_header_acts_in_the_user_s_other_project() {
    let mut alt_cloud = cloud("ma-test");
    let Credentials::Password { project, .. } = &mut alt_cloud.credentials else {
        panic!("ma-test is a password cloud")
    };
    let alt = &env().project_alt;
    *project = Some(Ident::Name(alt.name.clone()));
    let theirs = Fixtures::with(alt_cloud).server(&unique("alt")).await;

    // The operator lists the second project (by name and id) and one without a role.
    let reach = [alt.name.clone(), alt.id.clone(), "admin".to_string()];
    let s = server_reaching(cloud("ma-test"), &reach).await;
    let input = json!({"server_id": theirs});
    // Not visible from the configured project.
    let m = s.fails(GET_STATUS, input.clone(), 502).await;
    assert!(m.contains("404"), "{m}");
    for selector in [alt.name.clone(), alt.id.clone()] {
        let (status, body) = s
            .call_with(
                GET_STATUS,
                input.clone(),
                &[("X-OpenStack-Project", &selector)],
            )
            .await;
        assert_eq!((status, &body["result"]), (200, &json!("ACTIVE")), "{body}");
    }
    // A project the user has no role in: Keystone refuses the scoped login.
    let (status, body) = s
        .call_with(GET_STATUS, input, &[("X-OpenStack-Project", "admin")])
        .await;
    assert_eq!(status, 502, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("X-OpenStack-Project"));
}

#[tokio::test]
async fn a_token_revoked_under_the_server_means_one_new_login() {
    // A user of its own: disabling a user revokes its tokens (Keystone's revocation
    // events), and other tests must keep theirs.
    let admin = Fixtures::admin();
    let e = env();
    let name = unique("revoked");
    let password = "revoked-user-password";
    let user = admin
        .post(
            "identity",
            "/users",
            json!({"user": {"name": name, "password": password,
                            "domain_id": "default", "enabled": true}}),
        )
        .await;
    let user_id = text(&user["user"]["id"]);
    let roles = admin.get("identity", "/roles?name=member").await;
    let role = text(&roles["roles"][0]["id"]);
    let project = e.project.id.clone();
    admin
        .send(
            Method::PUT,
            "identity",
            &format!("/projects/{project}/users/{user_id}/roles/{role}"),
            None,
        )
        .await;
    let mut c = cloud("ma-test");
    let Credentials::Password {
        user,
        password: pw,
        user_domain,
        ..
    } = &mut c.credentials
    else {
        panic!("ma-test is a password cloud")
    };
    *user = Ident::Name(name.clone());
    *pw = mistral_actions_runtime::Secret::new(password.into());
    *user_domain = Ident::Id("default".into());
    let server_id = Fixtures::user().server(&unique("revoke")).await;
    let s = server(c).await;
    let input = json!({"server_id": server_id});
    assert_eq!(s.ok(GET_STATUS, input.clone()).await, "ACTIVE");

    let path = format!("/users/{user_id}");
    let patch = |enabled: bool| json!({"user": {"enabled": enabled}});
    admin
        .send(Method::PATCH, "identity", &path, Some(patch(false)))
        .await;
    admin
        .send(Method::PATCH, "identity", &path, Some(patch(true)))
        .await;
    // The cached token is now refused by Nova; the server logs in again, once.
    assert_eq!(s.ok(GET_STATUS, input).await, "ACTIVE");
}

#[tokio::test]
async fn keystone_over_tls_is_trusted_through_cacert_only() {
    let server_id = Fixtures::user().server(&unique("tls")).await;
    let input = json!({"server_id": server_id});

    let trusted = cloud("ma-test-tls");
    assert!(
        trusted.auth_url.starts_with("https://"),
        "{}",
        trusted.auth_url
    );
    assert!(trusted.trust.cacert.is_some());
    let s = server(trusted.clone()).await;
    assert_eq!(s.ok(GET_STATUS, input.clone()).await, "ACTIVE");

    let mut untrusted = trusted.clone();
    untrusted.trust.cacert = None;
    let s = server(untrusted.clone()).await;
    let m = s.fails(GET_STATUS, input.clone(), 502).await;
    assert!(
        m.to_lowercase().contains("certificate") || m.contains("tls") || m.contains("TLS"),
        "the refusal names the certificate: {m}"
    );

    let mut unverified = untrusted;
    unverified.trust.verify = false;
    let s = server(unverified).await;
    assert_eq!(s.ok(GET_STATUS, input).await, "ACTIVE");
}

#[tokio::test]
async fn a_wrong_password_is_keystone_s_401_as_a_502() {
    let server_id = Fixtures::user().server(&unique("wrongpw")).await;
    let mut c = cloud("ma-test");
    let Credentials::Password { password, .. } = &mut c.credentials else {
        panic!("ma-test is a password cloud")
    };
    *password = mistral_actions_runtime::Secret::new("not-the-password".into());
    let s = server(c).await;
    let m = s
        .fails(GET_STATUS, json!({"server_id": server_id}), 502)
        .await;
    assert!(m.contains("identity answered 401"), "{m}");
}
