//! The domain's error: a status code and a message, with litd's texts.

/// gRPC status codes, owned by the domain so it needs no transport crate.
/// The numbers are the gRPC ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    /// gRPC `OK`: success.
    Ok = 0,
    /// gRPC `CANCELLED`: the caller cancelled the call.
    Canceled = 1,
    /// gRPC `UNKNOWN`: what litd's plain Go errors become (almost every litd
    /// error).
    Unknown = 2,
    /// gRPC `INVALID_ARGUMENT`: the request is malformed.
    InvalidArgument = 3,
    /// gRPC `DEADLINE_EXCEEDED`: the call ran past its deadline.
    DeadlineExceeded = 4,
    /// gRPC `NOT_FOUND`.
    NotFound = 5,
    /// gRPC `ALREADY_EXISTS`.
    AlreadyExists = 6,
    /// gRPC `PERMISSION_DENIED`.
    PermissionDenied = 7,
    /// gRPC `RESOURCE_EXHAUSTED`, e.g. a message over the size limit.
    ResourceExhausted = 8,
    /// gRPC `FAILED_PRECONDITION`.
    FailedPrecondition = 9,
    /// gRPC `ABORTED`.
    Aborted = 10,
    /// gRPC `OUT_OF_RANGE`.
    OutOfRange = 11,
    /// gRPC `UNIMPLEMENTED`: no such method.
    Unimplemented = 12,
    /// gRPC `INTERNAL`.
    Internal = 13,
    /// gRPC `UNAVAILABLE`, e.g. a remote server that cannot be dialled.
    Unavailable = 14,
    /// gRPC `DATA_LOSS`.
    DataLoss = 15,
    /// gRPC `UNAUTHENTICATED`.
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
    /// The status code the transports answer with.
    pub code: Code,
    /// litd's error text, sent as the gRPC status message (and REST's
    /// `message`).
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
