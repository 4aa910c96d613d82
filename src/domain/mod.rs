//! The domain core: litd's Autopilot semantics with no transport and no I/O.
//!
//! Layout:
//! - [`service`] and [`add_session`]: the four Autopilot handlers;
//!   `lit_sessions`: `litrpc.Sessions` (with `permissions`, litd's
//!   permission table); all over
//! - `store` (sessions, indexes, privacy maps) and [`session`] (the model,
//!   with `compact_map` for its per-feature maps),
//! - [`rules`] and [`privacy`]: the seven rule types and the privacy mapper,
//! - `recipe`, `features`, `pairing`, [`keys`]: what a session is built from,
//! - [`remote`]: the seam to the remote autopilot server,
//! - [`clock`]: the seam to time.

pub(crate) mod actions;
pub mod add_session;
pub mod clock;
pub(crate) mod compact_map;
pub(crate) mod error;
pub(crate) mod features;
pub(crate) mod firewall;
pub mod keys;
pub(crate) mod lifecycle;
pub(crate) mod list_sessions;
pub(crate) mod lit_sessions;
pub(crate) mod new_session;
pub(crate) mod pairing;
pub(crate) mod permissions;
pub mod privacy;
pub(crate) mod proxy;
pub(crate) mod random_hash;
pub(crate) mod readiness;
pub(crate) mod recipe;
pub mod remote;
pub mod rules;
pub mod service;
pub mod session;
pub(crate) mod snapshot;
pub(crate) mod status;
pub(crate) mod store;

pub use add_session::{AddSessionRequest, FeatureRequest};
pub use error::{AutopilotError, Code};
pub use list_sessions::{Listed, ViewRevision};
pub use lit_sessions::AddLitSessionRequest;
pub use service::{AutopilotCore, CoreConfig};
pub use session::{SessionState, SessionView};
pub(crate) use snapshot::{RestoreReport, StoreSnapshot};
