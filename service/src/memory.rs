//! The allocator of every service: jemalloc, with background threads that
//! hand freed memory back to the system (after jemalloc's decay, about 10 s).
//!
//! Why: with glibc's malloc an API that had held 6,000 idle connections
//! stayed at 199 MiB after they all closed, for as long as it ran; with this
//! it is back to about 19 MiB within seconds (BENCHMARKS.md, "abuse").
//! Declared here, so it is the allocator of every binary that links `service`.

#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// Starts jemalloc's background purging. Each service calls it first thing;
/// a failure only costs memory held longer, so it is logged, not fatal.
pub fn give_back_freed_memory() {
    if let Err(e) = tikv_jemalloc_ctl::background_thread::write(true) {
        tracing::warn!(error = %e, "jemalloc background threads did not start: freed memory is returned only on allocation");
    }
}

/// Whether background purging runs.
pub fn gives_back_freed_memory() -> bool {
    tikv_jemalloc_ctl::background_thread::read().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn freed_memory_is_handed_back_in_the_background() {
        assert!(!super::gives_back_freed_memory());
        super::give_back_freed_memory();
        assert!(super::gives_back_freed_memory());
    }
}
