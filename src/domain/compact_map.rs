//! A small read-only map from names to values, sorted by name: one
//! allocation holding exactly its entries. A session keeps a few of these
//! (its features' rules and configs); a `BTreeMap` would allocate a whole
//! node for each, however few entries it holds.

/// Entries sorted by key, each key once. Built with `collect()`, which
/// treats a repeated key as `BTreeMap` does: the last value wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CompactMap<V> {
    entries: Box<[(Box<str>, V)]>,
}

impl<V> Default for CompactMap<V> {
    fn default() -> Self {
        CompactMap {
            entries: Box::default(),
        }
    }
}

impl<V> CompactMap<V> {
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    #[cfg(test)]
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[cfg(test)]
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        let i = self
            .entries
            .binary_search_by(|(k, _)| (**k).cmp(key))
            .ok()?;
        Some(&self.entries[i].1)
    }

    #[cfg(test)]
    pub(crate) fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Every entry, sorted by key.
    pub(crate) fn iter(&self) -> Iter<'_, V> {
        Iter {
            inner: self.entries.iter(),
        }
    }

    /// The keys, sorted.
    #[cfg(test)]
    pub(crate) fn keys(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.entries.iter().map(|(k, _)| &**k)
    }
}

impl<K: Into<Box<str>>, V> FromIterator<(K, V)> for CompactMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut all: Vec<(Box<str>, V)> = iter.into_iter().map(|(k, v)| (k.into(), v)).collect();
        // Stable, so equal keys stay in arrival order and the last one wins.
        all.sort_by(|a, b| a.0.cmp(&b.0));
        let mut entries: Vec<(Box<str>, V)> = Vec::with_capacity(all.len());
        for entry in all {
            match entries.last_mut() {
                Some(last) if last.0 == entry.0 => *last = entry,
                _ => entries.push(entry),
            }
        }
        CompactMap {
            entries: entries.into_boxed_slice(),
        }
    }
}

/// Borrowed entries of a [`CompactMap`], sorted by key.
#[derive(Debug, Clone)]
pub(crate) struct Iter<'a, V> {
    inner: std::slice::Iter<'a, (Box<str>, V)>,
}

impl<'a, V> Iterator for Iter<'a, V> {
    type Item = (&'a str, &'a V);

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next().map(|(k, v)| (&**k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<V> ExactSizeIterator for Iter<'_, V> {}

impl<V> DoubleEndedIterator for Iter<'_, V> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back().map(|(k, v)| (&**k, v))
    }
}

impl<'a, V> IntoIterator for &'a CompactMap<V> {
    type Item = (&'a str, &'a V);
    type IntoIter = Iter<'a, V>;

    fn into_iter(self) -> Iter<'a, V> {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn iterates_sorted_like_a_btreemap() {
        let pairs = [("zeta", 1), ("Alpha", 2), ("alpha", 3), ("", 4), ("mu", 5)];
        let compact: CompactMap<i32> = pairs.iter().copied().collect();
        let btree: BTreeMap<&str, i32> = pairs.iter().copied().collect();
        let got: Vec<(&str, i32)> = compact.iter().map(|(k, v)| (k, *v)).collect();
        let want: Vec<(&str, i32)> = btree.into_iter().collect();
        assert_eq!(got, want);
        assert_eq!(compact.len(), 5);
        assert_eq!(
            compact.keys().collect::<Vec<_>>(),
            ["", "Alpha", "alpha", "mu", "zeta"]
        );
    }

    #[test]
    fn get_finds_every_key_and_nothing_else() {
        let compact: CompactMap<String> = ["b", "d", "a", "c"]
            .into_iter()
            .map(|k| (k, k.to_uppercase()))
            .collect();
        for k in ["a", "b", "c", "d"] {
            assert_eq!(compact.get(k), Some(&k.to_uppercase()));
            assert!(compact.contains_key(k));
        }
        for k in ["", "A", "e", "bb"] {
            assert_eq!(compact.get(k), None);
        }
        let empty = CompactMap::<u8>::default();
        assert!(empty.is_empty());
        assert_eq!(empty.get("a"), None);
        assert_eq!(empty.iter().count(), 0);
    }

    #[test]
    fn a_repeated_key_keeps_the_last_value_as_btreemap_does() {
        let pairs = [("b", 1), ("a", 2), ("b", 3), ("a", 4), ("b", 5), ("c", 6)];
        let compact: CompactMap<i32> = pairs.iter().copied().collect();
        let btree: BTreeMap<&str, i32> = pairs.iter().copied().collect();
        let got: Vec<(&str, i32)> = compact.iter().map(|(k, v)| (k, *v)).collect();
        assert_eq!(got, btree.into_iter().collect::<Vec<_>>());
        assert_eq!(got, [("a", 4), ("b", 5), ("c", 6)]);
    }

    #[test]
    fn iterates_from_either_end() {
        let compact: CompactMap<u8> = (0..5u8).rev().map(|i| (i.to_string(), i)).collect();
        assert_eq!(compact.iter().len(), 5);
        assert_eq!(compact.iter().next(), Some(("0", &0)));
        assert_eq!(compact.iter().next_back(), Some(("4", &4)));
    }
}
