//! Package URL functions: `purl_package_key`, `purl_to_osv_ecosystem`, `osv_package_key`.

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod osv_package_key;
pub mod purl_package_key;
pub mod purl_to_osv_ecosystem;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(purl_package_key::PurlPackageKeyFunc::new())),
        Arc::new(ScalarUDF::from(
            purl_to_osv_ecosystem::PurlToOsvEcosystemFunc::new(),
        )),
        Arc::new(ScalarUDF::from(osv_package_key::OsvPackageKeyFunc::new())),
    ]
}
