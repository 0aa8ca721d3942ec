//! The bundled sample of `datasets/sample/`, embedded at build time.

use std::path::Path;

use crate::error::{EngineError, Result};

include!(concat!(env!("OUT_DIR"), "/sample_files.rs"));

/// Writes the sample's files under `dir`, keeping their relative paths.
pub fn extract(dir: &Path) -> Result<()> {
    for (rel, bytes) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| EngineError::io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| EngineError::io(&path, e))?;
    }
    Ok(())
}
