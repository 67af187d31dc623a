//! The hash table inside each shard of the large maps: entries sit in the slots themselves.
//!
//! A check looks up two names in tables of a million entries, and each read of a table that
//! misses the cache costs more than the rest of the check. hashbrown's table reads three
//! places one after the other: the table's header (where its control bytes are), the control
//! bytes, then the entry. Here the shard list holds each table's slots directly (the pointer
//! to them is in the list, not behind one more allocation), and a slot is the entry: a
//! lookup hashes, reads the list (small, cached) and then the slot, where it compares the
//! key in place. With linear probing and at most seven slots in eight filled, the next slots
//! are in the same or the next cache line, which the processor fetches together.
//!
//! Removal shifts the entries after a hole back into it (no tombstones), so a table that
//! sees many changes stays as short to probe as a fresh one. The slots are behind an `Arc`:
//! a published snapshot shares them, and a change clones them (`Arc::make_mut`) once.

use std::fmt::Debug;
use std::sync::Arc;

/// How a table's slots are aligned in memory: `Packed`, one after the other; `OnLine`, each
/// starting a cache line (for entries of 64 bytes, one line each); `HalfLine`, each starting
/// half a line (for entries of 32 bytes).
pub(crate) trait SlotAlignment: Clone + Copy + Debug {
    /// How many times the slots `slots_for` gives a table of this alignment keeps: at
    /// twice, a table is at most seven slots in sixteen full.
    const SPREAD: usize = 1;
}

/// Slots one after the other, from the start of the slots' allocation (16 bytes into it,
/// after the `Arc`'s counts): the fewest bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Packed;
impl SlotAlignment for Packed {}

/// Each slot starts a cache line: a 64-byte entry (the entry of a user's name, with the
/// user's grants' marks) is read in one line instead of two. Packed, a table's slots would
/// start 16 bytes into their allocation and each such entry would straddle two lines.
#[derive(Clone, Copy, Debug)]
#[repr(align(64))]
pub(crate) struct OnLine;
impl SlotAlignment for OnLine {
    /// A lookup reads slots from the one its hash names to the one that holds its key, and
    /// here each is a cache line of its own, one more read from memory a step (entries of
    /// half a line or less share their lines with the next ones). At most seven in eight
    /// full, a lookup that finds its key moves about one and a half slots on average; at
    /// seven in sixteen, under half of one. In runs of the full preset with two engines
    /// side by side in one process (`habilis bench`, alternated rounds) twice the slots for the
    /// user names made checks 5–7 % faster, for 8 MiB more at 100,000 users; the table of
    /// resources (half-line entries, 42 MiB) gained nothing from it.
    const SPREAD: usize = 2;
}

/// Each slot starts a half line: 32-byte entries (the entry of a resource), two to a cache
/// line, none across two.
#[derive(Clone, Copy, Debug)]
#[repr(align(32))]
pub(crate) struct HalfLine;
impl SlotAlignment for HalfLine {}

/// One slot: an entry or none, aligned as `A` says (a zero-length array takes no room, only
/// its element's alignment).
#[derive(Clone, Debug)]
#[repr(C)]
struct Slot<T, A> {
    aligned: [A; 0],
    entry: Option<T>,
}

impl<T, A> Slot<T, A> {
    const EMPTY: Slot<T, A> = Slot {
        aligned: [],
        entry: None,
    };
}

/// Entries in their slots, open addressing with linear probing; the caller gives each
/// entry's hash (and, to move entries when the table grows or shrinks around a removal, a
/// way to hash an entry again).
#[derive(Clone, Debug)]
pub(crate) struct SlotTable<T, A = Packed> {
    /// A power of two in length (or empty); never more than `MAX_FILL` full, so that every
    /// probe ends at an empty slot.
    slots: Arc<[Slot<T, A>]>,
    len: usize,
}

impl<T, A> Default for SlotTable<T, A> {
    fn default() -> SlotTable<T, A> {
        SlotTable {
            slots: Arc::from(Vec::new()),
            len: 0,
        }
    }
}

/// At most seven slots in eight are filled, as in hashbrown's tables: the memory of a
/// table sized for a load stays what it was. A map sized for a load fills its tables to
/// about three in four (`shards::shards_for`), where a lookup that finds its key reads
/// about two and a half slots on average (83 bytes of the 32-byte entries of resources, in one
/// or two cache lines), and one that does not about eight.
const MAX_FILL: (usize, usize) = (7, 8);

