use lofte_domain::ValidationError;

/// What can go wrong in the data layer. `Invalid` carries every problem found, with paths, for
/// the caller to show; `Sqlx` is an internal failure and must never reach a user verbatim.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("not found")]
    NotFound,
    #[error("invalid: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<ValidationError>),
    /// The document changed since the version the edit was based on (the current version).
    #[error("stale edit: the document is now at version {0}")]
    Stale(i64),
    /// The document cannot be edited in its state (only drafts can).
    #[error("not a draft")]
    NotDraft,
    /// A signing step that the document's state does not allow.
    #[error(transparent)]
    Transition(#[from] lofte_domain::signing::TransitionError),
    #[error("configuration: {0}")]
    Config(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl DbError {
    pub(crate) fn invalid(path: impl Into<String>, message: impl Into<String>) -> Self {
        DbError::Invalid(vec![ValidationError { path: path.into(), message: message.into() }])
    }
}
