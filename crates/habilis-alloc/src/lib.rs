//! The process's memory allocator, and the one call that gives back what it keeps.
//!
//! mimalloc instead of the system allocator: measured side by side at the full preset
//! (`habilis bench --preset full --http`), it serves a quarter to a half more AuthZEN
//! requests and batch decisions per second for the same resident memory, and allocates the
//! results of resource search faster.
//!
//! Like every allocator it keeps freed memory for a while, to serve the next allocations
//! without asking the system: after loading a store, that is the decoded rows and changes
//! of every entity, which the server will not allocate again. `release_freed_memory` hands
//! it back at once.

/// The allocator `main` installs with `#[global_allocator]`.
pub use mimalloc::MiMalloc;

/// Returns to the system the memory this process freed and the allocator still holds:
/// call it once a bulk load is over (at a million grants and dossiers, about 70 MiB).
pub fn release_freed_memory() {
    // SAFETY: `mi_collect` takes no argument that could dangle and may run on any thread at
    // any time; it only gives back pages that hold no live allocation.
    #[expect(
        unsafe_code,
        reason = "the allocator's own collection is a C function; the workspace's only other unsafe call is the engine's prefetch hint"
    )]
    unsafe {
        libmimalloc_sys::mi_collect(true)
    }
}
