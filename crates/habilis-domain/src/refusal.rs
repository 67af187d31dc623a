//! Refusals of the rules and invalid inputs, each with a stable snake_case code.
//!
//! The codes are a promise to clients: problem+json carries them as `code`, the audit trail
//! records them, and the web interface looks up its messages by them. Renaming one is a
//! breaking change.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a rule of "who may change what" refused an operation.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefusalCode {
    /// The caller is not authenticated as a user (an application credential, say).
    NotAUser,
    /// Only the operator may do this.
    NotOperator,
    /// The caller holds no management designation in the organisation.
    NotAManager,
    /// The caller is an access manager, but not for this application.
    OutsideDesignation,
    /// The caller would give more power than they hold.
    WiderThanOwn,
    /// The change would leave the organisation without a principal manager.
    LastPrincipal,
    /// The application's self-grant policy forbids granting this to oneself.
    SelfGrantDenied,
    /// The person would hold two roles the application declares exclusive.
    ExclusiveRoles,
    /// The person is not an active member of the organisation.
    NotAMember,
    /// The organisation does not use this application.
    NotSubscribed,
    /// The application is not offered in the organisation's context.
    ContextNotOffered,
    /// The scope names subject-matters or categories the application does not have, or
    /// scopes a role that is not scoped.
    InvalidScope,
    /// The grant reaches beyond the mandate it relies on.
    OutsideMandate,
    /// Only the application's owner may do this.
    NotApplicationOwner,
    /// The caller's session is below the security level this change needs.
    StepUpRequired,
    /// The user concerned is suspended.
    UserSuspended,
    /// The organisation concerned is suspended.
    OrganizationSuspended,
    /// Nobody approves their own request.
    OwnRequest,
    /// The caller may not decide on this approval.
    NotAnApprover,
    /// A reason must be given.
    ReasonRequired,
    /// Only a legal representative of the organisation (or the operator) may do this.
    NotLegalRepresentative,
    /// The same thing exists already.
    AlreadyExists,
    /// The thing is no longer in a state that allows this (revoked, ended, decided).
    NotPending,
    /// The caller may not see this.
    NotVisible,
    /// An application credential may only act on its own application.
    OtherApplication,
    /// The validity window is empty or already over.
    InvalidValidity,
}

impl RefusalCode {
    pub const ALL: &'static [RefusalCode] = &[
        RefusalCode::NotAUser,
        RefusalCode::NotOperator,
        RefusalCode::NotAManager,
        RefusalCode::OutsideDesignation,
        RefusalCode::WiderThanOwn,
        RefusalCode::LastPrincipal,
        RefusalCode::SelfGrantDenied,
        RefusalCode::ExclusiveRoles,
        RefusalCode::NotAMember,
        RefusalCode::NotSubscribed,
        RefusalCode::ContextNotOffered,
        RefusalCode::InvalidScope,
        RefusalCode::OutsideMandate,
        RefusalCode::NotApplicationOwner,
        RefusalCode::StepUpRequired,
        RefusalCode::UserSuspended,
        RefusalCode::OrganizationSuspended,
        RefusalCode::OwnRequest,
        RefusalCode::NotAnApprover,
        RefusalCode::ReasonRequired,
        RefusalCode::NotLegalRepresentative,
        RefusalCode::AlreadyExists,
        RefusalCode::NotPending,
        RefusalCode::NotVisible,
        RefusalCode::OtherApplication,
        RefusalCode::InvalidValidity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RefusalCode::NotAUser => "not_a_user",
            RefusalCode::NotOperator => "not_operator",
            RefusalCode::NotAManager => "not_a_manager",
            RefusalCode::OutsideDesignation => "outside_designation",
            RefusalCode::WiderThanOwn => "wider_than_own",
            RefusalCode::LastPrincipal => "last_principal",
            RefusalCode::SelfGrantDenied => "self_grant_denied",
            RefusalCode::ExclusiveRoles => "exclusive_roles",
            RefusalCode::NotAMember => "not_a_member",
            RefusalCode::NotSubscribed => "not_subscribed",
            RefusalCode::ContextNotOffered => "context_not_offered",
            RefusalCode::InvalidScope => "invalid_scope",
            RefusalCode::OutsideMandate => "outside_mandate",
            RefusalCode::NotApplicationOwner => "not_application_owner",
            RefusalCode::StepUpRequired => "step_up_required",
            RefusalCode::UserSuspended => "user_suspended",
            RefusalCode::OrganizationSuspended => "organization_suspended",
            RefusalCode::OwnRequest => "own_request",
            RefusalCode::NotAnApprover => "not_an_approver",
            RefusalCode::ReasonRequired => "reason_required",
            RefusalCode::NotLegalRepresentative => "not_legal_representative",
            RefusalCode::AlreadyExists => "already_exists",
            RefusalCode::NotPending => "not_pending",
            RefusalCode::NotVisible => "not_visible",
            RefusalCode::OtherApplication => "other_application",
            RefusalCode::InvalidValidity => "invalid_validity",
        }
    }

    /// The English sentence used where no translation is at hand (logs, CLI).
    pub fn describe(self) -> &'static str {
        match self {
            RefusalCode::NotAUser => "this needs a person's credentials",
            RefusalCode::NotOperator => "only the platform operator may do this",
            RefusalCode::NotAManager => "you hold no manager designation in this organisation",
            RefusalCode::OutsideDesignation => {
                "your access manager designation does not cover this application"
            }
            RefusalCode::WiderThanOwn => "you cannot give more powers than you hold",
            RefusalCode::LastPrincipal => {
                "the organisation would be left without a principal manager"
            }
            RefusalCode::SelfGrantDenied => {
                "the application does not allow granting this to yourself"
            }
            RefusalCode::ExclusiveRoles => {
                "the person would hold two roles the application declares exclusive"
            }
            RefusalCode::NotAMember => "the person is not an active member of the organisation",
            RefusalCode::NotSubscribed => "the organisation does not use this application",
            RefusalCode::ContextNotOffered => {
                "the application is not offered in the organisation's context"
            }
            RefusalCode::InvalidScope => "the scope does not fit the application's taxonomy",
            RefusalCode::OutsideMandate => "this reaches beyond the mandate",
            RefusalCode::NotApplicationOwner => "only the application's owner may do this",
            RefusalCode::StepUpRequired => "this needs a higher security level",
            RefusalCode::UserSuspended => "the user is suspended",
            RefusalCode::OrganizationSuspended => "the organisation is suspended",
            RefusalCode::OwnRequest => "nobody approves their own request",
            RefusalCode::NotAnApprover => "you may not decide on this request",
            RefusalCode::ReasonRequired => "a reason is required",
            RefusalCode::NotLegalRepresentative => {
                "only a legal representative of the organisation may do this"
            }
            RefusalCode::AlreadyExists => "this exists already",
            RefusalCode::NotPending => "this is no longer open to that change",
            RefusalCode::NotVisible => "you may not see this",
            RefusalCode::OtherApplication => "an application may only act on itself",
            RefusalCode::InvalidValidity => "the validity window is empty or already over",
        }
    }
}