/// How many slots a table needs to hold `entries`: a power of two they fill to at most
/// `MAX_FILL`, and at least 4.
pub(crate) fn slots_for(entries: usize) -> usize {
    if entries == 0 {
        return 0;
    }
    let (filled, of) = MAX_FILL;
    entries
        .saturating_mul(of)
        .div_ceil(filled)
        .max(4)
        .next_power_of_two()
}

impl<T: Clone, A: SlotAlignment> SlotTable<T, A> {
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The number of slots, filled or not.
    #[cfg(test)]
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// The slot index of the entry `eq` accepts, probing from `hash`'s slot to the first
    /// empty one.
    #[inline(always)]
    fn position(&self, hash: u64, eq: impl Fn(&T) -> bool) -> Option<usize> {
        let mask = self.slots.len().checked_sub(1)?;
        let mut index = hash as usize & mask;
        // Bounded by the slot count, though an empty slot always ends the probe first.
        for _ in 0..self.slots.len() {
            match &self.slots.get(index)?.entry {
                None => return None,
                Some(entry) if eq(entry) => return Some(index),
                Some(_) => index = (index + 1) & mask,
            }
        }
        None
    }

    /// Starts reading the slot where a lookup of `hash` begins (`prefetch`).
    pub(crate) fn prefetch(&self, hash: u64) {
        let mask = self.slots.len().wrapping_sub(1);
        if let Some(slot) = self.slots.get(hash as usize & mask) {
            crate::prefetch::prefetch(slot);
        }
    }

    /// Always inlined, as are the lookups over it (a check finds its user's entry and its
    /// resource's): as calls, with the others a check makes, their saves and restores of
    /// registers were a tenth of its instructions.
    #[inline(always)]
    pub(crate) fn find(&self, hash: u64, eq: impl Fn(&T) -> bool) -> Option<&T> {
        let index = self.position(hash, eq)?;
        self.slots.get(index)?.entry.as_ref()
    }

    pub(crate) fn find_mut(&mut self, hash: u64, eq: impl Fn(&T) -> bool) -> Option<&mut T> {
        let index = self.position(hash, eq)?;
        Arc::make_mut(&mut self.slots)
            .get_mut(index)?
            .entry
            .as_mut()
    }

    /// Adds an entry whose key the table does not hold yet, and returns its slot index.
    pub(crate) fn insert_unique(
        &mut self,
        hash: u64,
        entry: T,
        rehash: impl Fn(&T) -> u64,
    ) -> usize {
        self.reserve(1, &rehash);
        match place(Arc::make_mut(&mut self.slots), hash, entry) {
            Ok(index) => {
                self.len += 1;
                index
            }
            Err(entry) => {
                // Unreachable: `reserve` keeps an eighth of the slots empty. Grow and
                // place it again rather than lose the entry.
                self.grow_to(
                    Self::slots_wanted(self.len + 1).max(self.slots.len() * 2),
                    &rehash,
                );
                self.insert_unique(hash, entry, rehash)
            }
        }
    }

    /// The entry `eq` accepts, added with `make` when absent: its slot index, for
    /// `get_at` and `remove_at`.
    pub(crate) fn find_or_insert(
        &mut self,
        hash: u64,
        eq: impl Fn(&T) -> bool,
        make: impl FnOnce() -> T,
        rehash: impl Fn(&T) -> u64,
    ) -> usize {
        match self.position(hash, eq) {
            Some(index) => index,
            None => self.insert_unique(hash, make(), rehash),
        }
    }

    /// The entry in slot `index`, to change.
    pub(crate) fn get_at(&mut self, index: usize) -> Option<&mut T> {
        Arc::make_mut(&mut self.slots)
            .get_mut(index)?
            .entry
            .as_mut()
    }

    pub(crate) fn remove(
        &mut self,
        hash: u64,
        eq: impl Fn(&T) -> bool,
        rehash: impl Fn(&T) -> u64,
    ) -> Option<T> {
        let index = self.position(hash, eq)?;
        self.remove_at(index, rehash)
    }

    /// Takes the entry out of slot `index`, then moves back into the hole each following
    /// entry of the run that may sit there (whose own slot is at or before the hole), so
    /// that every entry stays reachable from its slot without passing an empty one.
    pub(crate) fn remove_at(&mut self, index: usize, rehash: impl Fn(&T) -> u64) -> Option<T> {
        let slots = Arc::make_mut(&mut self.slots);
        let mask = slots.len().wrapping_sub(1);
        let removed = slots.get_mut(index)?.entry.take()?;
        self.len -= 1;
        let mut hole = index;
        let mut next = index;
        for _ in 0..slots.len() {
            next = (next + 1) & mask;
            let Some(Slot {
                entry: Some(entry), ..
            }) = slots.get(next)
            else {
                break;
            };
            let home = rehash(entry) as usize & mask;
            // The entry may move to the hole when the hole lies on its probe, from its
            // own slot to where it is: no farther from it than its own slot.
            if next.wrapping_sub(home) & mask >= next.wrapping_sub(hole) & mask {
                slots.swap(hole, next);
                hole = next;
            }
        }
        Some(removed)
    }

