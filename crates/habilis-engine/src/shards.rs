//! Copy-on-write containers split into shards, and the string interner built on them.
//!
//! A snapshot is immutable once published, yet the next one must be ready within a
//! millisecond of a change. Every container here is a fixed number of shards, each behind an
//! `Arc`: cloning a container clones only the shard pointers, and changing one entry clones
//! the one shard that holds it (`Arc::make_mut`), never the whole world. Within one batch a
//! shard is cloned at most once, since after the first clone the batch owns it alone. The
//! hash maps' shards are `SlotTable`s, whose entries a lookup reads in one place.

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use crate::slots::{Packed, SlotAlignment, SlotTable, slots_for};

/// A name or id as the engine keeps it: up to 24 bytes inline (every id Habilis makes, and
/// most that applications register), longer ones on the heap. A lookup compares the name
/// inside the table entry it already read, instead of following a pointer to the text:
/// one cache miss less per name in a check, and no allocation per name.
pub(crate) type Name = compact_str::CompactString;

/// The maps that stay whole (the writer's bookkeeping). foldhash instead of std's SipHash:
/// these hold short names and ids, and SipHash costs more than the work around it.
pub(crate) type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Whether a table's key is the one asked for: `==`, except that names are compared in
/// place (`same_text`). The key and what is asked for hash alike (`Borrow`).
pub(crate) trait SameKey<Q: ?Sized> {
    fn same_key(&self, asked: &Q) -> bool;
}

impl SameKey<str> for Name {
    #[inline]
    fn same_key(&self, asked: &str) -> bool {
        same_text(self, asked)
    }
}

impl SameKey<Name> for Name {
    #[inline]
    fn same_key(&self, asked: &Name) -> bool {
        same_text(self, asked)
    }
}

impl SameKey<str> for Box<str> {
    #[inline]
    fn same_key(&self, asked: &str) -> bool {
        same_text(self, asked)
    }
}

/// Keys that are numbers or small values: `==` is already a few instructions.
macro_rules! same_by_eq {
    ($($key:ty),*) => {$(
        impl SameKey<$key> for $key {
            #[inline]
            fn same_key(&self, asked: &$key) -> bool {
                self == asked
            }
        }
    )*};
}
same_by_eq!(
    u32,
    u64,
    (u32, u32),
    (u32, u32, u32),
    crate::snapshot::Place,
    crate::snapshot::ScopeRec
);

/// Whether two names are the same text, compared in place a word at a time. `==` on text
/// calls the C library's `memcmp`, and the call costs more than the comparison of the short
/// names a check compares (the application's key, the resource's type and id, the user's
/// id; five or six a check). Names of 4 to 16 bytes are read as two overlapping words each.
#[inline]
pub(crate) fn same_text(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

/// `same_text` of the bytes of two names.
#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let len = a.len();
    if len != b.len() {
        return false;
    }
    match len {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => half_at(a, 0) == half_at(b, 0) && half_at(a, len - 4) == half_at(b, len - 4),
        8..=16 => word_at(a, 0) == word_at(b, 0) && word_at(a, len - 8) == word_at(b, len - 8),
        _ => a == b,
    }
}

/// The `N` bytes of `bytes` from `at`; `None` past the end.
#[inline]
fn bytes_at<const N: usize>(bytes: &[u8], at: usize) -> Option<[u8; N]> {
    bytes.get(at..at + N).and_then(|w| w.try_into().ok())
}

/// The eight bytes of `bytes` from `at`, as one word; `None` past the end.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    bytes_at(bytes, at).map(u64::from_le_bytes)
}

/// The four bytes of `bytes` from `at`, as one half word; `None` past the end.
#[inline]
fn half_at(bytes: &[u8], at: usize) -> Option<u32> {
    bytes_at(bytes, at).map(u32::from_le_bytes)
}

/// A few names that every check names (the applications, the resource types), with their
/// interned ids: found by comparing names in place, for less than a hashed lookup. Names are
/// added, never taken out, like the interner's. Past `SCANNED` names a scan would cost more
/// than hashing, and `id_of` asks the interner instead.
#[derive(Clone, Debug, Default)]
pub(crate) struct FewNames {
    names: Arc<Vec<FewName>>,
}

/// A listed name: its `ShortText` (`ShortText::LONG` past 16 bytes), its text and its id.
#[derive(Clone, Debug)]
struct FewName {
    short: ShortText,
    text: Box<str>,
    id: u32,
}

/// A name of at most 16 bytes as its length and two words that hold every byte of it
/// (overlapping below 16 bytes, the bytes themselves below 4): two such names are the same
/// text exactly when these are equal. A name asked is read into one once, and each listed
/// name is then three comparisons, where comparing the texts would branch on the length
/// again for each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ShortText {
    len: usize,
    words: [u64; 2],
}

impl ShortText {
    /// Stands for every name longer than 16 bytes: equal to no `ShortText::of` a name.
    const LONG: ShortText = ShortText {
        len: usize::MAX,
        words: [0; 2],
    };

