//! A user's active grants, with a one-byte mark for each of the first ones that says which
//! resources the grant can reach directly, kept in the entry of the user's name.
//!
//! At a million grants, a check waits for its user's grants from memory: ten grants of 32
//! bytes are five cache lines, and a check that scans them all waits for all five. Most
//! of them cannot allow the question at hand: they are for another organisation or another
//! category. The marks sit in the entry the check reads to find the user, so before it
//! reads a single grant it knows which few can allow (usually none or one), and it reads
//! only those: one line instead of five, and a working set small enough for the cache to
//! keep the grants of the users asked about often.
//!
//! A mark is a fingerprint of (organisation, application, scope) — `ANY` for a grant that
//! may reach a resource another way (application-wide) or whose scope lists several
//! matters or categories — and a check compares each mark with the fingerprints a grant
//! reaching its resource directly must have (`Reaching`). Two different grants may share
//! a fingerprint: a mark only ever adds a candidate, which the rule then decides in full,
//! so the answer is the rule's on every grant.

use crate::snapshot::{GrantRec, GrantScope};

/// How many of a user's grants have a mark; the grants past them are always candidates.
/// Fifteen bytes, and the `plain` flag, keep the entry of a user's name within one cache
/// line.
pub(crate) const MARKED: usize = 15;

/// No grant at this position.
const NONE: u8 = 0;
/// A grant that is a candidate for every question.
const ANY: u8 = 1;
/// Fingerprints take the other values.
const FIRST_FINGERPRINT: u8 = 2;

/// A user's active grants in the order the writer keeps (in step with the user's
/// `grant_tags`), the marks of the first `MARKED` of them, and whether a check can do
/// without the user's record.
#[derive(Clone, Debug, Default)]
pub(crate) struct GrantList {
    grants: Box<[GrantRec]>,
    /// The mark of the grant at position `i` in byte `i % 8` (little-endian) of word
    /// `i / 8`, so that a check compares eight at once; the last byte of the last word is
    /// the `plain` flag (`PLAIN`): the user exists and was never suspended, and a question
    /// that needs only yes or no has nothing to read in their record, one read from memory
    /// fewer. The flag is kept by the writer (`false`, the default, sends every question to
    /// the record).
    marks: [u64; 2],
}

/// The `plain` flag in the last word of the marks.
const PLAIN: u64 = 1 << 56;
/// The marks in the last word of the marks, without the flag.
const LAST_MARKS: u64 = PLAIN - 1;

