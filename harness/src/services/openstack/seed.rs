//! What an operator sets up before anyone can use the cloud, done over the real APIs:
//! Keystone's service project, users, catalog, the test domain, projects, user and
//! application credential; then a Glance image, a Nova flavor and raised quotas.

use anyhow::{bail, Context, Result};

use serde_json::{json, Value};

use super::api::{self, Api};
use super::config::{self, Settings, REGION};

/// The test identities; every name here is also in env.json.
pub const TEST_DOMAIN: &str = "ma-test";
pub const TEST_PROJECT: &str = "ma-test";
pub const TEST_PROJECT_ALT: &str = "ma-test-alt";
pub const TEST_USER: &str = "ma-test-user";
/// A second member of both test projects.
pub const OTHER_USER: &str = "ma-test-other";
/// `admin` in the test project.
pub const PROJECT_ADMIN: &str = "ma-test-admin";
pub const APP_CRED_NAME: &str = "ma-test-appcred";
pub const SERVICE_USERS: [&str; 6] = ["glance", "cinder", "nova", "placement", "trove", "mistral"];
pub const IMAGE_NAME: &str = "ma-test-image";
pub const FLAVOR_ID: &str = "1";
pub const FLAVOR_NAME: &str = "ma.tiny";

pub fn test_password() -> String {
    config::password(TEST_USER)
}

pub fn app_cred_secret() -> String {
    config::password(APP_CRED_NAME)
}

/// What seeding Keystone made, for env.json.
#[derive(Clone, Debug)]
pub struct Identities {
    pub project_id: String,
    pub project_alt_id: String,
    pub admin_project_id: String,
    /// Where Trove (as the taskmanager does) creates its Nova servers.
    pub service_project_id: String,
    pub app_cred_id: String,
    pub user_id: String,
    pub other_user_id: String,
    pub project_admin_id: String,
}

/// What the test domain's part of seeding made.
struct TestIds {
    project_id: String,
    project_alt_id: String,
    user_id: String,
    other_user_id: String,
    project_admin_id: String,
}

/// The catalog: `(type, name, URL)`, each with public, internal and admin endpoints.
pub fn catalog(s: &Settings) -> Vec<(&'static str, &'static str, String)> {
    let p = &s.ports;
    let at = |port: u16, path: &str| format!("http://127.0.0.1:{port}{path}");
    vec![
        ("image", "glance", at(p.glance, "")),
        ("volumev3", "cinderv3", at(p.cinder, "/v3/%(project_id)s")),
        (
            "block-storage",
            "cinder",
            at(p.cinder, "/v3/%(project_id)s"),
        ),
        ("compute", "nova", at(p.nova, "/v2.1")),
        ("placement", "placement", at(p.placement, "")),
        ("database", "trove", at(p.trove, "/v1.0/%(tenant_id)s")),
        ("network", "neutron", at(p.neutron, "")),
        (
            "object-store",
            "swift",
            at(p.swift, "/v1/AUTH_%(project_id)s"),
        ),
    ]
}

fn id(v: &Value, key: &str) -> Result<String> {
    v[key]["id"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("no {key}.id in {v}"))
}

/// The admin's token, scoped to the admin project.
pub fn admin(s: &Settings) -> Result<(Api, Value)> {
    api::login(
        &s.keystone_url(),
        "admin",
        "Default",
        &config::password("admin"),
        "admin",
        "Default",
    )
}