    /// `None` past 16 bytes.
    #[inline]
    fn of(text: &str) -> Option<ShortText> {
        let bytes = text.as_bytes();
        let len = bytes.len();
        let word = |at: usize| word_at(bytes, at).unwrap_or(0);
        let half = |at: usize| half_at(bytes, at).map_or(0, u64::from);
        let words = match len {
            0..4 => [
                bytes
                    .iter()
                    .rev()
                    .fold(0, |word, byte| word << 8 | u64::from(*byte)),
                0,
            ],
            4..8 => [half(0), half(len - 4)],
            8..=16 => [word(0), word(len - 8)],
            _ => return None,
        };
        Some(ShortText { len, words })
    }
}

impl FewNames {
    const SCANNED: usize = 16;

    /// Lists `name` with its id, once.
    pub(crate) fn add(&mut self, name: &str, id: u32) {
        if !self.names.iter().any(|known| known.id == id) {
            Arc::make_mut(&mut self.names).push(FewName {
                short: ShortText::of(name).unwrap_or(ShortText::LONG),
                text: Box::from(name),
                id,
            });
        }
    }

    /// The id of `name` if it was added: found in the list while the names are few, else
    /// asked of `keys`, where every added name is interned (a key there that was never
    /// added names something else, which the caller's next lookup does not find).
    #[inline]
    pub(crate) fn id_of(&self, name: &str, keys: &Interner) -> Option<u32> {
        if self.names.len() > Self::SCANNED {
            return Self::id_among_many(name, keys);
        }
        match ShortText::of(name) {
            Some(short) => self
                .names
                .iter()
                .find(|known| known.short == short)
                .map(|known| known.id),
            None => self.id_of_long(name),
        }
    }

    /// `id_of` a name past 16 bytes, compared as text.
    #[cold]
    #[inline(never)]
    fn id_of_long(&self, name: &str) -> Option<u32> {
        self.names
            .iter()
            .find(|known| *known.text == *name)
            .map(|known| known.id)
    }

    /// `id_of` past `SCANNED` names: apart, so that the scan, which every check makes
    /// twice, stays a few instructions inlined where it is called.
    #[cold]
    #[inline(never)]
    fn id_among_many(name: &str, keys: &Interner) -> Option<u32> {
        keys.get(name)
    }
}

/// How many shards the large containers (users, grants, resources) use. A change clones the
/// shards it touches before the next snapshot is published, so the count bounds the time
/// from a commit to its visibility: with a million grants and resources a shard holds about
/// a thousand entries, and a change is visible within a millisecond (`habilis bench`).
pub(crate) const LARGE: usize = 1024;
/// How many shards the small containers (applications, subscriptions) use.
pub(crate) const SMALL: usize = 16;

/// One hash per lookup chooses both the shard and the slot inside it. The shard takes bits
/// 32 and up, which the table inside uses for neither its slot (low bits) nor its tag (top
/// seven bits), so the entries of one shard still spread over their table.
///
/// The seed is random per process and travels with the container's clones, so a key lands
/// in the same shard in every snapshot. The keys are names that administrators and
/// applications registered; a request cannot fill a table with colliding keys.
#[derive(Clone, Debug, Default)]
struct Hashing(foldhash::fast::RandomState);

impl Hashing {
    /// Written out rather than `hash_one`, which the compiler keeps as a call: the hash of
    /// a short name is a few instructions, fewer than the call's.
    #[inline(always)]
    #[expect(
        clippy::manual_hash_one,
        reason = "`hash_one` stays a call, this does not"
    )]
    fn hash<Q: Hash + ?Sized>(&self, key: &Q) -> u64 {
        let mut hasher = self.0.build_hasher();
        key.hash(&mut hasher);
        hasher.finish()
    }

    #[inline]
    fn shard(hash: u64, count: usize) -> usize {
        // Bits 32 to 55 scaled to `count` by a multiplication and a shift, not a division,
        // which would cost more than the rest of the lookup before its first memory access:
        // any count works (`shards_for` picks one that fills the tables), and the tag's top
        // seven bits stay out of it. Below `count`, which is a usize.
        ((((hash >> 32) & SHARD_BITS) * count as u64) >> SHARD_BITS.count_ones()) as usize
    }
}

/// Whether a value holds nothing and its entry can go, so that emptied lists do not
/// linger in the maps.
pub(crate) trait Vacant {
    fn is_vacant(&self) -> bool;
}

impl<T> Vacant for Vec<T> {
    fn is_vacant(&self) -> bool {
        self.is_empty()
    }
}

/// How many of `total` entries one of `shards` shards should have room for: its even share
/// and a margin for the unevenness of hashing (about four standard deviations), so that a
/// load sized from the store's counts grows no table, and leaves none of the tables it grew
/// through behind as freed memory.
fn share(total: usize, shards: usize) -> usize {
    let even = total.div_ceil(shards.max(1));
    even + 4 * even.isqrt() + 8
}

/// The hash bits that choose a shard (`Hashing::shard`): 24, so up to 16 million shards.
const SHARD_BITS: u64 = 0x00FF_FFFF;

