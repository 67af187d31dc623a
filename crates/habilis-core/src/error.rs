//! The errors a command can end with. `habilis-server` maps each variant to one HTTP status
//! and problem type; there is deliberately no catch-all, so a new variant must be mapped.

use habilis_domain::{InvalidInput, Refusal};
use habilis_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A rule refused; already audited.
    #[error("{0}")]
    Refused(Refusal),
    /// The input is not acceptable; nothing was written.
    #[error("invalid input: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<InvalidInput>),
    #[error("{what} not found")]
    NotFound { what: String },
    #[error("conflict: {what}")]
    Conflict { what: String },
    /// No valid credentials.
    #[error("not authenticated")]
    Unauthenticated,
    /// The engine has not reached the revision asked for in time.
    #[error("revision {min_revision} is not available yet")]
    Stale { min_revision: u64 },
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    pub fn not_found(what: impl Into<String>) -> Error {
        Error::NotFound { what: what.into() }
    }

    pub fn invalid(input: InvalidInput) -> Error {
        Error::Invalid(vec![input])
    }
}

impl From<InvalidInput> for Error {
    fn from(input: InvalidInput) -> Error {
        Error::Invalid(vec![input])
    }
}

impl From<StoreError> for Error {
    fn from(error: StoreError) -> Error {
        match error {
            StoreError::Conflict { what } => Error::Conflict { what },
            StoreError::NotFound => Error::NotFound {
                what: "record".into(),
            },
            other => Error::Internal(anyhow::Error::new(other)),
        }
    }
}
