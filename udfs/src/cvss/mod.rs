//! CVSS functions: `cvss_base_score`.

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod cvss_base_score;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![Arc::new(ScalarUDF::from(
        cvss_base_score::CvssBaseScoreFunc::new(),
    ))]
}
