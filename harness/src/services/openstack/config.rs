//! What every service's configuration shares: ports, database and messaging URLs, the
//! service users' credentials, and the ini sections that say so.

use std::fmt::Write as _;

use anyhow::Result;

/// The region of every catalog entry.
pub const REGION: &str = "RegionOne";
/// The RabbitMQ vhost of the OpenStack services (Mistral keeps the default one).
pub const VHOST: &str = "openstack";

/// Ports of one run, all on 127.0.0.1; the usual ones when they are free.
#[derive(Clone, Debug)]
pub struct Ports {
    pub keystone: u16,
    pub keystone_tls: u16,
    pub glance: u16,
    pub cinder: u16,
    pub placement: u16,
    pub nova: u16,
    pub trove: u16,
    /// Our responder standing for Neutron.
    pub neutron: u16,
    /// Our responder standing for Swift.
    pub swift: u16,
}

impl Ports {
    pub fn pick() -> Result<Self> {
        let mut taken = Vec::new();
        let mut pick = |usual: u16| -> Result<u16> {
            // free_port only binds and lets go: keep one run's choices distinct.
            let mut port = crate::services::process::free_port(Some(usual))?;
            while taken.contains(&port) {
                port = crate::services::process::free_port(None)?;
            }
            taken.push(port);
            Ok(port)
        };
        Ok(Ports {
            keystone: pick(5000)?,
            keystone_tls: pick(5001)?,
            glance: pick(9292)?,
            cinder: pick(8776)?,
            placement: pick(8778)?,
            nova: pick(8774)?,
            trove: pick(8779)?,
            neutron: pick(9696)?,
            swift: pick(8080)?,
        })
    }
}

/// Everything the services' configurations refer to.
#[derive(Clone, Debug)]
pub struct Settings {
    pub ports: Ports,
    /// `postgresql://postgres@127.0.0.1:PORT/` (no database).
    pub postgres: String,
    /// `mysql://root@127.0.0.1:PORT/` (no database).
    pub mysql: String,
    /// The OpenStack vhost's transport URL.
    pub transport_url: String,
}

/// The password of a service user (`glance` → `ma-glance-secret`), of `admin`, of the test
/// user (`ma-test-user` → `ma-test-user-secret`). Throwaway services on loopback: fixed, so
/// that a run is reproducible and its files readable.
pub fn password(user: &str) -> String {
    format!("ma-{}-secret", user.strip_prefix("ma-").unwrap_or(user))
}

impl Settings {
    pub fn keystone_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.ports.keystone)
    }

    /// An SQLAlchemy URL for `database` on the PostgreSQL server.
    pub fn postgres_db(&self, database: &str) -> String {
        format!(
            "{}{database}",
            self.postgres
                .replacen("postgresql://", "postgresql+psycopg2://", 1)
        )
    }

    /// An SQLAlchemy URL for `database` on the MariaDB server.
    pub fn mysql_db(&self, database: &str) -> String {
        format!(
            "{}{database}?charset=utf8mb4",
            self.mysql.replacen("mysql://", "mysql+pymysql://", 1)
        )
    }

    /// `[DEFAULT]` lines every service with messaging has.
    pub fn messaging(&self) -> String {
        format!(
            "transport_url = {}\n\
             # oslo.messaging's heartbeat thread is of no use on loopback\n\
             [oslo_messaging_rabbit]\n\
             heartbeat_timeout_threshold = 0\n",
            self.transport_url
        )
    }

    /// keystonemiddleware's section, validating tokens as the service user `user`.
    pub fn authtoken(&self, user: &str) -> String {
        let mut s = String::from("[keystone_authtoken]\n");
        let url = self.keystone_url();
        let _ = write!(
            s,
            "www_authenticate_uri = {url}\n\
             auth_url = {url}\n\
             auth_type = password\n\
             project_domain_name = Default\n\
             user_domain_name = Default\n\
             project_name = service\n\
             username = {user}\n\
             password = {pw}\n\
             region_name = {REGION}\n\
             service_token_roles_required = True\n",
            pw = password(user)
        );
        s
    }

    /// A keystoneauth section (`[placement]`, `[service_credentials]`, …) for `user`.
    pub fn auth_section(&self, section: &str, user: &str) -> String {
        format!(
            "[{section}]\n\
             auth_type = password\n\
             auth_url = {url}\n\
             project_domain_name = Default\n\
             user_domain_name = Default\n\
             project_name = service\n\
             username = {user}\n\
             password = {pw}\n\
             region_name = {REGION}\n",
            url = self.keystone_url(),
            pw = password(user)
        )
    }
}

/// The header every generated config starts with.
pub fn header(service: &str) -> String {
    format!(
        "# {service} for the tests, written by `cargo harness openstack`/`ci` on each start\n\
         # (harness/src/services/openstack/); throwaway, on loopback, not for production.\n"
    )
}