/// How many shards, `minimum` or more, hold `total` entries in the fewest slots. With a
/// power-of-two count every shard's share lands on the same side of a power of two: a
/// million entries over 1,024 shards are 977 a shard, past the 896 that 1,024 slots hold,
/// so every table gets 2,048 and is under half full (67 MB for the resource table); over
/// 1,283 shards they fit in 1,024 slots, three quarters full (42 MB).
fn shards_for(total: usize, minimum: usize) -> usize {
    let minimum = minimum.max(1);
    (minimum..=minimum.saturating_mul(2))
        .min_by_key(|&count| count.saturating_mul(slots_for(share(total, count))))
        .unwrap_or(minimum)
}

/// A fixed number of shards, each holding its contents behind an `Arc` (a `SlotTable`'s
/// slots, a `Vec` in an `Arc`), and the list of them behind one more: a published snapshot
/// shares both, so cloning it costs one count per map instead of one per shard (a thousand
/// or two per map, about 270 µs for every map at a million grants and resources). A change
/// clones the list of the map it changes and the shard it changes, once per snapshot.
#[derive(Clone, Debug)]
struct Shards<S> {
    shards: Arc<Vec<S>>,
}

impl<S: Clone + Default> Shards<S> {
    fn new(count: usize) -> Shards<S> {
        Shards {
            shards: Arc::new((0..count.max(1)).map(|_| S::default()).collect()),
        }
    }

    fn count(&self) -> usize {
        self.shards.len()
    }

    fn get(&self, index: usize) -> Option<&S> {
        self.shards.get(index)
    }

    fn iter(&self) -> impl Iterator<Item = &S> {
        self.shards.iter()
    }

    /// The shard to change, its list cloned first when a published snapshot still shares
    /// it; the shard's own contents are cloned by the shard on its first change.
    fn get_mut(&mut self, index: usize) -> Option<&mut S> {
        Arc::make_mut(&mut self.shards).get_mut(index)
    }
}

/// The shard that holds a key, ready to change: its table, the key's hash, and the hashing
/// that places the table's other entries when it grows.
type ShardMut<'a, T, A = Packed> = (&'a mut SlotTable<T, A>, u64, &'a Hashing);

/// A key and its hash in one map (`HashShards::hashed`, `NamedShards::hashed`): hashed
/// once, for a read started early and a lookup later. The hash is that map's (each map has
/// its own seed): a key hashed by one map and looked up in another is not found.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hashed<K> {
    hash: u64,
    /// The shard the hash falls in, worked out once for the early read and the lookup.
    shard: usize,
    key: K,
}

impl<K: Copy> Hashed<K> {
    /// The key, as it was given.
    pub(crate) fn key(&self) -> K {
        self.key
    }
}

/// A map split into shards by the hash of its key.
#[derive(Clone, Debug)]
pub(crate) struct HashShards<K, V, A = Packed> {
    shards: Shards<SlotTable<(K, V), A>>,
    hashing: Hashing,
}

impl<K: Hash + Eq + Clone, V: Clone, A: SlotAlignment> HashShards<K, V, A> {
    pub(crate) fn new(count: usize) -> HashShards<K, V, A> {
        HashShards {
            shards: Shards::new(count),
            hashing: Hashing::default(),
        }
    }

