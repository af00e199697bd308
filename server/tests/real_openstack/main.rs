//! Every action against real OpenStack services (Keystone, Nova, Cinder with the real
//! cinder-backup, Glance, Trove), installed and started by `cargo xtask ci`; the stub
//! OpenStack is not used here.

mod asserts;
mod backups;
mod cinder;
mod glance;
mod identity;
mod logs;
mod nova;
#[path = "../common/binary.rs"]
mod process;
mod prune;
mod reach;
mod ready;
mod requests;
mod support;
mod trove;
