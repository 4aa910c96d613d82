//! The domain's error: a status code and a message, with litd's texts.

/// gRPC status codes, owned by the domain so it needs no transport crate.
/// The numbers are the gRPC ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    Ok = 0,
    Canceled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

impl Code {
    /// The code for a gRPC status number; unknown numbers become `Unknown`.
    pub(crate) fn from_i32(n: i32) -> Code {
        use Code::*;
        match n {
            0 => Ok,
            1 => Canceled,
            3 => InvalidArgument,
            4 => DeadlineExceeded,
            5 => NotFound,
            6 => AlreadyExists,
            7 => PermissionDenied,
            8 => ResourceExhausted,
            9 => FailedPrecondition,
            10 => Aborted,
            11 => OutOfRange,
            12 => Unimplemented,
            13 => Internal,
            14 => Unavailable,
            15 => DataLoss,
            16 => Unauthenticated,
            _ => Unknown,
        }
    }
}

/// An error the Autopilot service answers with. litd's handlers return plain
/// Go errors, so almost everything is `Code::Unknown` (reference §2.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutopilotError {
    pub code: Code,
    pub message: String,
}

impl AutopilotError {
    /// A plain litd error (code Unknown).
    pub(crate) fn unknown(message: impl Into<String>) -> Self {
        Self {
            code: Code::Unknown,
            message: message.into(),
        }
    }

    pub(crate) fn with_code(code: Code, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for AutopilotError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AutopilotError {}
