//! The memory allocator: mimalloc instead of glibc's malloc.
//!
//! `generate` builds and frees millions of small tokens and strings on every core; with
//! glibc a quarter of its time went to malloc and free (10,000 actions, `cargo xtask
//! bench`). mimalloc spends far less, but by default keeps freed pages a while, which
//! showed as ~60 MB more peak RSS; [`tune`] makes it return them within milliseconds.
//! Built without transparent huge pages (`no_thp`): returning memory that often, the
//! kernel's zeroing of 2 MiB pages cost more system time than it saved.
//!
//! Only with the `mimalloc` feature, which `cargo xtask bench` builds with.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h's `mi_option_e` (the same in mimalloc v2 and
/// v3; libmimalloc-sys names only some options).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Call first thing in `main`.
pub fn tune() {
    // SAFETY: sets a plain integer option, which mimalloc reads at each purge.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 2) };
}

#[cfg(test)]
mod tests {
    #[test]
    fn purge_delay_sits_before_its_named_neighbour() {
        // mimalloc.h (v2 and v3): ..., purge_delay, use_numa_nodes, ... A libmimalloc-sys
        // that renumbers the options fails here rather than setting another option.
        assert_eq!(
            super::PURGE_DELAY + 1,
            libmimalloc_sys::mi_option_use_numa_nodes
        );
    }
}