pub fn keystone(s: &Settings) -> Result<Identities> {
    let ks = format!("{}/v3", s.keystone_url());
    let (admin, body) = admin(s)?;
    let admin_project_id = body["token"]["project"]["id"]
        .as_str()
        .context("the admin token has no project")?
        .to_string();
    let roles = admin.get(&format!("{ks}/roles"))?;
    let mut role_ids = std::collections::BTreeMap::new();
    for role in roles["roles"].as_array().into_iter().flatten() {
        role_ids.insert(
            role["name"].as_str().unwrap_or_default().to_string(),
            role["id"].as_str().unwrap_or_default().to_string(),
        );
    }
    for name in ["admin", "member", "reader", "service"] {
        if !role_ids.contains_key(name) {
            let made = admin.post(&format!("{ks}/roles"), &json!({"role": {"name": name}}))?;
            role_ids.insert(name.to_string(), id(&made, "role")?);
        }
    }
    let grant = |project: &str, user: &str, role: &str| {
        admin.put(
            &format!(
                "{ks}/projects/{project}/users/{user}/roles/{}",
                role_ids[role]
            ),
            &json!({}),
        )
    };
    // Three independent groups of calls, in parallel (Keystone serves them with threads).
    let (service_project, catalog_done, test) = std::thread::scope(|scope| {
        let services = scope.spawn(|| -> Result<String> {
            let service_project = id(
                &admin.post(
                    &format!("{ks}/projects"),
                    &json!({"project": {"name": "service", "domain_id": "default"}}),
                )?,
                "project",
            )?;
            for user in SERVICE_USERS {
                let uid = id(
                    &admin.post(
                        &format!("{ks}/users"),
                        &json!({"user": {"name": user, "domain_id": "default",
                                         "password": config::password(user)}}),
                    )?,
                    "user",
                )?;
                grant(&service_project, &uid, "admin")?;
                grant(&service_project, &uid, "service")?;
            }
            Ok(service_project)
        });
        let catalog_done = scope.spawn(|| -> Result<()> {
            for (kind, name, url) in catalog(s) {
                let sid = id(
                    &admin.post(
                        &format!("{ks}/services"),
                        &json!({"service": {"type": kind, "name": name}}),
                    )?,
                    "service",
                )?;
                for interface in ["public", "internal", "admin"] {
                    admin.post(
                        &format!("{ks}/endpoints"),
                        &json!({"endpoint": {"service_id": sid, "interface": interface,
                                             "url": url, "region_id": REGION}}),
                    )?;
                }
            }
            Ok(())
        });
        let test = (|| -> Result<TestIds> {
            let domain = id(
                &admin.post(
                    &format!("{ks}/domains"),
                    &json!({"domain": {"name": TEST_DOMAIN}}),
                )?,
                "domain",
            )?;
            let project = |name: &str| -> Result<String> {
                id(
                    &admin.post(
                        &format!("{ks}/projects"),
                        &json!({"project": {"name": name, "domain_id": domain}}),
                    )?,
                    "project",
                )
            };
            let project_id = project(TEST_PROJECT)?;
            let project_alt_id = project(TEST_PROJECT_ALT)?;
            let user = |name: &str| -> Result<String> {
                id(
                    &admin.post(
                        &format!("{ks}/users"),
                        &json!({"user": {"name": name, "domain_id": domain,
                                         "password": config::password(name)}}),
                    )?,
                    "user",
                )
            };
            let user_id = user(TEST_USER)?;
            let other_user_id = user(OTHER_USER)?;
            let project_admin_id = user(PROJECT_ADMIN)?;
            for p in [&project_id, &project_alt_id] {
                for u in [&user_id, &other_user_id] {
                    grant(p, u, "member")?;
                    grant(p, u, "reader")?;
                }
            }
            for role in ["admin", "member", "reader"] {
                grant(&project_id, &project_admin_id, role)?;
            }
            Ok(TestIds {
                project_id,
                project_alt_id,
                user_id,
                other_user_id,
                project_admin_id,
            })
        })();
        (
            services.join().expect("no panic"),
            catalog_done.join().expect("no panic"),
            test,
        )
    });
    let service_project = service_project?;
    catalog_done?;
    let test = test?;
    let (project_id, project_alt_id, user_id) =
        (test.project_id, test.project_alt_id, test.user_id);
    let (user, _) = api::login(
        &s.keystone_url(),
        TEST_USER,
        TEST_DOMAIN,
        &test_password(),
        TEST_PROJECT,
        TEST_DOMAIN,
    )?;
    let cred = user.post(
        &format!("{ks}/users/{user_id}/application_credentials"),
        &json!({"application_credential": {
            "name": APP_CRED_NAME, "secret": app_cred_secret(),
            "description": "mistral-actions tests (cargo harness openstack)"}}),
    )?;
    Ok(Identities {
        project_id,
        project_alt_id,
        admin_project_id,
        service_project_id: service_project,
        app_cred_id: id(&cred, "application_credential")?,
        user_id,
        other_user_id: test.other_user_id,
        project_admin_id: test.project_admin_id,
    })
}

/// A public qcow2 image whose data is a real (tiny, empty) qcow2 made by `qemu-img`: Glance
/// 33 checks uploaded data against the declared format.
pub fn image(s: &Settings, admin: &Api, qcow2: &[u8]) -> Result<String> {
    let glance = format!("http://127.0.0.1:{}", s.ports.glance);
    let made = admin.post(
        &format!("{glance}/v2/images"),
        &json!({"name": IMAGE_NAME, "disk_format": "qcow2", "container_format": "bare",
                "visibility": "public", "min_disk": 0, "min_ram": 0}),
    )?;
    let image_id = made["id"]
        .as_str()
        .with_context(|| format!("Glance made an image without id: {made}"))?
        .to_string();
    admin.put_bytes(&format!("{glance}/v2/images/{image_id}/file"), qcow2)?;
    let shown = admin.get(&format!("{glance}/v2/images/{image_id}"))?;
    if shown["status"] != "active" {
        bail!(
            "the test image is {} after upload, not active",
            shown["status"]
        );
    }
    Ok(image_id)
}

pub fn flavor(s: &Settings, admin: &Api) -> Result<()> {
    admin
        .post(
            &format!("http://127.0.0.1:{}/v2.1/flavors", s.ports.nova),
            &json!({"flavor": {"name": FLAVOR_NAME, "id": FLAVOR_ID, "ram": 64,
                               "vcpus": 1, "disk": 1}}),
        )
        .map(drop)
}

/// Room for many tests in both test projects (the defaults allow 10 backups, 10 servers).
pub fn quotas(s: &Settings, admin: &Api, ids: &Identities) -> Result<()> {
    let p = &s.ports;
    // Trove boots its servers in the service project.
    admin.put(
        &format!(
            "http://127.0.0.1:{}/v2.1/os-quota-sets/{}",
            p.nova, ids.service_project_id
        ),
        &json!({"quota_set": {"instances": 200, "cores": 400, "ram": 409600}}),
    )?;
    for project in [&ids.project_id, &ids.project_alt_id] {
        admin.put(
            &format!("http://127.0.0.1:{}/v2.1/os-quota-sets/{project}", p.nova),
            &json!({"quota_set": {"instances": 200, "cores": 400, "ram": 409600}}),
        )?;
        admin.put(
            &format!(
                "http://127.0.0.1:{}/v3/{}/os-quota-sets/{project}",
                p.cinder, ids.admin_project_id
            ),
            &json!({"quota_set": {"volumes": 200, "snapshots": 200, "backups": 200,
                                  "gigabytes": 2000, "backup_gigabytes": 2000}}),
        )?;
        admin.put(
            &format!(
                "http://127.0.0.1:{}/v1.0/{}/mgmt/quotas/{project}",
                p.trove, ids.admin_project_id
            ),
            &json!({"quotas": {"instances": 200, "backups": 200, "volumes": 2000}}),
        )?;
    }
    Ok(())
}
