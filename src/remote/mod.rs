//! Implementations of the domain's [`RemoteAutopilot`](crate::domain::remote::RemoteAutopilot)
//! seam: the in-process default (litd's test server) and its catalogue file.

pub mod catalogue;
pub mod in_process;

pub use catalogue::Catalogue;
pub use in_process::InProcessRemote;
