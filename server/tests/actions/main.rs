//! The action server's own behaviour (HTTP surface, configuration, TLS, exec, the binary)
//! and what only a stub OpenStack on loopback can provoke; the actions on real OpenStack
//! are in `tests/real_openstack/`.

mod binary;
mod config;
mod exec;
mod http;
mod metrics;
mod openstack;
#[path = "../common/binary.rs"]
mod process;
mod projects;
mod reach;
mod ready;
mod rotation;
mod support;
mod tls;