    #[inline]
    pub(crate) fn get<Q>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get_hashed(&self.hashed(key))
    }

    /// `key` with the hash a lookup of it in this map uses: for a question that looks up
    /// several keys, hashes each once, starts the read of every slot (`prefetch_hashed`),
    /// and only then probes them (`get_hashed`).
    #[inline(always)]
    pub(crate) fn hashed<'q, Q>(&self, key: &'q Q) -> Hashed<&'q Q>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        // `Borrow` promises that `K` and `Q` hash alike.
        let hash = self.hashing.hash(key);
        Hashed {
            hash,
            shard: Hashing::shard(hash, self.shards.count()),
            key,
        }
    }

    /// `get` of a key hashed by this map (`hashed`).
    #[inline(always)]
    pub(crate) fn get_hashed<Q>(&self, key: &Hashed<&Q>) -> Option<&V>
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let shard = self.shards.get(key.shard)?;
        shard
            .find(key.hash, |(k, _)| k.same_key(key.key))
            .map(|(_, value)| value)
    }

    /// Starts reading the slot where `get(key)` will look first (`prefetch`).
    pub(crate) fn prefetch<Q>(&self, key: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.prefetch_hashed(&self.hashed(key));
    }

    /// `prefetch` of a key hashed by this map (`hashed`).
    #[inline]
    pub(crate) fn prefetch_hashed<T>(&self, key: &Hashed<T>) {
        if let Some(shard) = self.shards.get(key.shard) {
            shard.prefetch(key.hash);
        }
    }

    /// The value of `key`, to change (its shard cloned first when a published snapshot
    /// still shares it).
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        let (shard, hash, _) = self.shard_mut(key)?;
        shard
            .find_mut(hash, |(k, _)| k == key)
            .map(|(_, value)| value)
    }

    /// The shard of `key` to change, and the key's hash.
    fn shard_mut(&mut self, key: &K) -> Option<ShardMut<'_, (K, V), A>> {
        let hash = self.hashing.hash(key);
        let index = Hashing::shard(hash, self.shards.count());
        Some((self.shards.get_mut(index)?, hash, &self.hashing))
    }

    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        let (shard, hash, hashing) = self.shard_mut(&key)?;
        if let Some((_, old)) = shard.find_mut(hash, |(k, _)| *k == key) {
            return Some(std::mem::replace(old, value));
        }
        shard.insert_unique(hash, (key, value), |(k, _)| hashing.hash(k));
        None
    }

    /// Changes every value, cloning the shards a published snapshot still shares.
    pub(crate) fn for_each_mut(&mut self, mut change: impl FnMut(&mut V)) {
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index) {
                shard.iter_mut().for_each(|(_, value)| change(value));
            }
        }
    }

    /// Makes room for `total` entries in all, before they arrive; an empty map first takes
    /// the number of shards that holds them in the fewest buckets (`shards_for`).
    pub(crate) fn reserve(&mut self, total: usize) {
        if self.shards.iter().all(|shard| shard.is_empty()) {
            self.shards = Shards::new(shards_for(total, self.shards.count()));
        }
        let per_shard = share(total, self.shards.count());
        let hashing = &self.hashing;
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index) {
                shard.reserve(per_shard.saturating_sub(shard.len()), |(k, _)| {
                    hashing.hash(k)
                });
            }
        }
    }

    /// Changes the value of `key` (a default one when absent) and drops the entry when it is
    /// left vacant.
    pub(crate) fn update(&mut self, key: K, change: impl FnOnce(&mut V))
    where
        V: Default + Vacant,
    {
        let Some((shard, hash, hashing)) = self.shard_mut(&key) else {
            return;
        };
        let rehash = |(k, _): &(K, V)| hashing.hash(k);
        let index = shard.find_or_insert(
            hash,
            |(k, _)| *k == key,
            || (key.clone(), V::default()),
            rehash,
        );
        let Some((_, value)) = shard.get_at(index) else {
            return;
        };
        change(value);
        if value.is_vacant() {
            shard.remove_at(index, rehash);
        }
    }
}

/// A name in 16 bytes, for the keys of the largest tables: up to 14 bytes in place (the ids
/// of resources and subjects are mostly that short), a longer one behind a pointer. A
/// `Name` takes 24 bytes; at a million resources the 8 bytes less make an entry of the
/// table of resources 32 bytes instead of 40, two to a cache line.
#[derive(Clone, Debug)]
pub(crate) enum ShortName {
    InPlace {
        len: u8,
        bytes: [u8; ShortName::IN_PLACE],
    },
    /// The text, behind one pointer (a `Box<str>` is two words).
    Long(Box<Box<str>>),
}

impl ShortName {
    const IN_PLACE: usize = 14;

    pub(crate) fn new(name: &str) -> ShortName {
        let text = name.as_bytes();
        let mut bytes = [0; ShortName::IN_PLACE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(start), Ok(len)) => {
                start.copy_from_slice(text);
                ShortName::InPlace { len, bytes }
            }
            _ => ShortName::Long(Box::new(Box::from(name))),
        }
    }

    /// The name as text, for the writer to hash it again when the table grows or shrinks
    /// around a removal (a lookup hashes the `str` it is given).
    fn as_str(&self) -> &str {
        // Never empty by error: the bytes were a `str`'s, copied whole.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    #[inline]
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            ShortName::InPlace { len, bytes } => bytes.get(..usize::from(*len)).unwrap_or(&[]),
            ShortName::Long(text) => text.as_bytes(),
        }
    }
}

/// A map keyed by a small part `P` and a name, split into shards by both, so that a lookup
/// by `(&P, &str)` needs no allocation and one hash. The names are kept as `ShortName`s.
#[derive(Clone, Debug)]
pub(crate) struct NamedShards<P, V, A = Packed> {
    shards: Shards<SlotTable<(P, ShortName, V), A>>,
    hashing: Hashing,
}

impl<P: Hash + Eq + Clone, V: Clone, A: SlotAlignment> NamedShards<P, V, A> {
    pub(crate) fn new(count: usize) -> NamedShards<P, V, A> {
        NamedShards {
            shards: Shards::new(count),
            hashing: Hashing::default(),
        }
    }

    #[inline]
    pub(crate) fn get(&self, part: &P, name: &str) -> Option<&V> {
        self.get_hashed(&self.hashed(part, name))
    }