impl GrantList {
    /// The list of a user with no grant.
    pub(crate) fn empty() -> &'static GrantList {
        static EMPTY: std::sync::LazyLock<GrantList> = std::sync::LazyLock::new(GrantList::default);
        &EMPTY
    }

    pub(crate) fn as_slice(&self) -> &[GrantRec] {
        &self.grants
    }

    pub(crate) fn len(&self) -> usize {
        self.grants.len()
    }

    /// Changes the list, then marks its grants anew: the only way to change it, so that the
    /// marks always describe the grants.
    pub(crate) fn change<R>(&mut self, change: impl FnOnce(&mut Vec<GrantRec>) -> R) -> R {
        let mut grants = std::mem::take(&mut self.grants).into_vec();
        let result = change(&mut grants);
        // Moved into an allocation of its exact length: shrunk in place, a list that grew
        // would keep the block it grew into, up to twice its size (an allocator such as
        // mimalloc does not move a block that shrinks by less than half), and at a million
        // grants that is tens of megabytes.
        let mut fitted = Vec::with_capacity(grants.len());
        fitted.append(&mut grants);
        self.grants = fitted.into_boxed_slice();
        let mut bytes = [NONE; 16];
        for (mark, grant) in bytes.iter_mut().zip(self.grants.iter().take(MARKED)) {
            *mark = mark_of(grant);
        }
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, _] = bytes;
        let plain = self.marks[1] & PLAIN;
        self.marks = [
            u64::from_le_bytes([a, b, c, d, e, f, g, h]),
            u64::from_le_bytes([i, j, k, l, m, n, o, NONE]) | plain,
        ];
        result
    }

    pub(crate) fn is_plain(&self) -> bool {
        self.marks[1] & PLAIN != 0
    }

    pub(crate) fn set_plain(&mut self, plain: bool) {
        self.marks[1] = self.marks[1] & LAST_MARKS | if plain { PLAIN } else { 0 };
    }

    /// Each grant with its position in the list, in order.
    pub(crate) fn all(&self) -> Scan<'_> {
        let marked = self.grants.len().min(MARKED);
        Scan {
            grants: &self.grants,
            marked: u32::MAX.checked_shr(32 - marked as u32).unwrap_or(0),
            next_unmarked: MARKED,
        }
    }

    /// The grants that may reach a resource of `reaching` directly, with their positions,
    /// in order: those whose mark matches, and every grant past the marked ones. A
    /// superset of the grants that can allow a question about that resource, as long as no
    /// mandate and no role that ignores scope is involved (`Snapshot::permit` sees to it).
    pub(crate) fn candidates(&self, reaching: &Reaching) -> Scan<'_> {
        // Eight marks compared at once, without a branch on any: the marks arrive from
        // memory with the entry, and a branch on each would be a guess the processor can
        // get wrong, and some twenty instructions a mark.
        let [first, last] = self.marks;
        Scan {
            grants: &self.grants,
            marked: marked_positions([first, last & LAST_MARKS], reaching),
            next_unmarked: MARKED,
        }
    }
}

/// Bit `i` set where byte `i` of the marks (`marks[i / 8]`, little-endian) is `ANY` or one
/// of `reaching`'s fingerprints. On x86-64 the sixteen bytes are compared in one SSE2
/// register, four comparisons and a mask, where a word at a time in a general register
/// takes some seventy instructions and the compiler does not find the vector form of a
/// loop over the bytes by itself.
#[inline]
fn marked_positions(marks: [u64; 2], reaching: &Reaching) -> u32 {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE2 is part of the x86-64 architecture: every processor that runs this
    // build has it, which is all that calling a function that enables it asks.
    #[expect(
        unsafe_code,
        reason = "a function that enables a target feature is unsafe to call, even one every x86-64 processor has"
    )]
    unsafe {
        marked_positions_sse2(marks, reaching)
    }
    #[cfg(not(target_arch = "x86_64"))]
    marked_positions_by_words(marks, reaching)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn marked_positions_sse2(marks: [u64; 2], reaching: &Reaching) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8,
    };
    let [first, last] = marks.map(|word| i64::from_ne_bytes(word.to_ne_bytes()));
    let bytes = _mm_set_epi64x(last, first);
    let equal = |byte: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(i8::from_ne_bytes([byte])));
    let hits = _mm_or_si128(
        _mm_or_si128(equal(ANY), equal(reaching.everything)),
        _mm_or_si128(equal(reaching.matter), equal(reaching.category)),
    );
    // One bit a byte, in the low sixteen bits: never negative.
    u32::try_from(_mm_movemask_epi8(hits)).unwrap_or(0)
}

/// `marked_positions` a word at a time: eight bytes compared at once in a general
/// register, on any processor (and, in the tests, the reference of the SSE2 form).
#[cfg_attr(
    target_arch = "x86_64",
    cfg_attr(not(test), expect(dead_code, reason = "the SSE2 form is used instead"))
)]
fn marked_positions_by_words(marks: [u64; 2], reaching: &Reaching) -> u32 {
    let mut marked: u32 = 0;
    for (word, shift) in marks.iter().zip([0, 8]) {
        let hits = equal_bytes(*word, ANY)
            | equal_bytes(*word, reaching.everything)
            | equal_bytes(*word, reaching.matter)
            | equal_bytes(*word, reaching.category);
        marked |= high_bits(hits) << shift;
    }
    marked
}