impl fmt::Display for RefusalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A refusal: the code, and a short detail for people (no personal data beyond ids).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Refusal {
    pub code: RefusalCode,
    pub detail: String,
    /// For `step_up_required`: the level the change needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_level: Option<String>,
}

impl Refusal {
    pub fn new(code: RefusalCode) -> Refusal {
        Refusal {
            code,
            detail: code.describe().to_owned(),
            required_level: None,
        }
    }

    pub fn with_detail(code: RefusalCode, detail: impl Into<String>) -> Refusal {
        Refusal {
            code,
            detail: detail.into(),
            required_level: None,
        }
    }

    pub fn step_up(level: &str) -> Refusal {
        Refusal {
            code: RefusalCode::StepUpRequired,
            detail: format!("this needs security level `{level}`"),
            required_level: Some(level.to_owned()),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.detail)
    }
}

impl std::error::Error for Refusal {}

/// Why an input value is not acceptable.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvalidCode {
    InvalidEnterpriseNumber,
    InvalidNationalNumber,
    InvalidEmail,
    InvalidKey,
    InvalidName,
    InvalidLanguage,
    InvalidKind,
    InvalidContext,
    InvalidLevel,
    InvalidScope,
    InvalidTimestamp,
    InvalidApplication,
    InvalidResource,
    InvalidReference,
    MissingField,
    TooLong,
    /// A value outside the set the field accepts (a decision, a policy).
    InvalidValue,
}

impl InvalidCode {
    pub fn as_str(self) -> &'static str {
        match self {
            InvalidCode::InvalidEnterpriseNumber => "invalid_enterprise_number",
            InvalidCode::InvalidNationalNumber => "invalid_national_number",
            InvalidCode::InvalidEmail => "invalid_email",
            InvalidCode::InvalidKey => "invalid_key",
            InvalidCode::InvalidName => "invalid_name",
            InvalidCode::InvalidLanguage => "invalid_language",
            InvalidCode::InvalidKind => "invalid_kind",
            InvalidCode::InvalidContext => "invalid_context",
            InvalidCode::InvalidLevel => "invalid_level",
            InvalidCode::InvalidScope => "invalid_scope",
            InvalidCode::InvalidTimestamp => "invalid_timestamp",
            InvalidCode::InvalidApplication => "invalid_application",
            InvalidCode::InvalidResource => "invalid_resource",
            InvalidCode::InvalidReference => "invalid_reference",
            InvalidCode::MissingField => "missing_field",
            InvalidCode::TooLong => "too_long",
            InvalidCode::InvalidValue => "invalid_value",
        }
    }
}

/// One invalid input: which field, why, and a detail that quotes the value (cut short).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct InvalidInput {
    pub field: String,
    pub code: InvalidCode,
    pub detail: String,
}

impl InvalidInput {
    pub fn new(field: impl Into<String>, code: InvalidCode, value: &str) -> InvalidInput {
        let shown: String = value.chars().take(64).collect();
        let field = field.into();
        InvalidInput {
            detail: format!("`{field}`: `{shown}` is not valid"),
            field,
            code,
        }
    }

    pub fn because(
        field: impl Into<String>,
        code: InvalidCode,
        detail: impl Into<String>,
    ) -> InvalidInput {
        InvalidInput {
            field: field.into(),
            code,
            detail: detail.into(),
        }
    }
}

impl fmt::Display for InvalidInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.detail, self.code.as_str())
    }
}

impl std::error::Error for InvalidInput {}
