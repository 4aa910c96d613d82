//! The in-memory session store: what litd keeps in its sessions and
//! privacy-map tables. Plain data with indexes; no locking, no I/O (the
//! service owns the lock).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::actions::ActionLog;
use super::keys::COMPRESSED_LEN;
use super::privacy::PrivacyMap;
use super::random_hash::{RandomKeyMap, RandomKeySet};
use super::session::{MacaroonRecipe, Session, SessionId};

/// What [`Store::privacy_map`] lends for a group whose map is set but empty.
static EMPTY_PRIVACY_MAP: PrivacyMap = PrivacyMap::new();

/// Sessions in list order, with indexes by ID, key and group.
#[derive(Debug, Default)]
pub(crate) struct Store {
    /// Keyed by (created_at nanos, insertion number): litd lists sessions
    /// `ORDER BY created_at`; the insertion number breaks ties stably.
    /// Boxed: B-tree nodes have room for 11 entries and are often half
    /// full, so inline sessions would leave that much unused space.
    sessions: BTreeMap<(i128, u64), Box<Session>>,
    by_id: RandomKeyMap<SessionId, (i128, u64)>,
    by_key: RandomKeyMap<[u8; COMPRESSED_LEN], SessionId>,
    /// The sessions linked to each group after its first (whose ID is the
    /// group's), in insertion order. Most groups have none and no entry.
    linked: RandomKeyMap<SessionId, Vec<SessionId>>,
    /// The privacy map of each group (real <-> pseudo pairs), when it has
    /// any pairs, with the revision it was set at (a view of a session
    /// depends on its group's map: see [`Store::privacy_map_revision`]).
    privacy_maps: RandomKeyMap<SessionId, (PrivacyMap, u64)>,
    /// Groups whose map is set but empty: most groups, and a map costs
    /// far more than its ID. Persisted like the others.
    empty_privacy_maps: RandomKeySet<SessionId>,
    /// The recipe of the last inserted session: a new one equal to it is
    /// shared rather than kept twice (equal requests give equal recipes).
    last_recipe: Option<Arc<MacaroonRecipe>>,
    /// Live sessions by expiry (unix nanos), so finding the due ones costs
    /// nothing per call however many sessions are stored.
    expiries: BTreeSet<(i128, SessionId)>,
    next_seq: u64,
    /// The firewall's action log (not persisted).
    actions: ActionLog,
}

impl Store {
    pub(crate) fn len(&self) -> usize {
        self.sessions.len()
    }

    pub(crate) fn contains_id(&self, id: &SessionId) -> bool {
        self.by_id.contains_key(id)
    }

    pub(crate) fn get(&self, id: &SessionId) -> Option<&Session> {
        self.by_id
            .get(id)
            .and_then(|k| self.sessions.get(k))
            .map(|s| &**s)
    }

    /// The session, to change: its revision moves (see [`Session::revision`]).
    pub(crate) fn get_mut(&mut self, id: &SessionId) -> Option<&mut Session> {
        let key = *self.by_id.get(id)?;
        let session = self.sessions.get_mut(&key)?;
        session.revision = next_revision();
        Some(&mut **session)
    }

    pub(crate) fn id_by_key(&self, key: &[u8; COMPRESSED_LEN]) -> Option<SessionId> {
        self.by_key.get(key).copied()
    }