    /// `(part, name)` with the hash a lookup of it in this map uses (`HashShards::hashed`).
    #[inline(always)]
    pub(crate) fn hashed<'q>(&self, part: &'q P, name: &'q str) -> Hashed<(&'q P, &'q str)> {
        let hash = self.hashing.hash(&(part, name));
        Hashed {
            hash,
            shard: Hashing::shard(hash, self.shards.count()),
            key: (part, name),
        }
    }

    /// `get` of a key hashed by this map (`hashed`).
    #[inline(always)]
    pub(crate) fn get_hashed(&self, key: &Hashed<(&P, &str)>) -> Option<&V> {
        let (part, name) = key.key;
        let shard = self.shards.get(key.shard)?;
        shard
            .find(key.hash, |(p, n, _)| {
                p == part && same_bytes(n.as_bytes(), name.as_bytes())
            })
            .map(|(_, _, value)| value)
    }

    /// Starts reading the slot where `get(part, name)` will look first (`prefetch`).
    pub(crate) fn prefetch(&self, part: &P, name: &str) {
        self.prefetch_hashed(&self.hashed(part, name));
    }

    /// `prefetch` of a key hashed by this map (`hashed`).
    #[inline]
    pub(crate) fn prefetch_hashed(&self, key: &Hashed<(&P, &str)>) {
        if let Some(shard) = self.shards.get(key.shard) {
            shard.prefetch(key.hash);
        }
    }

    fn shard_mut(&mut self, part: &P, name: &str) -> Option<ShardMut<'_, (P, ShortName, V), A>> {
        let hash = self.hashing.hash(&(part, name));
        let index = Hashing::shard(hash, self.shards.count());
        Some((self.shards.get_mut(index)?, hash, &self.hashing))
    }

    pub(crate) fn insert(&mut self, part: P, name: &str, value: V) -> Option<V> {
        let (shard, hash, hashing) = self.shard_mut(&part, name)?;
        let same = |(p, n, _): &(P, ShortName, V)| *p == part && n.as_bytes() == name.as_bytes();
        if let Some((_, _, old)) = shard.find_mut(hash, same) {
            return Some(std::mem::replace(old, value));
        }
        shard.insert_unique(hash, (part, ShortName::new(name), value), |(p, n, _)| {
            hashing.hash(&(p, n.as_str()))
        });
        None
    }

    /// Makes room for `total` entries in all, before they arrive; an empty map first takes
    /// the number of shards that holds them in the fewest buckets (`shards_for`).
    pub(crate) fn reserve(&mut self, total: usize) {
        if self.shards.iter().all(|shard| shard.is_empty()) {
            self.shards = Shards::new(shards_for(total, self.shards.count()));
        }
        let per_shard = share(total, self.shards.count());
        let hashing = &self.hashing;
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index) {
                shard.reserve(per_shard.saturating_sub(shard.len()), |(p, n, _)| {
                    hashing.hash(&(p, n.as_str()))
                });
            }
        }
    }

    pub(crate) fn remove(&mut self, part: &P, name: &str) -> Option<V> {
        // Look before changing, so that removing an absent name clones no shard.
        self.get(part, name)?;
        let (shard, hash, hashing) = self.shard_mut(part, name)?;
        let (_, _, value) = shard.remove(
            hash,
            |(p, n, _)| p == part && n.as_bytes() == name.as_bytes(),
            |(p, n, _)| hashing.hash(&(p, n.as_str())),
        )?;
        Some(value)
    }
}

/// A vector indexed by dense `u32` ids, dealt round-robin over the shards: id `i` lives in
/// shard `i % count` at position `i / count`, so shards stay even without hashing.
#[derive(Clone, Debug)]
pub(crate) struct DenseShards<V> {
    shards: Shards<Dense<V>>,
}

/// One shard of a `DenseShards`: its values behind an `Arc`, whose pointer and length sit
/// in the shard list itself, so that reading a value is one read past the (cached) list
/// rather than two (a `Vec` in an `Arc` keeps its pointer behind the `Arc`). The slice may
/// be longer than `len`, its tail default values, room for ids still to come.
#[derive(Clone, Debug)]
struct Dense<V> {
    values: Arc<[V]>,
    len: usize,
}

impl<V> Default for Dense<V> {
    fn default() -> Dense<V> {
        Dense {
            values: Arc::from(Vec::new()),
            len: 0,
        }
    }
}

impl<V: Clone + Default> Dense<V> {
    /// Gives the slice `count` values: the first ones kept (moved when no snapshot shares
    /// them, cloned when one does), then defaults, or the tail dropped.
    fn resize(&mut self, count: usize) {
        let mut values: Vec<V> = Vec::with_capacity(count);
        let kept = self.len.min(count);
        match Arc::get_mut(&mut self.values) {
            Some(owned) => values.extend(owned.iter_mut().take(kept).map(std::mem::take)),
            None => values.extend(self.values.iter().take(kept).cloned()),
        }
        values.resize_with(count, V::default);
        self.values = Arc::from(values);
        self.len = kept;
    }
}

impl<V: Clone + Default> DenseShards<V> {
    pub(crate) fn new(count: usize) -> DenseShards<V> {
        DenseShards {
            // A power of two, so that the place of an id is a mask and a shift.
            shards: Shards::new(count.max(1).next_power_of_two()),
        }
    }

    #[inline]
    fn place(&self, id: u32) -> (usize, usize) {
        let id = id as usize;
        // A power of two (`DenseShards::new`): mask and shift instead of two divisions.
        let count = self.shards.count();
        (id & count.wrapping_sub(1), id >> count.trailing_zeros())
    }

