//! litd's UI password (front-door reference §3.2-§3.5): with a password set,
//! `authorization: <word> <base64std("pw:pw")>` stands for lit.macaroon on
//! every litrpc call, over gRPC, grpc-web and REST. Without one (litd's
//! `disableui`) Basic auth is off and the header is ignored.
//!
//! There is no error of its own: a wrong or malformed header behaves exactly
//! as if it were absent, and a matching one wins over any `macaroon` values
//! sent with it.

use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;

/// litd's `uiPasswordMinLength`.
pub(crate) const MIN_LENGTH: usize = 8;

/// Why the configured password is refused at start-up (litd's texts).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UiPasswordError(pub String);

/// A configured UI password, kept only as the token a client must send.
#[derive(Clone, PartialEq, Eq)]
pub struct UiPassword {
    /// `base64std("<pw>:<pw>")`.
    token: String,
}

impl std::fmt::Debug for UiPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("UiPassword(..)")
    }
}

impl UiPassword {
    /// The password from the flag (`direct`) or, when that is empty, the
    /// file, as litd's `readUIPassword` picks it: surrounding whitespace
    /// trimmed, at least `MIN_LENGTH` characters. `Ok(None)` when neither
    /// is given: Basic auth is then off.
    pub fn configure(
        direct: Option<&str>,
        file: Option<&Path>,
    ) -> Result<Option<Self>, UiPasswordError> {
        if direct.is_none() && file.is_none() {
            return Ok(None);
        }
        let password = match (direct.map(str::trim).filter(|p| !p.is_empty()), file) {
            (Some(p), _) => p.to_string(),
            (None, Some(path)) => match std::fs::read(path) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).trim().to_string(),
                // [approx: litd wraps os.ReadFile's error; the OS text differs]
                Err(e) => {
                    return Err(UiPasswordError(format!(
                        "could not read UI password: could not read file {}: {e}",
                        path.display()
                    )))
                }
            },
            (None, None) => {
                return Err(UiPasswordError(
                    "could not read UI password: mandatory password for UI not configured. \
                     specify either a password directly or a file or environment variable \
                     that contains the password"
                        .to_string(),
                ))
            }
        };
        Self::new(&password).map(Some)
    }

    /// A password as given (already trimmed by the caller, if wanted).
    pub fn new(password: &str) -> Result<Self, UiPasswordError> {
        // Go's len() counts bytes.
        if password.len() < MIN_LENGTH {
            return Err(UiPasswordError(format!(
                "please set a strong password for the UI, at least {MIN_LENGTH} characters long"
            )));
        }
        Ok(Self {
            token: STANDARD.encode(format!("{password}:{password}")),
        })
    }

    /// The `authorization` value the UI sends for this password.
    #[cfg(test)]
    pub(crate) fn basic_header(&self) -> String {
        format!("Basic {}", self.token)
    }

    /// Whether the call's `authorization` values carry this password: only
    /// the first value counts; split on single spaces it must give exactly
    /// two parts, the second equal to the token byte for byte; the first
    /// (the scheme word) is not checked.
    pub fn matches<'a>(&self, authorization: impl IntoIterator<Item = &'a [u8]>) -> bool {
        let Some(first) = authorization.into_iter().next() else {
            return false;
        };
        let mut parts = first.split(|&b| b == b' ');
        matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(_), Some(token), None) if token == self.token.as_bytes()
        )
    }
}

/// The auth-side step litd runs before its macaroon check: a matching
/// Basic header replaces the call's `macaroon` values with lit.macaroon's
/// (litd remote mode reads `lit.macaroon`; the mock keeps its hex in
/// memory). Anything else leaves the values as sent.
#[derive(Debug, Clone)]
pub(crate) struct BasicAuth {
    password: Option<UiPassword>,
    lit_macaroon_hex: String,
}

impl BasicAuth {
    /// `password` `None`: Basic auth off (litd's `disableui`).
    pub(crate) fn new(password: Option<UiPassword>, lit_macaroon: &[u8]) -> Self {
        Self {
            password,
            lit_macaroon_hex: hex::encode(lit_macaroon),
        }
    }

    /// Basic auth off.
    pub(crate) fn off() -> Self {
        Self {
            password: None,
            lit_macaroon_hex: String::new(),
        }
    }

    #[cfg(test)]
    pub(crate) fn enabled(&self) -> bool {
        self.password.is_some()
    }

    /// Whether the call presented the UI password.
    pub(crate) fn presented<'a>(&self, authorization: impl IntoIterator<Item = &'a [u8]>) -> bool {
        self.password
            .as_ref()
            .is_some_and(|p| p.matches(authorization))
    }

    /// What replaces the call's `macaroon` values: lit.macaroon's hex
    /// when the first `authorization` value carries the password (whatever
    /// macaroons were sent), else `None` (the values are used as sent).
    pub(crate) fn substitute(&self, authorization: Option<&[u8]>) -> Option<&[u8]> {
        self.presented(authorization)
            .then_some(self.lit_macaroon_hex.as_bytes())
    }
}

#[cfg(test)]
#[path = "ui_password_tests.rs"]
mod tests;
