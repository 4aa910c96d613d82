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
    /// Every code, indexed by its number.
    pub(crate) const ALL: [Code; 17] = [
        Code::Ok,
        Code::Canceled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The code for a gRPC status number; unknown numbers become `Unknown`.
    pub(crate) fn from_i32(n: i32) -> Code {
        Code::known(n).unwrap_or(Code::Unknown)
    }

    /// The code numbered `n`, if gRPC defines one.
    pub(crate) fn known(n: i32) -> Option<Code> {
        usize::try_from(n)
            .ok()
            .and_then(|i| Code::ALL.get(i))
            .copied()
    }

    /// Go's `codes.Code.String()`: `OK`, `Canceled`, `DeadlineExceeded`...
    /// (the names scenarios, journals and litd's error texts use).
    pub(crate) fn go_name(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Canceled => "Canceled",
            Code::Unknown => "Unknown",
            Code::InvalidArgument => "InvalidArgument",
            Code::DeadlineExceeded => "DeadlineExceeded",
            Code::NotFound => "NotFound",
            Code::AlreadyExists => "AlreadyExists",
            Code::PermissionDenied => "PermissionDenied",
            Code::ResourceExhausted => "ResourceExhausted",
            Code::FailedPrecondition => "FailedPrecondition",
            Code::Aborted => "Aborted",
            Code::OutOfRange => "OutOfRange",
            Code::Unimplemented => "Unimplemented",
            Code::Internal => "Internal",
            Code::Unavailable => "Unavailable",
            Code::DataLoss => "DataLoss",
            Code::Unauthenticated => "Unauthenticated",
        }
    }

    /// The proto's name in lower case (`cancelled`, `deadline_exceeded`),
    /// as the fuzzer's outcome keys spell it.
    pub(crate) fn snake_name(self) -> String {
        if self == Code::Canceled {
            return "cancelled".to_string();
        }
        let mut out = String::new();
        for (i, c) in self.go_name().chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 && self != Code::Ok {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        }
        out
    }

    /// The code whose Go name is `name`, in any case (`Unavailable`,
    /// `unavailable`).
    pub(crate) fn from_go_name(name: &str) -> Option<Code> {
        Code::ALL
            .into_iter()
            .find(|c| c.go_name().eq_ignore_ascii_case(name))
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

#[cfg(test)]
mod tests {
    use super::Code;

    #[test]
    fn code_names_are_gos_and_the_protos() {
        for (n, code) in Code::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, n);
            assert_eq!(Code::known(n as i32), Some(code));
            assert_eq!(Code::from_go_name(code.go_name()), Some(code));
        }
        assert_eq!(Code::known(17), None);
        assert_eq!(Code::from_i32(-1), Code::Unknown);
        assert_eq!(Code::DeadlineExceeded.go_name(), "DeadlineExceeded");
        assert_eq!(Code::DeadlineExceeded.snake_name(), "deadline_exceeded");
        assert_eq!(Code::Canceled.snake_name(), "cancelled");
        assert_eq!(Code::Ok.snake_name(), "ok");
        assert_eq!(Code::from_go_name("unavailable"), Some(Code::Unavailable));
        assert_eq!(Code::from_go_name("Cancelled"), None);
    }
}