    /// The value of `id`; `None` for an id never written, which readers take as the default.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> Option<&V> {
        let (shard, position) = self.place(id);
        let shard = self.shards.get(shard)?;
        if position < shard.len {
            shard.values.get(position)
        } else {
            None
        }
    }

    /// Changes every value, cloning the shards a published snapshot still shares.
    pub(crate) fn for_each_mut(&mut self, mut change: impl FnMut(&mut V)) {
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index) {
                let len = shard.len;
                Arc::make_mut(&mut shard.values)
                    .iter_mut()
                    .take(len)
                    .for_each(&mut change);
            }
        }
    }

    /// Makes room for `total` values in all, before they arrive.
    pub(crate) fn reserve(&mut self, total: usize) {
        let per_shard = share(total, self.shards.count());
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index)
                && shard.values.len() < per_shard
            {
                shard.resize(per_shard);
            }
        }
    }

    /// Drops the room left for ids that did not come (see `Snapshot::compact`).
    pub(crate) fn compact(&mut self) {
        for index in 0..self.shards.count() {
            if let Some(shard) = self.shards.get_mut(index)
                && shard.values.len() > shard.len
            {
                shard.resize(shard.len);
            }
        }
    }

    /// The value of `id` to change, created with the default when new.
    pub(crate) fn get_mut(&mut self, id: u32) -> Option<&mut V> {
        let (shard, position) = self.place(id);
        let shard = self.shards.get_mut(shard)?;
        if shard.values.len() <= position {
            // Doubling, so that ids arriving one by one move each value a bounded number
            // of times.
            let count = (position + 1).max(shard.values.len().saturating_mul(2));
            let len = shard.len;
            shard.resize(count);
            shard.len = len;
        }
        shard.len = shard.len.max(position + 1);
        Arc::make_mut(&mut shard.values).get_mut(position)
    }
}

/// Turns names (user ids, organisation ids, keys), or other small values such as a
/// resource's place, into dense `u32` ids, so that the indexes hold four bytes instead of a
/// string and compare ids instead of text. Nothing is forgotten: an id stays valid for the
/// life of the engine.
///
/// Each name's entry can also hold a value `E` beside its id, read in the same place as the
/// id: what a lookup by that name needs next, one read sooner than through the id (a user's
/// grants, in the table of user names).
#[derive(Clone, Debug)]
pub(crate) struct Interner<K = Name, E = (), A = Packed> {
    ids: HashShards<K, (u32, E), A>,
    names: DenseShards<K>,
    len: u32,
}

/// An id no interned name ever gets: it stands for a name that was never seen, which
/// compares unequal to every known one.
pub(crate) const UNSEEN: u32 = u32::MAX;

impl<K: Hash + Eq + Clone + Default, E: Clone + Default, A: SlotAlignment> Interner<K, E, A> {
    pub(crate) fn new(count: usize) -> Interner<K, E, A> {
        Interner {
            ids: HashShards::new(count),
            names: DenseShards::new(count),
            len: 0,
        }
    }