    /// Makes room for `additional` more entries without growing on the way.
    pub(crate) fn reserve(&mut self, additional: usize, rehash: impl Fn(&T) -> u64) {
        let wanted = Self::slots_wanted(self.len.saturating_add(additional));
        if wanted > self.slots.len() {
            self.grow_to(wanted, rehash);
        }
    }

    /// The slots a table of this alignment keeps for `entries` (`slots_for`, `A::SPREAD`
    /// times over).
    fn slots_wanted(entries: usize) -> usize {
        slots_for(entries).saturating_mul(A::SPREAD)
    }

    fn grow_to(&mut self, count: usize, rehash: impl Fn(&T) -> u64) {
        let mut slots: Vec<Slot<T, A>> = Vec::with_capacity(count);
        slots.resize_with(count, || Slot::EMPTY);
        let mut old = std::mem::replace(&mut self.slots, Arc::from(Vec::new()));
        // The old slots are taken when no snapshot shares them, cloned when one does.
        let entries: Vec<T> = match Arc::get_mut(&mut old) {
            Some(owned) => owned
                .iter_mut()
                .filter_map(|slot| slot.entry.take())
                .collect(),
            None => old.iter().filter_map(|slot| slot.entry.clone()).collect(),
        };
        for entry in entries {
            // `count` holds every entry with room to spare: each finds an empty slot.
            let _ = place(&mut slots, rehash(&entry), entry);
        }
        self.slots = Arc::from(slots);
    }

    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = &T> {
        self.slots.iter().filter_map(|slot| slot.entry.as_ref())
    }

    /// Every entry, to change; clones the slots first when a snapshot shares them.
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        Arc::make_mut(&mut self.slots)
            .iter_mut()
            .filter_map(|slot| slot.entry.as_mut())
    }
}

