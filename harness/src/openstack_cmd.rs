//! `cargo harness openstack`: the tests' real OpenStack and Mistral by hand. Starts
//! PostgreSQL, MariaDB, RabbitMQ, the whole stack (`services::openstack`) and Mistral on it
//! (`services::mistral_for_tests`), prints how to use them, and keeps them running until
//! Ctrl-C (or Enter).

use std::path::Path;
use std::time::Instant;

use anyhow::Result;
use harness_contract::{OpenStackEnv, MISTRAL_ENV, USER_CLOUD};

use crate::services::databases::Databases;
use crate::services::mistral_for_tests::Mistral;
use crate::services::openstack::{self, OpenStack};
use crate::services::process;
use crate::services::rabbitmq::RabbitMq;

/// Everything one run started; fields drop (stop) in declaration order.
pub struct Stack {
    pub mistral: Mistral,
    pub openstack: OpenStack,
    pub rabbit: RabbitMq,
    pub databases: Databases,
}

pub fn start_stack(root: &Path) -> Result<Stack> {
    let databases = Databases::start(root)?;
    let rabbit = RabbitMq::start(root)?;
    let openstack = OpenStack::start(
        root,
        &databases.postgres.url(""),
        &databases.mariadb.url(""),
        &rabbit,
    )?;
    let mistral = Mistral::start(
        root,
        &openstack.env_file,
        &rabbit.transport_url(),
        &databases.postgres.url(""),
    )?;
    Ok(Stack {
        mistral,
        openstack,
        rabbit,
        databases,
    })
}

pub fn run(root: &Path) -> Result<bool> {
    process::stop_all_on_interrupt();
    let started = Instant::now();
    let stack = start_stack(root)?;
    let env = OpenStackEnv::read(&stack.openstack.env_file)?;
    eprintln!(
        "OpenStack and Mistral are up ({:.0}s, OpenStack services ≈{} MiB resident). To use them:",
        started.elapsed().as_secs_f32(),
        stack.openstack.rss_mib()
    );
    println!(
        "export {}={}",
        openstack::ENV,
        stack.openstack.env_file.display()
    );
    println!("export {MISTRAL_ENV}={}", stack.mistral.env_file.display());
    println!(
        "export MA_TEST_POSTGRES_URL={}",
        stack.databases.postgres.url("")
    );
    println!(
        "export MA_TEST_MYSQL_URL={}",
        stack.databases.mariadb.url("")
    );
    println!(
        "export MA_TEST_RABBITMQ_URL={}",
        stack.rabbit.transport_url()
    );
    println!(
        "export OS_CLIENT_CONFIG_FILE={} OS_CLOUD={USER_CLOUD}",
        stack.openstack.clouds_yaml.display()
    );
    println!("# or, without clouds.yaml:");
    println!(
        "export OS_AUTH_URL={} OS_USERNAME={} OS_PASSWORD={} OS_USER_DOMAIN_NAME={} \
         OS_PROJECT_NAME={} OS_PROJECT_DOMAIN_NAME={} OS_REGION_NAME={} OS_INTERFACE={}",
        env.auth_url,
        env.user.name,
        env.user.password,
        env.user.domain_name,
        env.project.name,
        env.project.domain_name,
        env.region,
        env.interface,
    );
    eprintln!("press Ctrl-C (or Enter) to stop everything");
    let mut line = String::new();
    // Without a terminal (stdin closed) keep running until a signal.
    if std::io::stdin().read_line(&mut line).unwrap_or(0) == 0 {
        loop {
            std::thread::park();
        }
    }
    drop(stack);
    Ok(true)
}