    #[inline]
    pub(crate) fn get<Q>(&self, name: &Q) -> Option<u32>
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.get(name).map(|(id, _)| *id)
    }

    /// The id of `name` and the value its entry holds.
    #[inline]
    pub(crate) fn entry<Q>(&self, name: &Q) -> Option<(u32, &E)>
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.entry_hashed(&self.ids.hashed(name))
    }

    /// `name` with the hash its lookup uses (`HashShards::hashed`).
    #[inline(always)]
    pub(crate) fn hashed<'q, Q>(&self, name: &'q Q) -> Hashed<&'q Q>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.hashed(name)
    }

    /// `entry` of a name hashed by this interner (`hashed`).
    #[inline]
    pub(crate) fn entry_hashed<Q>(&self, name: &Hashed<&Q>) -> Option<(u32, &E)>
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.get_hashed(name).map(|(id, value)| (*id, value))
    }

    /// `prefetch` of a name hashed by this interner (`hashed`).
    #[inline]
    pub(crate) fn prefetch_hashed<Q: ?Sized>(&self, name: &Hashed<&Q>) {
        self.ids.prefetch_hashed(name);
    }

    /// The value the entry of the name of `id` holds.
    pub(crate) fn value(&self, id: u32) -> Option<&E>
    where
        K: SameKey<K>,
    {
        let name = self.names.get(id)?;
        self.ids.get(name).map(|(_, value)| value)
    }

    /// The value the entry of the name of `id` holds, to change.
    pub(crate) fn value_mut(&mut self, id: u32) -> Option<&mut E> {
        let name = self.names.get(id)?.clone();
        self.ids.get_mut(&name).map(|(_, value)| value)
    }

    /// Changes the value of every entry, cloning the shards a published snapshot shares.
    #[cfg(test)]
    pub(crate) fn for_each_value_mut(&mut self, mut change: impl FnMut(&mut E)) {
        self.ids.for_each_mut(|(_, value)| change(value));
    }

    /// Starts reading the slot where `get(name)` will look first (`prefetch`).
    pub(crate) fn prefetch<Q>(&self, name: &Q)
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.ids.prefetch(name);
    }

    /// Makes room for `total` names in all, before they arrive.
    pub(crate) fn reserve(&mut self, total: usize) {
        self.ids.reserve(total);
        self.names.reserve(total);
    }

    /// The id of `name`, or `UNSEEN` when the name was never interned.
    pub(crate) fn get_or_unseen<Q>(&self, name: &Q) -> u32
    where
        K: Borrow<Q> + SameKey<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.get(name).unwrap_or(UNSEEN)
    }

    #[inline]
    pub(crate) fn name(&self, id: u32) -> Option<&K> {
        self.names.get(id)
    }

    /// The id of `name`, given on first sight. The owned form is made only then.
    pub(crate) fn intern<Q>(&mut self, name: &Q) -> u32
    where
        K: Borrow<Q> + SameKey<Q> + for<'q> From<&'q Q>,
        Q: Hash + Eq + ?Sized,
    {
        if let Some(id) = self.get(name) {
            return id;
        }
        let id = self.len;
        // Four billion names exhaust memory long before the counter; saturating keeps the
        // sentinel out of reach without a panic path.
        self.len = self.len.saturating_add(1).min(UNSEEN - 1);
        let name = K::from(name);
        if let Some(slot) = self.names.get_mut(id) {
            *slot = name.clone();
        }
        self.ids.insert(name, (id, E::default()));
        id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The buckets a map sized by `reserve` for `total` entries holds in all.
    fn buckets_reserved(map: &HashShards<u64, u32>) -> usize {
        map.shards.iter().map(SlotTable::slot_count).sum()
    }

    #[test]
    fn a_load_sized_map_is_at_least_half_full_whatever_its_size() {
        // Powers of two and the sizes just past them are the worst cases of equal
        // power-of-two shards: at a million, 1,024 shards were 48 % full.
        for total in [100_000, 131_072, 140_000, 1_000_000, 1_048_577, 3_000_000] {
            let mut map: HashShards<u64, u32> = HashShards::new(LARGE);
            map.reserve(total);
            let fill = total as f64 / buckets_reserved(&map) as f64;
            assert!(
                fill > 0.5,
                "{total} entries fill {fill:.2} of their buckets"
            );
            if total >= 1_000_000 {
                assert!(
                    fill > 0.7,
                    "{total} entries fill {fill:.2} of their buckets"
                );
            }
            assert!(
                map.shards.count() >= LARGE,
                "no fewer shards than asked for"
            );
        }
    }

    #[test]
    fn every_entry_is_found_in_a_map_of_any_shard_count() {
        let mut map: HashShards<u64, u32> = HashShards::new(LARGE);
        map.reserve(100_000);
        assert!(!map.shards.count().is_power_of_two());
        for key in 0..100_000u64 {
            map.insert(key * 7919, key as u32);
        }
        for key in 0..100_000u64 {
            assert_eq!(map.get(&(key * 7919)), Some(&(key as u32)));
        }
        assert_eq!(map.get(&1), None);
        let used = map.shards.iter().filter(|s| !s.is_empty()).count();
        assert_eq!(used, map.shards.count(), "every shard takes its share");
    }

    #[test]
    fn a_dense_map_reads_only_the_ids_written_and_a_clone_keeps_its_values() {
        let mut values: DenseShards<u32> = DenseShards::new(4);
        values.reserve(100);
        assert_eq!(values.get(3), None, "room reserved is not a value");
        for id in [0u32, 5, 6, 70, 3000] {
            if let Some(value) = values.get_mut(id) {
                *value = id + 1;
            }
        }
        let published = values.clone();
        if let Some(value) = values.get_mut(5) {
            *value = 99;
        }
        values.for_each_mut(|value| *value *= 2);
        values.compact();
        assert_eq!(
            published.get(5),
            Some(&6),
            "a published clone keeps its value"
        );
        assert_eq!(values.get(5), Some(&198));
        assert_eq!(values.get(3000), Some(&6002));
        // Ids below the highest written one in the same shard read as the default.
        assert_eq!(values.get(2996), Some(&0));
        assert_eq!(values.get(3004), None);
        assert_eq!(values.get(u32::MAX), None);
    }

    #[test]
    fn names_compared_in_place_are_equal_exactly_when_their_text_is() {
        // Every length up to past the word-wise range, a difference at every position,
        // different lengths with a common prefix, and text outside ASCII.
        for len in 0..=20usize {
            let name: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            assert!(same_text(&name, &name.clone()), "{name:?}");
            for position in 0..len {
                let mut bytes = name.clone().into_bytes();
                if let Some(byte) = bytes.get_mut(position) {
                    *byte = b'#';
                }
                let other = String::from_utf8(bytes).unwrap_or_default();
                assert!(!same_text(&name, &other), "{name:?} vs {other:?}");
                assert!(!same_text(&other, &name), "{other:?} vs {name:?}");
            }
            let longer = format!("{name}z");
            assert!(!same_text(&name, &longer) && !same_text(&longer, &name));
        }
        assert!(same_text("dossier-é", "dossier-é"));
        assert!(!same_text("dossier-é", "dossier-è"));
    }

    #[test]
    fn few_names_are_found_exactly_whatever_their_length() {
        // Every length up to past the two words, names that differ at one position or by
        // one byte more, and text outside ASCII; more than `SCANNED` names go to the keys.
        let mut keys = Interner::new(SMALL);
        let mut few = FewNames::default();
        let names: Vec<String> = (0..=20usize)
            .map(|len| {
                (0..len)
                    .map(|i| char::from(b'a' + (i % 26) as u8))
                    .collect()
            })
            .collect();
        for (name, id) in names.iter().zip(100..).take(FewNames::SCANNED) {
            few.add(name, id);
        }
        for (name, id) in names.iter().zip(100..).take(FewNames::SCANNED) {
            assert_eq!(few.id_of(name, &keys), Some(id), "{name:?}");
            for position in 0..name.len() {
                let mut bytes = name.clone().into_bytes();
                if let Some(byte) = bytes.get_mut(position) {
                    *byte = b'#';
                }
                let other = String::from_utf8(bytes).unwrap_or_default();
                assert_eq!(few.id_of(&other, &keys), None, "{other:?}");
            }
        }
        let mut long = FewNames::default();
        long.add("a-resource-type-of-many-bytes", 7);
        long.add("dossier-é", 8);
        assert_eq!(long.id_of("a-resource-type-of-many-bytes", &keys), Some(7));
        assert_eq!(long.id_of("a-resource-type-of-many-bytez", &keys), None);
        assert_eq!(long.id_of("dossier-é", &keys), Some(8));
        assert_eq!(long.id_of("dossier-è", &keys), None);
        assert_eq!(long.id_of("", &keys), None);
        // Past `SCANNED`, the interner answers.
        let mut many = FewNames::default();
        for name in &names {
            let id = keys.intern(name.as_str());
            many.add(name, id);
        }
        for name in &names {
            assert_eq!(many.id_of(name, &keys), keys.get(name.as_str()), "{name:?}");
        }
        assert_eq!(many.id_of("unknown", &keys), None);
    }

    #[test]
    fn the_value_beside_a_name_changes_in_the_next_snapshot_only() {
        let mut names: Interner<Name, Vec<u32>> = Interner::new(LARGE);
        let anne = names.intern("anne");
        let bob = names.intern("bob");
        if let Some(list) = names.value_mut(anne) {
            list.push(1);
        }
        let published = names.clone();
        if let Some(list) = names.value_mut(anne) {
            list.push(2);
        }
        names.for_each_value_mut(|list| list.push(9));
        assert_eq!(published.entry("anne"), Some((anne, &vec![1])));
        assert_eq!(published.value(bob), Some(&vec![]));
        assert_eq!(names.entry("anne"), Some((anne, &vec![1, 2, 9])));
        assert_eq!(names.value(bob), Some(&vec![9]));
        assert_eq!(names.get("bob"), Some(bob), "the ids stay");
        assert_eq!(names.value(UNSEEN), None);
        assert_eq!(names.entry("carl"), None);
    }

    #[test]
    fn names_in_place_and_long_ones_are_found_and_told_apart() {
        let names = [
            "",
            "d",
            "d1",
            "abcdefghijklm",
            "abcdefghijklmn",
            "abcdefghijklmno",
            "abcdefghijklmnop",
            "é-dossier-ünïcödé",
            "0f8fad5b-d9cb-469f-a165-70867728950e",
        ];
        for name in names {
            assert_eq!(ShortName::new(name).as_bytes(), name.as_bytes());
        }
        assert!(matches!(
            ShortName::new("abcdefghijklmn"),
            ShortName::InPlace { .. }
        ));
        assert!(matches!(
            ShortName::new("abcdefghijklmno"),
            ShortName::Long(_)
        ));
        let mut map: NamedShards<u32, usize> = NamedShards::new(LARGE);
        for (value, name) in names.iter().enumerate() {
            map.insert(1, name, value);
        }
        for (value, name) in names.iter().enumerate() {
            assert_eq!(map.get(&1, name), Some(&value), "{name}");
            assert_eq!(map.get(&2, name), None, "{name} in another part");
        }
        assert_eq!(map.get(&1, "abcdefghijklmnopq"), None);
        assert_eq!(map.remove(&1, "abcdefghijklmno"), Some(5));
        assert_eq!(map.get(&1, "abcdefghijklmno"), None);
        assert_eq!(map.get(&1, "abcdefghijklmnop"), Some(&6));
    }

    #[test]
    fn a_map_that_holds_entries_keeps_its_shards_when_reserved_again() {
        let mut map: NamedShards<u32, u32> = NamedShards::new(LARGE);
        map.insert(1, "d1", 10);
        map.reserve(1_000_000);
        assert_eq!(map.shards.count(), LARGE);
        assert_eq!(map.get(&1, "d1"), Some(&10));
    }
}