    /// Every session, oldest first.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &Session> {
        self.sessions.values().map(|s| &**s)
    }

    /// The first session in the group that is neither REVOKED nor EXPIRED.
    pub(crate) fn active_in_group(&self, group: &SessionId) -> Option<&Session> {
        let first = self.get(group).filter(|s| s.group_id == *group);
        let linked = self.linked.get(group).into_iter().flatten();
        first
            .into_iter()
            .chain(linked.filter_map(|id| self.get(id)))
            .find(|s| !s.state.is_terminal())
    }

    /// Inserts a new session. The caller guarantees its ID is free.
    pub(crate) fn insert(&mut self, mut session: Session) {
        session.revision = next_revision();
        match (&self.last_recipe, &session.macaroon_recipe) {
            (_, None) => {}
            (Some(last), Some(recipe)) if last == recipe => {
                session.macaroon_recipe = Some(Arc::clone(last));
            }
            (_, Some(recipe)) => self.last_recipe = Some(Arc::clone(recipe)),
        }
        let key = (session.created_at_nanos, self.next_seq);
        self.next_seq += 1;
        self.by_id.insert(session.id, key);
        self.by_key.insert(session.local_public_key, session.id);
        if session.group_id != session.id {
            self.linked
                .entry(session.group_id)
                .or_default()
                .push(session.id);
        }
        self.sessions.insert(key, Box::new(session));
    }

    /// Removes a session (a linked RESERVED row whose registration failed).
    pub(crate) fn remove(&mut self, id: &SessionId) -> Option<Session> {
        let key = self.by_id.remove(id)?;
        let session = self.sessions.remove(&key)?;
        self.expiries
            .remove(&(expiry_nanos(session.expiry_timestamp_seconds), *id));
        self.by_key.remove(&session.local_public_key);
        if let Some(members) = self.linked.get_mut(&session.group_id) {
            members.retain(|m| m != id);
        }
        Some(*session)
    }

    /// Arms the expiry of a live session.
    pub(crate) fn schedule_expiry(&mut self, id: SessionId, at_nanos: i128) {
        self.expiries.insert((at_nanos, id));
    }

    /// Disarms the expiry of a session that was revoked by hand.
    pub(crate) fn unschedule_expiry(&mut self, id: SessionId, at_nanos: i128) {
        self.expiries.remove(&(at_nanos, id));
    }

    /// Takes every armed expiry at or before `now_nanos`, earliest first.
    pub(crate) fn take_due(&mut self, now_nanos: i128) -> Vec<SessionId> {
        let mut due = Vec::new();
        while let Some(&(at, id)) = self.expiries.first() {
            if at > now_nanos {
                break;
            }
            self.expiries.remove(&(at, id));
            due.push(id);
        }
        due
    }

    pub(crate) fn privacy_map(&self, group: &SessionId) -> Option<&PrivacyMap> {
        match self.privacy_maps.get(group) {
            Some((map, _)) => Some(map),
            None => self
                .empty_privacy_maps
                .contains(group)
                .then_some(&EMPTY_PRIVACY_MAP),
        }
    }

    pub(crate) fn set_privacy_map(&mut self, group: SessionId, map: PrivacyMap) {
        if map.is_empty() {
            self.privacy_maps.remove(&group);
            self.empty_privacy_maps.insert(group);
        } else {
            self.empty_privacy_maps.remove(&group);
            self.privacy_maps.insert(group, (map, next_revision()));
        }
    }

    /// Moves whenever the group's map may have changed: a fresh revision
    /// each time a map with pairs is set, 0 for an empty or unset map
    /// (which all read the same). With the session's own revision it is
    /// everything a session's view depends on.
    pub(crate) fn privacy_map_revision(&self, group: &SessionId) -> u64 {
        self.privacy_maps
            .get(group)
            .map_or(0, |(_, revision)| *revision)
    }

    /// Every group's privacy map, empty ones included, for persistence.
    pub(crate) fn privacy_maps(&self) -> impl Iterator<Item = (&SessionId, &PrivacyMap)> {
        let empty = self
            .empty_privacy_maps
            .iter()
            .map(|group| (group, &EMPTY_PRIVACY_MAP));
        self.privacy_maps
            .iter()
            .map(|(group, (map, _))| (group, map))
            .chain(empty)
    }

    pub(crate) fn actions(&self) -> &ActionLog {
        &self.actions
    }

    pub(crate) fn actions_mut(&mut self) -> &mut ActionLog {
        &mut self.actions
    }

    /// Whether any session belongs to `group` (litd's `unknown group`
    /// otherwise). The group's first session carries the group's ID.
    pub(crate) fn group_exists(&self, group: &SessionId) -> bool {
        self.get(group).is_some_and(|s| s.group_id == *group)
    }

    /// Drops every session, map and action.
    pub(crate) fn clear(&mut self) {
        *self = Store::default();
    }
}

/// Revisions come from one counter for the whole process, so no two states
/// of any session in any store (reset, restored or new) share one.
fn next_revision() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// litd reads the requested expiry as a signed unix time: values of 2^63 and
/// above wrap negative.
pub(crate) fn expiry_nanos(expiry_timestamp_seconds: u64) -> i128 {
    i128::from(expiry_timestamp_seconds as i64) * 1_000_000_000
}

#[cfg(test)]
mod tests {
    use secp256k1::SecretKey;

    use super::*;
    use crate::domain::keys::public_key_of;
    use crate::domain::session::SessionState;