/// `0x80` in each byte of `word` equal to `byte`, `0` in the others. Exact: the sum inside
/// never carries from one byte into the next.
fn equal_bytes(word: u64, byte: u8) -> u64 {
    const LOW_SEVEN: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let differing = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((differing & LOW_SEVEN).wrapping_add(LOW_SEVEN)) | differing | LOW_SEVEN)
}

/// The high bit of each byte of `word`, byte `i`'s as bit `i`: the multiplication moves
/// each byte's bit to its own place in the top byte, and no two products meet there.
fn high_bits(word: u64) -> u32 {
    let bits = (word >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56;
    u32::try_from(bits).unwrap_or(0)
}

/// Grants of a list with their positions: the marked positions of a mask, lowest first,
/// then every grant past the marked ones.
pub(crate) struct Scan<'g> {
    grants: &'g [GrantRec],
    /// Bit `i`: the grant at position `i` is to be scanned. Never set past the list's end
    /// (`NONE` matches nothing a question looks for).
    marked: u32,
    next_unmarked: usize,
}

impl<'g> Iterator for Scan<'g> {
    type Item = (usize, &'g GrantRec);

    fn next(&mut self) -> Option<(usize, &'g GrantRec)> {
        if self.marked != 0 {
            let position = self.marked.trailing_zeros() as usize;
            self.marked &= self.marked - 1;
            return self.grants.get(position).map(|grant| (position, grant));
        }
        let position = self.next_unmarked;
        let grant = self.grants.get(position)?;
        self.next_unmarked += 1;
        Some((position, grant))
    }
}

/// The fingerprints of the grants that reach one resource directly, in its organisation,
/// for one application: scoped to everything, to the resource's matter, or to its
/// category.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Reaching {
    everything: u8,
    matter: u8,
    category: u8,
}

impl Reaching {
    pub(crate) fn of(
        organization: u32,
        application: u32,
        matter: Option<u32>,
        category: Option<u32>,
    ) -> Reaching {
        // A resource without a matter (or category) is reached by no grant scoped to one:
        // `ANY` matches only what matches anyway.
        Reaching {
            everything: fingerprint(organization, application, Form::Everything),
            matter: matter.map_or(ANY, |m| {
                fingerprint(organization, application, Form::Matter(m))
            }),
            category: matter.zip(category).map_or(ANY, |pair| {
                fingerprint(organization, application, Form::Category(pair))
            }),
        }
    }
}

/// What a grant's scope covers, as far as a mark tells.
#[derive(Clone, Copy)]
enum Form {
    Everything,
    Matter(u32),
    Category((u32, u32)),
}

fn mark_of(grant: &GrantRec) -> u8 {
    if grant.is_wide() {
        return ANY;
    }
    let form = match grant.scope() {
        GrantScope::All => Form::Everything,
        GrantScope::Matter(matter) => Form::Matter(matter),
        GrantScope::Category(pair) => Form::Category(pair),
        GrantScope::Listed(_) => return ANY,
    };
    fingerprint(grant.organization, grant.application, form)
}

