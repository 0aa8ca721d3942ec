//! vexlake's SQL functions for Apache DataFusion.
//!
//! The domain logic lives in plain Rust under [`kernels`] (version schemes, OSV ranges, package
//! URLs, CVSS, K4, scores); the modules [`version`], [`purl`], [`cvss`], [`k4`], [`score`] and [`text`] hold one SQL function per file,
//! each a thin Arrow adapter over a kernel. This crate does no I/O.
//!
//! The SQL functions sit behind the default feature `sql`; without it the crate is the kernels
//! alone, free of Arrow and DataFusion (the fuzz targets in `fuzz/` build it that way).
//!
//! ```
//! use vexlake_udfs::kernels::versions::{compare, Scheme};
//! use std::cmp::Ordering;
//! assert_eq!(compare(Scheme::Semver, "1.2.3", "1.10.0"), Some(Ordering::Less));
//! assert_eq!(compare(Scheme::Dpkg, "1:1.0~rc1-1", "1.0-1"), Some(Ordering::Greater));
//! ```

#[cfg(feature = "sql")]
use std::sync::Arc;

#[cfg(feature = "sql")]
use datafusion_common::Result;
#[cfg(feature = "sql")]
use datafusion_expr::ScalarUDF;
#[cfg(feature = "sql")]
use datafusion_expr::registry::FunctionRegistry;

#[cfg(feature = "sql")]
mod adapter;
#[cfg(feature = "sql")]
pub mod cvss;
#[cfg(feature = "sql")]
pub mod k4;
pub mod kernels;
#[cfg(feature = "sql")]
pub mod purl;
#[cfg(feature = "sql")]
pub mod score;
#[cfg(feature = "sql")]
pub mod text;
#[cfg(feature = "sql")]
pub mod version;

/// Every scalar function this crate provides.
#[cfg(feature = "sql")]
pub fn all_scalar_functions() -> Vec<Arc<ScalarUDF>> {
    version::functions()
        .into_iter()
        .chain(purl::functions())
        .chain(cvss::functions())
        .chain(k4::functions())
        .chain(score::functions())
        .chain(text::functions())
        .collect()
}

/// Every aggregate function this crate provides.
#[cfg(feature = "sql")]
pub fn all_aggregate_functions() -> Vec<Arc<datafusion_expr::AggregateUDF>> {
    k4::aggregate_functions()
}

/// Registers every function of this crate with `registry` (a `SessionContext` or `SessionState`).
#[cfg(feature = "sql")]
pub fn register_all(registry: &mut dyn FunctionRegistry) -> Result<()> {
    for udf in all_scalar_functions() {
        registry.register_udf(udf)?;
    }
    for udaf in all_aggregate_functions() {
        registry.register_udaf(udaf)?;
    }
    Ok(())
}