/// Puts `entry` in the first empty slot of its probe from `hash`'s slot: its index, or the
/// entry back when no slot is empty.
fn place<T, A>(slots: &mut [Slot<T, A>], hash: u64, entry: T) -> Result<usize, T> {
    let mask = slots.len().wrapping_sub(1);
    let mut index = hash as usize & mask;
    for _ in 0..slots.len() {
        match slots.get_mut(index) {
            Some(Slot {
                entry: slot @ None, ..
            }) => {
                *slot = Some(entry);
                return Ok(index);
            }
            Some(Slot { entry: Some(_), .. }) => index = (index + 1) & mask,
            None => break,
        }
    }
    Err(entry)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::hash::BuildHasher;

    use proptest::prelude::*;

    use super::*;

    #[derive(Clone, Debug)]
    enum Op {
        Insert(u16, u32),
        Remove(u16),
        Update(u16, u32),
        Reserve(u8),
        Share,
    }

    fn op() -> impl Strategy<Value = Op> {
        // Keys from a small range, so that inserts, updates and removals meet the same keys
        // and runs of neighbours form; a poor hash (the key's low bits) makes long runs.
        prop_oneof![
            (0u16..300, any::<u32>()).prop_map(|(k, v)| Op::Insert(k, v)),
            (0u16..300).prop_map(Op::Remove),
            (0u16..300, any::<u32>()).prop_map(|(k, v)| Op::Update(k, v)),
            any::<u8>().prop_map(Op::Reserve),
            Just(Op::Share),
        ]
    }

    type Table = SlotTable<(u16, u32)>;

    fn check_against_map(ops: Vec<Op>, hash: impl Fn(u16) -> u64) {
        let rehash = |entry: &(u16, u32)| hash(entry.0);
        let mut table: Table = SlotTable::default();
        let mut map: HashMap<u16, u32> = HashMap::new();
        // Clones of the table taken along the way, with what each held then.
        let mut shared: Vec<(Table, HashMap<u16, u32>)> = Vec::new();
        for op in ops {
            match op {
                Op::Insert(key, value) => {
                    match table.find_mut(hash(key), |e| e.0 == key) {
                        Some(entry) => entry.1 = value,
                        None => {
                            table.insert_unique(hash(key), (key, value), rehash);
                        }
                    }
                    map.insert(key, value);
                }
                Op::Remove(key) => {
                    let removed = table.remove(hash(key), |e| e.0 == key, rehash);
                    assert_eq!(removed.map(|e| e.1), map.remove(&key));
                }
                Op::Update(key, value) => {
                    let index =
                        table.find_or_insert(hash(key), |e| e.0 == key, || (key, 0), rehash);
                    let entry = table.get_at(index).expect("the slot just found");
                    entry.1 = entry.1.wrapping_add(value);
                    let kept = *map.entry(key).or_insert(0);
                    map.insert(key, kept.wrapping_add(value));
                    if value % 3 == 0 {
                        table.remove_at(index, rehash);
                        map.remove(&key);
                    }
                }
                Op::Reserve(more) => table.reserve(usize::from(more), rehash),
                Op::Share => shared.push((table.clone(), map.clone())),
            }
            assert_eq!(table.len(), map.len());
            assert!(table.len() * MAX_FILL.1 <= table.slot_count() * MAX_FILL.0);
        }
        // A clone taken earlier kept its own entries, whatever changed after it.
        shared.push((table, map));
        for (table, map) in shared {
            for key in 0u16..300 {
                assert_eq!(
                    table.find(hash(key), |e| e.0 == key).map(|e| e.1),
                    map.get(&key).copied(),
                    "key {key}"
                );
            }
            let mut listed: Vec<(u16, u32)> = table.iter().copied().collect();
            listed.sort_unstable();
            let mut expected: Vec<(u16, u32)> = map.into_iter().collect();
            expected.sort_unstable();
            assert_eq!(listed, expected);
        }
    }

    proptest! {
        #[test]
        fn the_table_holds_what_a_hash_map_holds(ops in proptest::collection::vec(op(), 0..400)) {
            let hashing = foldhash::fast::FixedState::with_seed(7);
            check_against_map(ops, |key| hashing.hash_one(key));
        }

        #[test]
        fn the_table_holds_what_a_hash_map_holds_with_colliding_hashes(
            ops in proptest::collection::vec(op(), 0..400)
        ) {
            // Keys land on a few neighbouring slots: long runs that wrap around the end.
            check_against_map(ops, |key| (u64::from(key % 7) * 0x9E37_79B9).wrapping_add(u64::MAX - 3));
        }
    }

    #[test]
    fn slots_on_line_each_start_a_cache_line_and_packed_ones_take_no_more_room() {
        let mut table: SlotTable<[u64; 7], OnLine> = SlotTable::default();
        table.reserve(100, |entry| entry[0]);
        assert!(table.slot_count() >= 100);
        for slot in table.slots.iter() {
            assert_eq!(std::ptr::from_ref(slot).addr() % 64, 0);
        }
        assert_eq!(size_of::<Slot<[u64; 7], OnLine>>(), 64);
        assert_eq!(size_of::<Slot<(u64, u32), Packed>>(), 24);
    }

    #[test]
    fn a_table_of_whole_line_slots_stays_under_half_full() {
        let mut reserved: SlotTable<[u64; 7], OnLine> = SlotTable::default();
        reserved.reserve(1000, |entry| entry[0]);
        assert_eq!(reserved.slot_count(), 4096);
        // Entries arriving one by one, as users are registered after the load.
        let mut table: SlotTable<[u64; 7], OnLine> = SlotTable::default();
        for key in 0..3000u64 {
            table.insert_unique(key.wrapping_mul(0x9E37_79B9_7F4A_7C15), [key; 7], |entry| {
                entry[0].wrapping_mul(0x9E37_79B9_7F4A_7C15)
            });
            assert!(
                table.len() * 16 <= table.slot_count() * 7,
                "{} entries in {} slots",
                table.len(),
                table.slot_count()
            );
        }
        for key in 0..3000u64 {
            let found = table.find(key.wrapping_mul(0x9E37_79B9_7F4A_7C15), |entry| {
                entry[0] == key
            });
            assert_eq!(found, Some(&[key; 7]));
        }
    }

    #[test]
    fn a_table_sized_for_its_entries_does_not_grow_while_they_arrive() {
        let mut table: SlotTable<u32> = SlotTable::default();
        table.reserve(1000, |&e| u64::from(e));
        let slots = table.slot_count();
        assert_eq!(slots, 2048);
        for key in 0..1000u32 {
            table.insert_unique(
                u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15),
                key,
                |&e| u64::from(e).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            );
        }
        assert_eq!(table.slot_count(), slots);
        assert_eq!(slots_for(896), 1024);
        assert_eq!(slots_for(897), 2048);
    }
}
