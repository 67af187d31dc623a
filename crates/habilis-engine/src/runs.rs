//! Merging sorted runs: resource search collects each place's ids, already sorted, one
//! place after the other, and answers them as one sorted list.

/// Merges the sorted runs of `items` into one sorted vector. Run `i` starts at `starts[i]`
/// and ends where the next one starts (the last at the end of `items`); `starts` is
/// increasing and begins at 0.
///
/// Runs are merged two by two, round after round: about n·log2(k) comparisons for n items
/// in k runs. A general sort does not find runs of a few dozen items among a few hundred
/// (Rust's stable sort looks for runs of at least 64 or √n) and compares each item about
/// log2(n) times.
pub(crate) fn merge_runs<T: Ord + Copy>(mut items: Vec<T>, mut starts: Vec<usize>) -> Vec<T> {
    starts.push(items.len());
    starts.dedup();
    let mut merged: Vec<T> = items.clone();
    while starts.len() > 2 {
        let mut merged_starts = Vec::with_capacity(starts.len() / 2 + 2);
        let mut rest = starts.as_slice();
        while let [start, middle, end, ..] = *rest {
            merged_starts.push(start);
            if let (Some(left), Some(right), Some(out)) = (
                items.get(start..middle),
                items.get(middle..end),
                merged.get_mut(start..end),
            ) {
                merge_two(out, left, right);
            }
            rest = rest.get(2..).unwrap_or_default();
        }
        // An odd run out goes on as it is.
        if let [start, end] = *rest
            && let (Some(run), Some(out)) = (items.get(start..end), merged.get_mut(start..end))
        {
            merged_starts.push(start);
            out.copy_from_slice(run);
        }
        merged_starts.push(items.len());
        std::mem::swap(&mut items, &mut merged);
        starts = merged_starts;
    }
    items
}

/// The first 8 bytes of `id` as a number, big-endian, zeros after its end: ids whose
/// numbers differ are in the order of their numbers, so `(id_prefix(id), id)` sorts as `id`
/// does and most comparisons are of two integers instead of a call to compare bytes.
pub(crate) fn id_prefix(id: &str) -> u64 {
    let bytes = id.as_bytes();
    if let Some(first) = bytes.first_chunk::<8>() {
        return u64::from_be_bytes(*first);
    }
    let mut padded = [0_u8; 8];
    if let Some(start) = padded.get_mut(..bytes.len()) {
        start.copy_from_slice(bytes);
    }
    u64::from_be_bytes(padded)
}

/// Writes the merge of two sorted slices to `out`, as long as both; on equal items,
/// `left`'s first. Which side goes next is a comparison whose result picks an index, not a
/// branch: the order of merged ids is random, and a branch would be mispredicted half the
/// time.
fn merge_two<T: Ord + Copy>(out: &mut [T], left: &[T], right: &[T]) {
    let (mut l, mut r) = (0, 0);
    for slot in out.iter_mut() {
        let next = match (left.get(l), right.get(r)) {
            (Some(a), Some(b)) => {
                let take_right = b < a;
                l += usize::from(!take_right);
                r += usize::from(take_right);
                if take_right { b } else { a }
            }
            (Some(a), None) => {
                l += 1;
                a
            }
            (None, Some(b)) => {
                r += 1;
                b
            }
            (None, None) => return,
        };
        *slot = *next;
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{id_prefix, merge_runs};

    /// Sorted runs (some empty) laid one after the other, with where each starts.
    fn laid_out(runs: &[Vec<u16>]) -> (Vec<u16>, Vec<usize>) {
        let mut items = Vec::new();
        let mut starts = Vec::new();
        for run in runs {
            starts.push(items.len());
            let mut run = run.clone();
            run.sort_unstable();
            items.extend(run);
        }
        (items, starts)
    }

    #[test]
    fn no_runs_and_one_run_come_back_as_they_are() {
        assert_eq!(merge_runs(Vec::<u16>::new(), Vec::new()), Vec::<u16>::new());
        assert_eq!(merge_runs(vec![1, 5, 9], vec![0]), vec![1, 5, 9]);
    }

    #[test]
    fn search_ids_of_three_places_come_out_in_id_order() {
        let (items, starts) = laid_out(&[
            vec![],
            vec![3, 8, 20],
            vec![1, 9],
            vec![],
            vec![2, 4, 30, 31],
        ]);
        assert_eq!(
            merge_runs(items, starts),
            vec![1, 2, 3, 4, 8, 9, 20, 30, 31]
        );
    }

    proptest! {
        #[test]
        fn merging_runs_sorts_like_a_sort(runs in prop::collection::vec(prop::collection::vec(any::<u16>(), 0..40), 0..30)) {
            let (items, starts) = laid_out(&runs);
            let mut expected = items.clone();
            expected.sort_unstable();
            prop_assert_eq!(merge_runs(items, starts), expected);
        }

        #[test]
        fn ids_with_their_prefix_sort_as_the_ids(mut ids in prop::collection::vec("[a\\x00\\x01é-]{0,12}", 0..40)) {
            let mut keyed: Vec<(u64, &str)> = ids.iter().map(|id| (id_prefix(id), id.as_str())).collect();
            keyed.sort_unstable();
            let keyed: Vec<String> = keyed.into_iter().map(|(_, id)| id.to_owned()).collect();
            ids.sort_unstable();
            prop_assert_eq!(keyed, ids);
        }
    }
}
