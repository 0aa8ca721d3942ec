//! Package URL functions, one per file: the components of a purl (`purl_type`,
//! `purl_namespace`, `purl_name`, `purl_version`, `purl_qualifier`), its canonical form
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
pub mod purl_to_osv_ecosystem;
pub mod purl_type;
pub mod purl_version;

/// Defines a string function of `arity` string arguments: the struct (documented by the
/// `#[user_doc]` given), its signature and coercion, and `invoke` as the body.
macro_rules! string_function {
    (
        $(#[$attr:meta])*
        $ty:ident, $name:literal, $arity:literal,
        |$args:ident| $invoke:expr
    ) => {
        $(#[$attr])*
        #[derive(Debug, PartialEq, Eq, Hash)]
        pub struct $ty {
            signature: datafusion_expr::Signature,
        }

        impl Default for $ty {
            fn default() -> Self {
                Self::new()
            }
        }

        impl $ty {
            pub fn new() -> Self {
                Self {
                    signature: datafusion_expr::Signature::user_defined(
                        datafusion_expr::Volatility::Immutable,
                    ),
                }
            }
        }

        impl datafusion_expr::ScalarUDFImpl for $ty {
            fn name(&self) -> &str {
                $name
            }

            fn signature(&self) -> &datafusion_expr::Signature {
                &self.signature
            }

            fn coerce_types(
                &self,
                arg_types: &[arrow::datatypes::DataType],
            ) -> datafusion_common::Result<Vec<arrow::datatypes::DataType>> {
                if arg_types.len() != $arity {
                    return datafusion_common::plan_err!(
                        "{} expects {} argument(s), got {}",
                        $name,
                        $arity,
                        arg_types.len()
                    );
                }
                crate::adapter::coerce_strings($name, arg_types)
            }

            fn return_type(
                &self,
                _arg_types: &[arrow::datatypes::DataType],
            ) -> datafusion_common::Result<arrow::datatypes::DataType> {
                Ok(arrow::datatypes::DataType::Utf8)
            }

            fn invoke_with_args(
                &self,
                args: datafusion_expr::ScalarFunctionArgs,
            ) -> datafusion_common::Result<datafusion_expr::ColumnarValue> {
                let $args = &args.args;
                $invoke
            }

            fn documentation(&self) -> Option<&datafusion_expr::Documentation> {
                self.doc()
            }
        }
    };
}
pub(crate) use string_function;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(purl_type::PurlTypeFunc::new())),
        Arc::new(ScalarUDF::from(purl_namespace::PurlNamespaceFunc::new())),
        Arc::new(ScalarUDF::from(purl_name::PurlNameFunc::new())),
        Arc::new(ScalarUDF::from(purl_version::PurlVersionFunc::new())),
        Arc::new(ScalarUDF::from(purl_qualifier::PurlQualifierFunc::new())),
        Arc::new(ScalarUDF::from(purl_normalize::PurlNormalizeFunc::new())),
        Arc::new(ScalarUDF::from(purl_package_key::PurlPackageKeyFunc::new())),
        Arc::new(ScalarUDF::from(
            purl_to_osv_ecosystem::PurlToOsvEcosystemFunc::new(),
        )),
        Arc::new(ScalarUDF::from(osv_package_key::OsvPackageKeyFunc::new())),
    ]
}
