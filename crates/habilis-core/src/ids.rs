//! New ids and secrets, from the operating system's random source.

use rand::RngCore;
use rand::rngs::OsRng;

const ALPHABET: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// `len` random characters from an unambiguous lower-case alphabet (5 bits each).
pub fn random_text(len: usize) -> String {
    let mut bytes = vec![0_u8; len];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .map(|byte| {
            char::from(
                ALPHABET
                    .get(usize::from(byte & 31))
                    .copied()
                    .unwrap_or(b'a'),
            )
        })
        .collect()
}

/// A new id with the kind's prefix and 80 random bits.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", random_text(16))
}
