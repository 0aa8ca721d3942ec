//! vexlake: a supply-chain security lakehouse.
//!
//! SBOMs, advisories and VEX statements land as Delta tables ([`lake`], [`ingest`]); policy
//! evaluation is SQL on DataFusion over those tables ([`session`], [`sql`], [`evaluate`]), and
//! each run commits the findings as a new Delta version.
//!
//! ```no_run
//! # async fn example() -> vexlake::error::Result<()> {
//! use vexlake::lake::Lake;
//! let lake = Lake::open("./lake")?;
//! lake.init().await?;
//! # Ok(()) }
//! ```

pub mod cli;
pub mod dataset;
pub mod error;
pub mod evaluate;
pub mod ingest;
pub mod lake;
pub mod output;
pub mod policy;
pub mod sample;
pub mod scan;
pub mod session;
pub mod slot;
pub mod sql;
pub mod time_travel;