    fn session(n: u8, recipe: MacaroonRecipe) -> Session {
        let secret = SecretKey::from_secret_bytes([n; 32]).expect("valid test key");
        let key = public_key_of(&secret);
        let id = [key[1], key[2], key[3], key[4]];
        Session {
            id,
            label: format!("s{n}").into(),
            state: SessionState::Created,
            session_type: crate::domain::session::SessionType::Autopilot,
            expiry_timestamp_seconds: 0,
            mailbox_server_addr: "m:443".into(),
            dev_server: false,
            pairing_secret: [n; crate::domain::pairing::SECRET_LEN],
            pairing_secret_mnemonic: "abandon".into(),
            local_secret_key: secret,
            local_public_key: key,
            remote_public_key: None,
            created_at_nanos: i128::from(n),
            revoked_at: 0,
            group_id: id,
            macaroon_recipe: Some(Arc::new(recipe)),
            feature_rules: Default::default(),
            feature_configs: Default::default(),
            privacy_flags: 0,
            privacy_mapper: true,
            revision: 0,
        }
    }

    #[test]
    fn revisions_move_on_insert_and_every_mutable_borrow_only() {
        let mut store = Store::default();
        store.insert(session(1, recipe("a")));
        store.insert(session(2, recipe("a")));
        let ids: Vec<SessionId> = store.iter().map(|s| s.id).collect();
        let revision = |store: &Store, id| store.get(id).map(|s| s.revision);
        let (first, second) = (revision(&store, &ids[0]), revision(&store, &ids[1]));
        assert!(first < second && first > Some(0));
        assert_eq!(revision(&store, &ids[0]), first, "reading leaves it");
        if let Some(s) = store.get_mut(&ids[0]) {
            s.revoked_at = 1;
        }
        assert!(revision(&store, &ids[0]) > second);
        assert_eq!(revision(&store, &ids[1]), second);
        store.clear();
        store.insert(session(1, recipe("a")));
        assert!(
            revision(&store, &ids[0]) > second,
            "never reused after a reset"
        );
    }

    fn recipe(caveat: &str) -> MacaroonRecipe {
        MacaroonRecipe {
            permissions: Vec::new(),
            caveats: vec![caveat.to_string()],
        }
    }

    #[test]
    fn equal_recipes_in_a_row_are_shared() {
        let mut store = Store::default();
        let sessions = [
            session(1, recipe("a")),
            session(2, recipe("a")),
            session(3, recipe("b")),
            session(4, recipe("b")),
        ];
        let ids: Vec<SessionId> = sessions.iter().map(|s| s.id).collect();
        for s in sessions {
            store.insert(s);
        }
        let recipe_of = |i: usize| match store.get(&ids[i]) {
            Some(Session {
                macaroon_recipe: Some(recipe),
                ..
            }) => Arc::clone(recipe),
            _ => panic!("session {i} is stored with a recipe"),
        };
        assert!(Arc::ptr_eq(&recipe_of(0), &recipe_of(1)));
        assert!(!Arc::ptr_eq(&recipe_of(1), &recipe_of(2)));
        assert!(Arc::ptr_eq(&recipe_of(2), &recipe_of(3)));
        assert_eq!(*recipe_of(3), recipe("b"));
        let labels: Vec<&str> = store.iter().map(|s| &*s.label).collect();
        assert_eq!(labels, ["s1", "s2", "s3", "s4"]);
    }

    #[test]
    fn an_empty_privacy_map_is_still_set_and_listed() {
        let mut store = Store::default();
        let (empty, full, unset) = ([1; 4], [2; 4], [3; 4]);
        let mut pairs = PrivacyMap::new();
        pairs.add_pair("real", "pseudo").expect("new pair");
        store.set_privacy_map(empty, PrivacyMap::new());
        store.set_privacy_map(full, PrivacyMap::new());
        store.set_privacy_map(full, pairs.clone());
        assert_eq!(store.privacy_map(&empty), Some(&PrivacyMap::new()));
        assert_eq!(store.privacy_map(&full), Some(&pairs));
        assert_eq!(store.privacy_map(&unset), None);
        let mut listed: Vec<(SessionId, PrivacyMap)> = store
            .privacy_maps()
            .map(|(group, map)| (*group, map.clone()))
            .collect();
        listed.sort_by_key(|(group, _)| *group);
        assert_eq!(listed, [(empty, PrivacyMap::new()), (full, pairs)]);
    }
}
