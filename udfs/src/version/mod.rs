//! Version functions: `version_in_range`, `version_cmp`, `version_valid`, `vers_contains`.

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod vers_contains;
pub mod version_cmp;
pub mod version_in_range;
pub mod version_valid;

pub use version_in_range::ranges_data_type;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(version_in_range::VersionInRangeFunc::new())),
        Arc::new(ScalarUDF::from(version_cmp::VersionCmpFunc::new())),
        Arc::new(ScalarUDF::from(version_valid::VersionValidFunc::new())),
        Arc::new(ScalarUDF::from(vers_contains::VersContainsFunc::new())),
    ]
}
