//! Text functions: `pack_fields` carries several text fields (some NULL) as one string, and
//! `packed_field` gives one back exactly ([`crate::kernels::pack`]). The VEX consensus keeps its
//! winner's fields with `min()` over such a string. `to_json` writes a struct as a JSON object
//! (a finding's `explained_trace`).

use std::sync::Arc;

use datafusion_expr::ScalarUDF;

pub mod pack_fields;
pub mod packed_field;
pub mod to_json;

pub fn functions() -> Vec<Arc<ScalarUDF>> {
    vec![
        Arc::new(ScalarUDF::from(pack_fields::PackFieldsFunc::new())),
        Arc::new(ScalarUDF::from(packed_field::PackedFieldFunc::new())),
        Arc::new(ScalarUDF::from(to_json::ToJsonFunc::new())),
    ]
}
