use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, StringBuilder};
use arrow::datatypes::{DataType, Int64Type};
use datafusion_common::plan_err;
use datafusion_macros::user_doc;

use crate::adapter::{self, Strings, scalar_function};
use crate::kernels::pack;

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Text Functions"),
        description = "Field `n` (counted from 1) of a string made by `pack_fields`, exactly as it was given: NULL when that field was NULL, when the pack has fewer fields, or when either argument is NULL.",
        syntax_example = "packed_field(packed, n)",
        sql_example = r#"```sql
> select packed_field(pack_fields('a', NULL, 'x%y'), 3) as third, packed_field(pack_fields('a', NULL), 2) as second;
+-------+--------+
| third | second |
+-------+--------+
| x%y   |        |
+-------+--------+
```"#,
        argument(name = "packed", description = "A string made by `pack_fields`."),
        argument(name = "n", description = "Which field, from 1.")
    )]
    PackedFieldFunc, "packed_field", DataType::Utf8,
    coerce: |arg_types| {
        match arg_types {
            [packed, n] if n.is_integer() || *n == DataType::Null => Ok(vec![
                adapter::coerce_strings("packed_field", std::slice::from_ref(packed))?.remove(0),
                DataType::Int64,
            ]),
            [_, other] => plan_err!("packed_field expects a field number (an integer from 1), got {other}"),
            _ => plan_err!("packed_field expects 2 arguments (packed, n), got {}", arg_types.len()),
        }
    },
    invoke: |args| {
        let (arrays, scalar) = adapter::to_arrays(args)?;
        let packed = Strings::of(&arrays[0])?;
        let n = arrays[1].as_primitive::<Int64Type>();
        let mut out = StringBuilder::with_capacity(packed.len(), packed.len() * 16);
        for i in 0..packed.len() {
            let field = match (packed.get(i), n.is_valid(i)) {
                (Some(p), true) => usize::try_from(n.value(i)).ok().and_then(|n| pack::field(p, n)),
                _ => None,
            };
            out.append_option(field);
        }
        adapter::finish(Arc::new(out.finish()) as ArrayRef, scalar)
    }
}
