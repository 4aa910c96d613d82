//! What every new session is made of, for both adds (`AddAutopilotSession`
//! and `Sessions.AddSession`): a key whose ID is free, a pairing secret,
//! and the caller's choices (litd's `NewSession`), inserted under one lock.

use std::sync::Arc;

use rand::RngCore;
use secp256k1::SecretKey;

use super::clock::SystemTimeExt;
use super::error::AutopilotError;
use super::keys::COMPRESSED_LEN;
use super::pairing;
use super::service::AutopilotCore;
use super::session::{MacaroonRecipe, Session, SessionId, SessionState, SessionType};

impl AutopilotCore {
    /// Draws a key whose ID is free and a pairing secret, and inserts the
    /// session `build` makes of them, if `check` passes on the store both
    /// before the draw and under the lock of the insert.
    ///
    /// The checks, then the key drawn with no store lock held, then the
    /// checks again and the insert under one lock, so no concurrent Add
    /// slips in between. Keys come from the key sequence (a point addition
    /// each) until an ID is free; then the pairing entropy from the RNG.
    pub(super) fn insert_new_session(
        &self,
        check: impl Fn(&super::store::Store) -> Result<(), AutopilotError>,
        build: impl FnOnce(FreshIdentity) -> Session,
    ) -> Result<(SessionId, [u8; COMPRESSED_LEN]), AutopilotError> {
        check(&self.lock_store())?;
        loop {
            let (sk, point) = self.next_key_pair();
            let pk = point.serialize();
            let id: SessionId = [pk[1], pk[2], pk[3], pk[4]];
            let mut store = self.lock_store();
            check(&store)?;
            if store.contains_id(&id) {
                continue;
            }
            let mut entropy = [0u8; pairing::SECRET_LEN];
            self.lock_rng().fill_bytes(&mut entropy);
            store.insert(build(FreshIdentity {
                id,
                secret_key: sk,
                public_key: pk,
                pairing: pairing::from_entropy(entropy),
            }));
            drop(store);
            self.changes.bump();
            return Ok((id, pk));
        }
    }
}

/// What every new session is made of: a key whose ID is free, and a
/// pairing secret (§2.2.1, §2.2.2).
pub(super) struct FreshIdentity {
    pub(crate) id: SessionId,
    pub(crate) secret_key: SecretKey,
    pub(crate) public_key: [u8; COMPRESSED_LEN],
    pub(crate) pairing: pairing::PairingSecret,
}

/// What the caller of an add decides about a new session (litd's
/// `NewSession` arguments).
pub(super) struct NewSession<'a> {
    pub(super) label: &'a str,
    pub(super) state: SessionState,
    pub(super) session_type: SessionType,
    pub(super) expiry_timestamp_seconds: u64,
    pub(super) mailbox_server_addr: &'a str,
    pub(super) dev_server: bool,
    pub(super) created_at: std::time::SystemTime,
    pub(super) group_id: SessionId,
    pub(super) macaroon_recipe: Option<MacaroonRecipe>,
}

impl FreshIdentity {
    /// The session of this key and pairing secret: not yet known to a
    /// remote, not revoked, with no autopilot features and no privacy
    /// mapper (an autopilot add sets those over it).
    pub(super) fn session(self, new: NewSession<'_>) -> Session {
        Session {
            id: self.id,
            label: new.label.into(),
            state: new.state,
            session_type: new.session_type,
            expiry_timestamp_seconds: new.expiry_timestamp_seconds,
            mailbox_server_addr: new.mailbox_server_addr.into(),
            dev_server: new.dev_server,
            pairing_secret: self.pairing.secret,
            pairing_secret_mnemonic: self.pairing.mnemonic.into_boxed_str(),
            local_secret_key: self.secret_key,
            local_public_key: self.public_key,
            remote_public_key: None,
            created_at_nanos: new.created_at.unix_nanos(),
            revoked_at: 0,
            group_id: new.group_id,
            macaroon_recipe: new.macaroon_recipe.map(Arc::new),
            feature_rules: Default::default(),
            feature_configs: Default::default(),
            privacy_flags: 0,
            privacy_mapper: false,
            revision: 0,
        }
    }
}
