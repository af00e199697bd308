//! `stub-openstack [ADDR]`: serves the stub with its fixtures until Ctrl-C or SIGTERM and
//! prints `OS_*` lines to use it and `STUB_*` lines naming its project and fixtures (for
//! `cargo harness bench-server`).

use stub_openstack::{Stub, World};

#[tokio::main]
async fn main() {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()
        .expect("usage: stub-openstack [ADDR]");
    let stub = Stub::start_on(addr, World::with_fixtures())
        .await
        .expect("binding the stub's address");
    println!("OS_AUTH_URL={}", stub.auth_url());
    println!("OS_USERNAME={}", stub_openstack::USERNAME);
    println!("OS_PASSWORD={}", stub_openstack::PASSWORD);
    println!("OS_PROJECT_NAME={}", stub_openstack::PROJECT_NAME);
    println!("OS_USER_DOMAIN_NAME={}", stub_openstack::DOMAIN.1);
    println!("OS_PROJECT_DOMAIN_NAME={}", stub_openstack::DOMAIN.1);
    println!("OS_REGION_NAME={}", stub_openstack::REGION);
    // For load generators that call the stub directly.
    println!("STUB_PROJECT_ID={}", stub_openstack::PROJECT_ID);
    for (name, id) in stub_openstack::fixtures::ALL {
        println!("STUB_FIXTURE_{name}={id}");
    }
    println!("READY");
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("a SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    drop(stub);
}
