//! A hint to the processor to start reading memory that a lookup will need soon.
//!
//! At a million grants and resources a check waits on a few reads that miss every cache,
//! one after the other: the resource's slot and then its place, the user's slot, record and
//! grants. A batch of questions knows its next questions in advance, so it can start those
//! reads for the questions ahead while it decides the current one (`Snapshot::verdicts`),
//! and the processor waits for several at once instead of one at a time. A single check
//! starts the resource's place and the lines of the user's grants as soon as it knows where they
//! are, rather than when the rule reaches them (`Snapshot::resolve`, `Subject::found`).

/// Starts loading the cache line that holds `value` into the nearest cache. It reads nothing
/// into the program and never faults: a hint the processor may ignore.
#[inline(always)]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `prefetcht0` loads a cache line and does nothing else: no register or memory
    // the program can see changes, and it is defined for every address. The address comes
    // from a reference, so it is even a valid one.
    #[expect(
        unsafe_code,
        reason = "std has no stable safe prefetch; the intrinsic is marked unsafe only because it takes a pointer"
    )]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            std::ptr::from_ref(value).cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

/// Starts loading every cache line of `values`, up to `MAX_LINES` of them: a list that a
/// loop will scan in order, whose lines the processor would otherwise fetch one after the
/// other, each found missing only when the scan reaches it.
pub(crate) fn prefetch_all<T>(values: &[T]) {
    const LINE: usize = 64;
    const MAX_LINES: usize = 16;
    // One element in each line the list spans (every element when they are larger than a
    // line's share), and the last one for the tail.
    let step = (LINE / size_of::<T>().max(1)).max(1);
    for value in values.iter().step_by(step).take(MAX_LINES) {
        prefetch(value);
    }
    if let Some(last) = values.last() {
        prefetch(last);
    }
}
