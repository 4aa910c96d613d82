//! The domain core: litd's Autopilot semantics with no transport and no I/O.
//!
//! Layout:
//! - [`service`] and [`add_session`]: the four Autopilot handlers;
//!   [`lit_sessions`]: `litrpc.Sessions` (with [`permissions`], litd's
//!   permission table); all over
//! - [`store`] (sessions, indexes, privacy maps) and [`session`] (the model,
//!   with [`compact_map`] for its per-feature maps),
//! - [`rules`] and [`privacy`]: the seven rule types and the privacy mapper,
//! - [`recipe`], [`features`], [`pairing`], [`keys`]: what a session is built from,
//! - [`remote`]: the seam to the remote autopilot server,
//! - [`clock`]: the seam to time.

pub mod actions;
pub mod add_session;
pub mod clock;
pub mod compact_map;
pub mod error;
pub mod features;
pub mod firewall;
pub mod keys;
pub mod lifecycle;
pub mod lit_sessions;
pub mod pairing;
pub mod permissions;
pub mod privacy;
pub mod proxy;
pub mod random_hash;
pub mod readiness;
pub mod recipe;
pub mod remote;
pub mod rules;
pub mod service;
pub mod session;
pub mod snapshot;
pub mod status;
pub mod store;

pub use add_session::{AddSessionRequest, FeatureRequest};
pub use error::{AutopilotError, Code};
pub use lit_sessions::AddLitSessionRequest;
pub use service::{AutopilotCore, CoreConfig, Listed, ViewRevision};
pub use session::{SessionState, SessionView};
pub use snapshot::{RestoreReport, StoreSnapshot};