/// A byte of a hash of the grant's reach, never `NONE` or `ANY`.
fn fingerprint(organization: u32, application: u32, form: Form) -> u8 {
    let (kind, first, second) = match form {
        Form::Everything => (0_u64, 0, 0),
        Form::Matter(matter) => (1, matter, 0),
        Form::Category((matter, category)) => (2, matter, category),
    };
    let mut x = (u64::from(organization) | u64::from(application) << 32)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (u64::from(first) | u64::from(second) << 32) ^ kind.rotate_right(2))
        .wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 31;
    let byte = x.to_le_bytes()[7];
    byte.max(FIRST_FINGERPRINT)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use habilis_domain::model::Reach;

    use super::*;
    use crate::snapshot::{ScopeView, Window};

    /// Grants over few organisations, applications, matters and categories, so that the
    /// grants that reach a resource and the fingerprints they share are common.
    fn any_grant() -> impl Strategy<Value = GrantRec> {
        let scope = prop_oneof![
            Just(GrantScope::All),
            (0u32..3).prop_map(GrantScope::Matter),
            (0u32..3, 0u32..4).prop_map(GrantScope::Category),
            (0u32..3).prop_map(GrantScope::Listed),
        ];
        (0u32..4, 0u32..2, scope, prop::bool::weighted(0.2)).prop_map(
            |(organization, application, scope, wide)| {
                let reach = if wide {
                    Reach::AllSubscribers
                } else {
                    Reach::Organization
                };
                GrantRec::new(organization, application, 3, scope, reach, Window::NEVER)
            },
        )
    }

    /// Whether a grant's scope covers the resource by itself (a listed scope: never, a
    /// list is a candidate for every question).
    fn covers_inline(scope: GrantScope, matter: Option<u32>, category: Option<u32>) -> bool {
        let view = match scope {
            GrantScope::All => ScopeView::All,
            GrantScope::Matter(only) => ScopeView::Matter(only),
            GrantScope::Category(pair) => ScopeView::Category(pair),
            GrantScope::Listed(_) => return false,
        };
        view.covers(matter, category)
    }

    proptest! {
        /// Against a plain filter: every grant that can reach the resource directly (its
        /// organisation and application, a scope that covers it) or another way
        /// (application-wide, a listed scope) is a candidate, in order, and each candidate
        /// once; after any sequence of changes.
        #[test]
        fn the_candidates_hold_every_grant_that_can_reach_the_resource(
            lists in prop::collection::vec(prop::collection::vec(any_grant(), 0..40), 1..4),
            organization in 0u32..4,
            application in 0u32..2,
            matter in prop::option::weighted(0.9, 0u32..3),
            category in prop::option::weighted(0.9, 0u32..4),
        ) {
            let mut list = GrantList::default();
            for grants in lists {
                list.change(|held| {
                    held.truncate(held.len() / 2);
                    held.extend(grants);
                });
                let reaching = Reaching::of(organization, application, matter, category);
                let found: Vec<usize> = list.candidates(&reaching).map(|(i, _)| i).collect();
                let mut sorted = found.clone();
                sorted.dedup();
                prop_assert_eq!(&sorted, &found, "each candidate once, in order");
                for (position, grant) in list.as_slice().iter().enumerate() {
                    let direct = grant.organization == organization
                        && grant.application == application
                        && covers_inline(grant.scope(), matter, category);
                    let elsewise =
                        grant.is_wide() || matches!(grant.scope(), GrantScope::Listed(_));
                    if direct || elsewise || position >= MARKED {
                        prop_assert!(found.contains(&position), "grant {} {:?}", position, grant);
                    }
                }
                let all: Vec<usize> = list.all().map(|(i, _)| i).collect();
                prop_assert_eq!(all, (0..list.len()).collect::<Vec<_>>());
            }
        }
    }

    fn grant(organization: u32, scope: GrantScope, reach: Reach) -> GrantRec {
        GrantRec::new(organization, 7, 3, scope, reach, Window::NEVER)
    }

    fn positions(list: &GrantList, reaching: &Reaching) -> Vec<usize> {
        list.candidates(reaching)
            .map(|(position, _)| position)
            .collect()
    }

    #[test]
    fn every_grant_that_reaches_the_resource_is_a_candidate_and_most_others_are_not() {
        let mut list = GrantList::default();
        list.change(|grants| {
            // 20 organisations × 1 category each; the resource is in organisation 4,
            // matter 10, category 11.
            for organization in 0..20 {
                grants.push(grant(
                    organization,
                    GrantScope::Category((10, organization)),
                    Reach::Organization,
                ));
            }
        });
        let reaching = Reaching::of(4, 7, Some(10), Some(4));
        let found = positions(&list, &reaching);
        assert!(
            found.contains(&4),
            "the grant in the resource's category: {found:?}"
        );
        // The four unmarked grants past the sixteenth, and perhaps a fingerprint shared by
        // chance: far fewer than twenty.
        assert!(found.ends_with(&[15, 16, 17, 18, 19]), "{found:?}");
        assert!(found.len() <= 8, "{found:?}");
    }

    #[test]
    fn each_scope_form_and_the_other_ways_are_found() {
        let mut list = GrantList::default();
        list.change(|grants| {
            grants.push(grant(4, GrantScope::All, Reach::Organization));
            grants.push(grant(4, GrantScope::Matter(10), Reach::Organization));
            grants.push(grant(
                4,
                GrantScope::Category((10, 11)),
                Reach::Organization,
            ));
            grants.push(grant(
                9,
                GrantScope::Category((10, 11)),
                Reach::AllSubscribers,
            ));
            grants.push(grant(5, GrantScope::Listed(0), Reach::Organization));
        });
        let reaching = Reaching::of(4, 7, Some(10), Some(11));
        assert_eq!(positions(&list, &reaching), vec![0, 1, 2, 3, 4]);
        // Without a category, the grant scoped to one cannot reach the resource.
        let no_category = Reaching::of(4, 7, Some(10), None);
        assert!(!positions(&list, &no_category).contains(&2));
        // Another application: only the grants marked for every question remain.
        let other = Reaching::of(4, 8, Some(10), Some(11));
        let found = positions(&list, &other);
        assert!(found.contains(&3) && found.contains(&4), "{found:?}");
    }

    proptest! {
        /// The form a check uses (sixteen marks in one register on x86-64) answers as eight
        /// at a time in a word, on marks that often hold the bytes looked for, next to
        /// bytes one off.
        #[test]
        fn sixteen_marks_compare_as_eight_at_a_time(
            bytes in prop::array::uniform16(prop_oneof![
                Just(NONE), Just(ANY), Just(2_u8), Just(3), Just(0x7F), Just(0x80), Just(0xFF),
                any::<u8>(),
            ]),
            organization in 0u32..3,
            application in 0u32..2,
            matter in prop::option::of(0u32..3),
            category in prop::option::of(0u32..3),
        ) {
            let reaching = Reaching::of(organization, application, matter, category);
            let (first, last) = bytes.split_at(8);
            let word = |half: &[u8]| <[u8; 8]>::try_from(half).map(u64::from_le_bytes);
            let marks = [word(first).unwrap_or(0), word(last).unwrap_or(0)];
            let expected = bytes.iter().enumerate().fold(0_u32, |marked, (position, byte)| {
                let hit = [ANY, reaching.everything, reaching.matter, reaching.category]
                    .contains(byte);
                marked | u32::from(hit) << position
            });
            prop_assert_eq!(marked_positions(marks, &reaching), expected);
            prop_assert_eq!(marked_positions_by_words(marks, &reaching), expected);
        }
    }

    #[test]
    fn the_plain_flag_and_the_marks_keep_out_of_each_other() {
        let mut list = GrantList::default();
        list.set_plain(true);
        list.change(|grants| {
            for organization in 0..20 {
                grants.push(grant(organization, GrantScope::All, Reach::Organization));
            }
        });
        assert!(list.is_plain());
        let reaching = Reaching::of(14, 7, None, None);
        assert!(positions(&list, &reaching).starts_with(&[14, 15]));
        list.set_plain(false);
        assert!(!list.is_plain());
        assert!(positions(&list, &reaching).starts_with(&[14, 15]));
    }

    #[test]
    fn marks_follow_every_change() {
        let mut list = GrantList::default();
        list.change(|grants| {
            grants.push(grant(1, GrantScope::All, Reach::Organization));
            grants.push(grant(4, GrantScope::All, Reach::Organization));
        });
        let reaching = Reaching::of(4, 7, None, None);
        assert!(positions(&list, &reaching).contains(&1));
        list.change(|grants| {
            grants.swap_remove(0);
        });
        // The grant that moved to the first position is found there, and no mark is left
        // for the position that is gone.
        assert_eq!(positions(&list, &reaching), vec![0]);
        assert_eq!(list.len(), 1);
    }
}
