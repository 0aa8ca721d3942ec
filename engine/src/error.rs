//! The engine's one error type.

use std::path::PathBuf;

use datafusion::error::DataFusionError;
use deltalake::DeltaTableError;

/// Every failure the engine reports; the CLI maps it to exit code 2.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("lake {location}: {reason}")]
    InvalidLake { location: String, reason: String },

    #[error("table {table} is missing in lake {lake}: run `vexlake init` first")]
    MissingTable { table: String, lake: String },

    #[error("table {table}: the commit lost {attempts} races with concurrent writers; try again")]
    CommitConflict { table: String, attempts: usize },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{path}: {reason}")]
    Input { path: String, reason: String },

    /// A configuration file or directory the user named (issuers, trust roots) is unusable;
    /// the text names it and says why.
    #[error("{0}")]
    Config(String),

    #[error("invalid --as-of {value:?}: {reason}")]
    InvalidTime { value: String, reason: String },

    #[error(transparent)]
    Delta(#[from] DeltaTableError),

    #[error(transparent)]
    DataFusion(#[from] DataFusionError),

    #[error(transparent)]
    Arrow(#[from] arrow::error::ArrowError),

    #[error(transparent)]
    ObjectStore(#[from] object_store::Error),

    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl From<EngineError> for DataFusionError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::DataFusion(e) => e,
            other => DataFusionError::External(Box::new(other)),
        }
    }
}

impl EngineError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        EngineError::Io {
            path: path.into(),
            source,
        }
    }
}
