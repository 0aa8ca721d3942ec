//! `vexlake init`: create every table.

use std::process::ExitCode;

use super::{Globals, out};
use crate::error::Result;
use crate::lake::Table;

pub async fn run(globals: &Globals) -> Result<ExitCode> {
    let lake = globals.open_lake()?;
    let created = lake.init().await?;
    out(format!("lake {}", lake.root()))?;
    for t in Table::ALL {
        let state = if created.contains(&t) {
            "created"
        } else {
            "exists "
        };
        out(format!("  {state}  {:<22} {}", t.name(), t.about()))?;
    }
    Ok(ExitCode::SUCCESS)
}
