//! Every error code a client of any service can get, with its HTTP status:
//! the one list. Clients branch on the code; the message is for people.
//! docs/api.md's table of codes is checked against [`Code::ALL`] by a test.

/// A client-visible error code, written `snake_case` on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Code {
    BadRequest,
    InvalidHeader,
    InvalidQuery,
    InvalidId,
    InvalidUtf8,
    InvalidProfile,
    MalformedJson,
    UnreadableBody,
    /// A request body that did not arrive in full within the body deadline.
    BodyTimeout,
    /// A request target too long for the server to read (hyper's own limit).
    UriTooLong,
    /// A plain HTTP request to the gateway's `/ws`, which takes only WebSocket upgrades.
    UpgradeRequired,
    Unauthorized,
    UnknownUser,
    BadCredentials,
    NotOpenYet,
    PastDue,
    ResultsHeld,
    NotEnrolled,
    WrongJoinCode,
    /// A learner's token asked for what only staff may have (a course's live topic).
    StaffOnly,
    /// A tutor asked to change something: tutors read, instructors write.
    InstructorOnly,
    NotFound,
    MethodNotAllowed,
    AlreadyGrading,
    BeingGraded,
    BodyTooLarge,
    CodeTooLarge,
    UnsupportedMediaType,
    InvalidBody,
    InvalidCode,
    /// A notebook that is not an nbformat v4 notebook this platform runs.
    InvalidNotebook,
    /// Code for a notebook assignment, or a notebook for a code one.
    WrongKind,
    HeadersTooLarge,
    RateLimited,
    TooManyAttempts,
    SubmissionLimit,
    TooManySockets,
    InternalError,
    DatabaseUnavailable,
    QueueFull,
    NotReady,
    /// An LTI login request that lacks a parameter or names another tool.
    InvalidLogin,
    /// An LTI launch or pick whose login is unknown, used, too old, or not
    /// this browser's.
    InvalidState,
    /// An LTI id_token that fails a check: signature, time, audience, nonce.
    InvalidLaunch,
    /// An LTI issuer, client id or deployment that is not registered.
    UnknownPlatform,
    /// An LTI launch of a kind or version this tool does not take, or
    /// without a claim it needs.
    UnsupportedLaunch,
    /// An LTI context that maps to no course here.
    UnknownContext,
    /// An LTI launch with no role this tool knows.
    UnknownRole,
    /// An LTI link or pick naming an assignment its course does not have.
    UnknownLink,
    /// An integration's request token used a second time.
    ReplayedToken,
    /// An integration's genuine token for a course it may not act in, or
    /// not the path's.
    OtherCourse,
    /// A learner account's username another account has.
    UsernameTaken,
    /// A learner who has an account already asked to make one.
    AccountExists,
    /// A username or password a new account (or reset) may not have.
    InvalidAccount,
    /// An LMS's or an integration's learner asked for a password account.
    ExternalLearner,
    /// A course archive that is not a `.tar.gz` this platform unpacks: a
    /// path that climbs out, a link, a device, too big.
    InvalidArchive,
    /// A course archive whose files the course loader refuses (file and
    /// field named).
    InvalidCourse,
    /// A course version asked to go live that never passed its check.
    VersionNotChecked,
}

