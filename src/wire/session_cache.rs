//! What was made of each listed session (its wire forms), kept with the
//! session's view revision ([`ViewRevision`]: the session's own revision
//! and its group's privacy map's) so a List only rebuilds the sessions whose
//! view may have changed since the last one. The domain hands out revisions
//! and never sees what is kept.

use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard};

use crate::domain::random_hash::RandomKeyMap;
use crate::domain::session::SessionId;
use crate::domain::{Listed, SessionView, ViewRevision};

/// Sessions kept at most: a listing of more sessions rebuilds the rest on
/// every call, so memory stays bounded however many sessions are stored.
pub(crate) const CACHED_SESSIONS: usize = 10_000;

/// Kept forms by session ID, with the view revision each was made at.
pub(crate) struct SessionCache<T> {
    kept: Mutex<RandomKeyMap<SessionId, (ViewRevision, T)>>,
    /// At most this many kept ([`CACHED_SESSIONS`]; fewer in tests).
    capacity: usize,
}

impl<T> Default for SessionCache<T> {
    fn default() -> Self {
        Self::with_capacity(CACHED_SESSIONS)
    }
}

impl<T> SessionCache<T> {
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            kept: Mutex::new(RandomKeyMap::default()),
            capacity,
        }
    }
}

impl<T: Clone> SessionCache<T> {
    fn lock(&self) -> MutexGuard<'_, RandomKeyMap<SessionId, (ViewRevision, T)>> {
        // Every critical section is a map lookup or insert: a poisoned lock
        // still guards a valid map.
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The kept form of a session still at `revision`: pass this to
    /// [`crate::domain::AutopilotCore::list_sessions_with`].
    pub(crate) fn current(&self, id: &SessionId, revision: ViewRevision) -> Option<(SessionId, T)> {
        match self.lock().get(id) {
            Some((at, kept)) if *at == revision => Some((*id, kept.clone())),
            _ => None,
        }
    }

    /// Every listed session's form, in list order: the kept ones as they
    /// are, the others made by `make` and kept.
    pub(crate) fn assemble(
        &self,
        listed: Vec<Listed<(SessionId, T)>>,
        make: impl Fn(SessionView) -> T,
    ) -> Vec<T> {
        let mut all = Vec::with_capacity(listed.len());
        let mut fresh = Vec::new();
        for item in listed {
            match item {
                Listed::Known(known) => all.push(known),
                Listed::Fresh { id, revision, view } => {
                    let made = make(*view);
                    fresh.push((id, revision, made.clone()));
                    all.push((id, made));
                }
            }
        }
        if !fresh.is_empty() {
            let mut kept = self.lock();
            if kept.len() + fresh.len() > self.capacity {
                // Forget sessions no longer listed (reset, removed); past
                // the limit, later sessions are simply not kept.
                let listed: HashSet<SessionId> = all.iter().map(|(id, _)| *id).collect();
                kept.retain(|id, _| listed.contains(id));
            }
            for (id, revision, made) in fresh {
                if kept.len() >= self.capacity && !kept.contains_key(&id) {
                    break;
                }
                kept.insert(id, (revision, made));
            }
        }
        all.into_iter().map(|(_, made)| made).collect()
    }

    #[cfg(test)]
    pub(crate) fn keep(&self, id: SessionId, revision: ViewRevision, made: T) {
        self.lock().insert(id, (revision, made));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_form_is_current_only_at_its_revision() {
        let at = |session, privacy_map| ViewRevision {
            session,
            privacy_map,
        };
        let cache = SessionCache::default();
        cache.keep([1, 2, 3, 4], at(7, 0), "seven");
        assert_eq!(
            cache.current(&[1, 2, 3, 4], at(7, 0)),
            Some(([1, 2, 3, 4], "seven"))
        );
        assert_eq!(cache.current(&[1, 2, 3, 4], at(8, 0)), None);
        assert_eq!(
            cache.current(&[1, 2, 3, 4], at(7, 3)),
            None,
            "the map moved"
        );
        assert_eq!(cache.current(&[9, 9, 9, 9], at(7, 0)), None);
    }

    #[test]
    fn known_forms_are_used_in_list_order() {
        let cache: SessionCache<&str> = SessionCache::default();
        let listed = vec![
            Listed::Known(([1, 0, 0, 0], "first")),
            Listed::Known(([2, 0, 0, 0], "second")),
        ];
        assert_eq!(cache.assemble(listed, |_| "made"), ["first", "second"]);
    }
}
