//! A fast hasher for keys that are already uniformly random: session IDs and
//! public keys the mock generated itself. SipHash's protection against
//! chosen keys buys nothing for them (clients only look keys up; they never
//! choose what is inserted), and it showed up in profiles of Add and List.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

/// Folds the bytes eight at a time with a multiply (the Fx hash's step).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RandomKeyHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl Hasher for RandomKeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut word = [0u8; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.0 = (self.0.rotate_left(5) ^ u64::from_le_bytes(word)).wrapping_mul(SEED);
        }
    }
}

pub(crate) type RandomKeyBuild = BuildHasherDefault<RandomKeyHasher>;
pub(crate) type RandomKeyMap<K, V> = HashMap<K, V, RandomKeyBuild>;
pub(crate) type RandomKeySet<K> = HashSet<K, RandomKeyBuild>;

#[cfg(test)]
mod tests {
    use std::hash::{BuildHasher, Hash};

    use super::*;

    fn hash<T: Hash>(value: &T) -> u64 {
        RandomKeyBuild::default().hash_one(value)
    }

    #[test]
    fn every_byte_counts() {
        let base = [7u8; 33];
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(hash(&base)));
        for i in 0..base.len() {
            let mut other = base;
            other[i] ^= 1;
            assert!(seen.insert(hash(&other)), "byte {i} changed nothing");
        }
    }

    #[test]
    fn ids_spread_over_the_top_bits_tables_probe_with() {
        // hashbrown takes its 7 control bits from the top of the hash.
        let tops: std::collections::HashSet<u64> =
            (0u32..512).map(|n| hash(&n.to_be_bytes()) >> 57).collect();
        assert!(
            tops.len() > 100,
            "only {} of 128 top-bit patterns",
            tops.len()
        );
    }
}
