//! env.json and clouds.yaml: what the tests (and a person at a shell) use to reach the
//! services, as `harness_contract::OpenStackEnv` (which documents each field) writes them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Result;
use harness_contract::{
    Admin, ApplicationCredential, OpenStackEnv, Project, ServiceUser, Settle, Trove, User,
};

use super::config::{self, Settings, REGION};
use super::launch::Ctx;
use super::seed::{self, Identities};
use super::tls::Tls;
use super::{cinder, trove, venv};

pub fn settle_script(ctx: &Ctx) -> PathBuf {
    ctx.root.join("harness").join("openstack").join("settle.py")
}

/// A service user of the `Default` domain in the `service` project, as seeded.
fn service_user(name: &str) -> ServiceUser {
    ServiceUser {
        username: name.into(),
        password: config::password(name),
        user_domain_name: "Default".into(),
        project_name: "service".into(),
        project_domain_name: "Default".into(),
    }
}

/// Writes env.json and clouds.yaml; returns their paths.
pub fn write(
    ctx: &Ctx,
    s: &Settings,
    ids: &Identities,
    certs: &Tls,
    image_id: &str,
) -> Result<(PathBuf, PathBuf)> {
    let env_file = ctx.dir.join("env.json");
    let auth_url = format!("{}/v3", s.keystone_url());
    let mut endpoints = BTreeMap::new();
    endpoints.insert("identity".to_string(), auth_url.clone());
    for (kind, _, url) in seed::catalog(s) {
        endpoints.insert(kind.to_string(), url);
    }
    let project = |name: &str, id: &str| Project {
        name: name.into(),
        id: id.into(),
        domain_name: seed::TEST_DOMAIN.into(),
    };
    let env = OpenStackEnv {
        auth_url,
        // localhost, not 127.0.0.1: clients that check names against the certificate's
        // subjectAltName (both are there) and clients that only match DNS names both work.
        auth_url_tls: format!("https://localhost:{}/v3", s.ports.keystone_tls),
        ca_file: certs.ca.clone(),
        region: REGION.into(),
        interface: "public".into(),
        admin: Admin {
            login: ServiceUser {
                project_name: "admin".into(),
                ..service_user("admin")
            },
            project_id: ids.admin_project_id.clone(),
        },
        user: User {
            name: seed::TEST_USER.into(),
            id: ids.user_id.clone(),
            password: seed::test_password(),
            domain_name: seed::TEST_DOMAIN.into(),
        },
        other_user: User {
            name: seed::OTHER_USER.into(),
            id: ids.other_user_id.clone(),
            password: config::password(seed::OTHER_USER),
            domain_name: seed::TEST_DOMAIN.into(),
        },
        project_admin: User {
            name: seed::PROJECT_ADMIN.into(),
            id: ids.project_admin_id.clone(),
            password: config::password(seed::PROJECT_ADMIN),
            domain_name: seed::TEST_DOMAIN.into(),
        },
        project: project(seed::TEST_PROJECT, &ids.project_id),
        project_alt: project(seed::TEST_PROJECT_ALT, &ids.project_alt_id),
        application_credential: ApplicationCredential {
            id: ids.app_cred_id.clone(),
            name: seed::APP_CRED_NAME.into(),
            secret: seed::app_cred_secret(),
        },
        mistral: service_user("mistral"),
        image_id: image_id.into(),
        image_name: seed::IMAGE_NAME.into(),
        flavor_id: seed::FLAVOR_ID.into(),
        flavor_name: seed::FLAVOR_NAME.into(),
        trove: Trove {
            datastore: trove::DATASTORE.into(),
            datastore_version: trove::DATASTORE_VERSION.into(),
        },
        endpoints,
        clouds_yaml: ctx.dir.join("clouds.yaml"),
        python: venv::python(&ctx.root),
        settle: Settle {
            script: settle_script(ctx),
            trove_db: s.mysql_db(trove::DATABASE),
            cinder_db: s.postgres_db(cinder::DATABASE),
            trove_user: service_user("trove"),
        },
        logs: ctx.dir.join("logs"),
    };
    env.write(&env_file)?;
    Ok((env_file, env.clouds_yaml))
}
