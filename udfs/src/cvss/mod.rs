//! CVSS functions: `cvss_score`, `cvss_severity`.

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod cvss_score;
pub mod cvss_severity;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(cvss_score::CvssScoreFunc::new())),
        Arc::new(ScalarUDF::from(cvss_severity::CvssSeverityFunc::new())),
    ]
}