impl Code {
    pub const ALL: [Code; 58] = [
        Self::BadRequest,
        Self::InvalidHeader,
        Self::InvalidQuery,
        Self::InvalidId,
        Self::InvalidUtf8,
        Self::InvalidProfile,
        Self::MalformedJson,
        Self::UnreadableBody,
        Self::Unauthorized,
        Self::UnknownUser,
        Self::BadCredentials,
        Self::NotOpenYet,
        Self::PastDue,
        Self::ResultsHeld,
        Self::NotEnrolled,
        Self::WrongJoinCode,
        Self::StaffOnly,
        Self::InstructorOnly,
        Self::NotFound,
        Self::MethodNotAllowed,
        Self::BodyTimeout,
        Self::AlreadyGrading,
        Self::BeingGraded,
        Self::BodyTooLarge,
        Self::UriTooLong,
        Self::CodeTooLarge,
        Self::UnsupportedMediaType,
        Self::InvalidBody,
        Self::InvalidCode,
        Self::InvalidNotebook,
        Self::WrongKind,
        Self::UpgradeRequired,
        Self::HeadersTooLarge,
        Self::RateLimited,
        Self::TooManyAttempts,
        Self::SubmissionLimit,
        Self::TooManySockets,
        Self::InternalError,
        Self::DatabaseUnavailable,
        Self::QueueFull,
        Self::NotReady,
        Self::InvalidLogin,
        Self::InvalidState,
        Self::InvalidLaunch,
        Self::UnknownPlatform,
        Self::UnsupportedLaunch,
        Self::UnknownContext,
        Self::UnknownRole,
        Self::UnknownLink,
        Self::ReplayedToken,
        Self::OtherCourse,
        Self::UsernameTaken,
        Self::AccountExists,
        Self::InvalidAccount,
        Self::ExternalLearner,
        Self::InvalidArchive,
        Self::InvalidCourse,
        Self::VersionNotChecked,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "bad_request",
            Self::InvalidHeader => "invalid_header",
            Self::InvalidQuery => "invalid_query",
            Self::InvalidId => "invalid_id",
            Self::InvalidUtf8 => "invalid_utf8",
            Self::InvalidProfile => "invalid_profile",
            Self::MalformedJson => "malformed_json",
            Self::UnreadableBody => "unreadable_body",
            Self::BodyTimeout => "body_timeout",
            Self::UriTooLong => "uri_too_long",
            Self::UpgradeRequired => "upgrade_required",
            Self::Unauthorized => "unauthorized",
            Self::UnknownUser => "unknown_user",
            Self::BadCredentials => "bad_credentials",
            Self::NotOpenYet => "not_open_yet",
            Self::PastDue => "past_due",
            Self::ResultsHeld => "results_held",
            Self::NotEnrolled => "not_enrolled",
            Self::WrongJoinCode => "wrong_join_code",
            Self::StaffOnly => "staff_only",
            Self::InstructorOnly => "instructor_only",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::AlreadyGrading => "already_grading",
            Self::BeingGraded => "being_graded",
            Self::BodyTooLarge => "body_too_large",
            Self::CodeTooLarge => "code_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidBody => "invalid_body",
            Self::InvalidCode => "invalid_code",
            Self::InvalidNotebook => "invalid_notebook",
            Self::WrongKind => "wrong_kind",
            Self::HeadersTooLarge => "headers_too_large",
            Self::RateLimited => "rate_limited",
            Self::TooManyAttempts => "too_many_attempts",
            Self::SubmissionLimit => "submission_limit",
            Self::TooManySockets => "too_many_sockets",
            Self::QueueFull => "queue_full",
            Self::InternalError => "internal_error",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::NotReady => "not_ready",
            Self::InvalidLogin => "invalid_login",
            Self::InvalidState => "invalid_state",
            Self::InvalidLaunch => "invalid_launch",
            Self::UnknownPlatform => "unknown_platform",
            Self::UnsupportedLaunch => "unsupported_launch",
            Self::UnknownContext => "unknown_context",
            Self::UnknownRole => "unknown_role",
            Self::UnknownLink => "unknown_link",
            Self::ReplayedToken => "replayed_token",
            Self::OtherCourse => "other_course",
            Self::UsernameTaken => "username_taken",
            Self::AccountExists => "account_exists",
            Self::InvalidAccount => "invalid_account",
            Self::ExternalLearner => "external_learner",
            Self::InvalidArchive => "invalid_archive",
            Self::InvalidCourse => "invalid_course",
            Self::VersionNotChecked => "version_not_checked",
        }
    }

    /// Its HTTP status.
    pub fn status(self) -> u16 {
        match self {
            Self::BadRequest
            | Self::InvalidHeader
            | Self::InvalidQuery
            | Self::InvalidId
            | Self::InvalidUtf8
            | Self::InvalidProfile
            | Self::MalformedJson
            | Self::InvalidNotebook
            | Self::UnreadableBody
            | Self::InvalidLogin
            | Self::InvalidState
            | Self::UnsupportedLaunch
            | Self::InvalidAccount
            | Self::InvalidArchive => 400,
            Self::Unauthorized
            | Self::UnknownUser
            | Self::BadCredentials
            | Self::InvalidLaunch
            | Self::ReplayedToken => 401,
            Self::NotOpenYet
            | Self::PastDue
            | Self::ResultsHeld
            | Self::NotEnrolled
            | Self::WrongJoinCode
            | Self::StaffOnly
            | Self::InstructorOnly
            | Self::UnknownPlatform
            | Self::UnknownContext
            | Self::UnknownRole
            | Self::UnknownLink
            | Self::OtherCourse
            | Self::ExternalLearner => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::BodyTimeout => 408,
            Self::UriTooLong => 414,
            Self::UpgradeRequired => 426,
            Self::AlreadyGrading
            | Self::BeingGraded
            | Self::UsernameTaken
            | Self::AccountExists
            | Self::VersionNotChecked => 409,
            Self::BodyTooLarge | Self::CodeTooLarge => 413,
            Self::UnsupportedMediaType => 415,
            Self::InvalidBody | Self::InvalidCode | Self::WrongKind | Self::InvalidCourse => 422,
            Self::HeadersTooLarge => 431,
            Self::RateLimited
            | Self::TooManyAttempts
            | Self::SubmissionLimit
            | Self::TooManySockets => 429,
            Self::InternalError => 500,
            Self::DatabaseUnavailable | Self::QueueFull | Self::NotReady => 503,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once_and_snake_case() {
        let names: std::collections::HashSet<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), Code::ALL.len());
        for name in names {
            let snake = name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            assert!(snake, "{name}");
        }
        assert!(Code::ALL.iter().all(|c| (400..600).contains(&c.status())));
    }
}
