//! The LNC pairing secret and its 10-word phrase (reference §2.2.2).
//!
//! 14 random bytes are read as one big-endian bit string; word *i* is the
//! BIP-39 English word at the index in bits `[11i, 11i + 11)`. Ten words use
//! 110 of the 112 bits and there is no checksum, so turning the words back
//! into bytes (as litd does) clears the two low bits of the last byte.

/// Bytes of entropy in a pairing secret.
pub(crate) const SECRET_LEN: usize = 14;
/// Words in a pairing phrase.
pub(crate) const PHRASE_WORDS: usize = 10;
const BITS_PER_WORD: usize = 11;

/// A pairing secret as litd stores it, with its phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PairingSecret {
    /// The secret after the words-to-bytes round trip: low 2 bits of byte 13 are 0.
    pub(crate) secret: [u8; SECRET_LEN],
    /// Ten BIP-39 English words joined by single spaces.
    pub(crate) mnemonic: String,
}

/// Builds the stored secret and phrase from freshly drawn entropy.
pub(crate) fn from_entropy(entropy: [u8; SECRET_LEN]) -> PairingSecret {
    let words = bip39::Language::English.word_list();
    let mut indices = [0usize; PHRASE_WORDS];
    for (i, index) in indices.iter_mut().enumerate() {
        *index = read_bits(&entropy, i * BITS_PER_WORD, BITS_PER_WORD);
    }
    let mnemonic = indices
        .iter()
        .map(|&i| words[i])
        .collect::<Vec<_>>()
        .join(" ");
    let mut secret = [0u8; SECRET_LEN];
    for (i, &index) in indices.iter().enumerate() {
        write_bits(&mut secret, i * BITS_PER_WORD, BITS_PER_WORD, index);
    }
    PairingSecret { secret, mnemonic }
}

/// Reads `len` bits starting at bit `start` (MSB first) as an integer.
fn read_bits(bytes: &[u8], start: usize, len: usize) -> usize {
    (start..start + len).fold(0usize, |acc, bit| {
        let set = bytes[bit / 8] >> (7 - bit % 8) & 1;
        (acc << 1) | set as usize
    })
}

/// Writes the low `len` bits of `value` at bit `start` (MSB first).
fn write_bits(bytes: &mut [u8], start: usize, len: usize, value: usize) {
    for offset in 0..len {
        let bit = start + offset;
        if value >> (len - 1 - offset) & 1 == 1 {
            bytes[bit / 8] |= 1 << (7 - bit % 8);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unhex(s: &str) -> [u8; SECRET_LEN] {
        let v = hex::decode(s).expect("test vector is hex");
        v.try_into().expect("test vector is 14 bytes")
    }

    #[test]
    fn reference_vector_counting_bytes() {
        let p = from_entropy(unhex("000102030405060708090a0b0c0d"));
        assert_eq!(
            p.mnemonic,
            "abandon amount liar amount expire adjust cage candy arch gather"
        );
        assert_eq!(hex::encode(p.secret), "000102030405060708090a0b0c0c");
    }

    #[test]
    fn reference_vector_all_ones() {
        let p = from_entropy([0xff; SECRET_LEN]);
        assert_eq!(p.mnemonic, ["zoo"; 10].join(" "));
        assert_eq!(hex::encode(p.secret), "fffffffffffffffffffffffffffc");
    }

    #[test]
    fn all_zero_is_abandon() {
        let p = from_entropy([0; SECRET_LEN]);
        assert_eq!(p.mnemonic, ["abandon"; 10].join(" "));
        assert_eq!(p.secret, [0; SECRET_LEN]);
    }

    proptest::proptest! {
        #[test]
        fn phrase_is_ten_listed_words_and_secret_keeps_110_bits(entropy in proptest::array::uniform14(0u8..)) {
            let p = from_entropy(entropy);
            let list = bip39::Language::English.word_list();
            let words: Vec<&str> = p.mnemonic.split(' ').collect();
            proptest::prop_assert_eq!(words.len(), PHRASE_WORDS);
            for w in &words {
                proptest::prop_assert!(list.contains(w));
            }
            proptest::prop_assert_eq!(&p.secret[..13], &entropy[..13]);
            proptest::prop_assert_eq!(p.secret[13], entropy[13] & 0xfc);
        }
    }
}
