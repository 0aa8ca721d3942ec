//! Package URL functions, one per file: the components of a purl (`purl_type`,
//! `purl_namespace`, `purl_name`, `purl_version`, `purl_qualifier`), qualifier agreement
//! (`purl_qualifiers_agree`), its canonical form
//! (`purl_normalize`), the join key (`purl_package_key`, `osv_package_key`) and the OSV ecosystem
//! (`purl_to_osv_ecosystem`).

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod osv_package_key;
pub mod purl_name;
pub mod purl_namespace;
pub mod purl_normalize;
pub mod purl_package_key;
pub mod purl_qualifier;
pub mod purl_qualifiers_agree;
pub mod purl_to_osv_ecosystem;
pub mod purl_type;
pub mod purl_version;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(purl_type::PurlTypeFunc::new())),
        Arc::new(ScalarUDF::from(purl_namespace::PurlNamespaceFunc::new())),
        Arc::new(ScalarUDF::from(purl_name::PurlNameFunc::new())),
        Arc::new(ScalarUDF::from(purl_version::PurlVersionFunc::new())),
        Arc::new(ScalarUDF::from(purl_qualifier::PurlQualifierFunc::new())),
        Arc::new(ScalarUDF::from(
            purl_qualifiers_agree::PurlQualifiersAgreeFunc::new(),
        )),
        Arc::new(ScalarUDF::from(purl_normalize::PurlNormalizeFunc::new())),
        Arc::new(ScalarUDF::from(purl_package_key::PurlPackageKeyFunc::new())),
        Arc::new(ScalarUDF::from(
            purl_to_osv_ecosystem::PurlToOsvEcosystemFunc::new(),
        )),
        Arc::new(ScalarUDF::from(osv_package_key::OsvPackageKeyFunc::new())),
    ]
}
