use std::sync::Arc;

use arrow::array::{ArrayRef, StringBuilder};
use arrow::datatypes::DataType;
use datafusion_common::plan_err;
use datafusion_macros::user_doc;

use crate::adapter::{self, Strings, scalar_function};
use crate::kernels::pack;

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Text Functions"),
        description = "Several text fields, some of them NULL, as one string that `packed_field` reads back exactly. Fields are separated by U+001F; a NULL field is U+001E alone; inside a value `%`, U+001E and U+001F are written `%25`, `%1E` and `%1F`, so a value free of them is written as it is. Packs whose first fields are of equal length (and free of those characters) sort as their first fields do, so `min(pack_fields(rank, a, b))` keeps the best-ranked row's `a` and `b` in one string per group. Never NULL.",
        syntax_example = "pack_fields(field1[, ..., fieldN])",
        sql_example = r#"```sql
> select packed_field(min(pack_fields(rank, who)), 2) as best from (values ('2', 'b'), ('1', 'a'), ('3', NULL)) t(rank, who);
+------+
| best |
+------+
| a    |
+------+
```"#,
        argument(name = "field1", description = "Text; NULL is kept as NULL.")
    )]
    PackFieldsFunc, "pack_fields", DataType::Utf8,
    coerce: |arg_types| {
        if arg_types.is_empty() {
            return plan_err!("pack_fields expects at least one argument");
        }
        adapter::coerce_strings("pack_fields", arg_types)
    },
    invoke: |args| {
        let (arrays, scalar) = adapter::to_arrays(args)?;
        let columns = arrays.iter().map(Strings::of).collect::<datafusion_common::Result<Vec<_>>>()?;
        let rows = columns.first().map_or(0, Strings::len);
        let mut out = StringBuilder::with_capacity(rows, rows * 16 * columns.len());
        let mut text = String::new();
        for i in 0..rows {
            text.clear();
            pack::pack(columns.iter().map(|c| c.get(i)), &mut text);
            out.append_value(&text);
        }
        adapter::finish(Arc::new(out.finish()) as ArrayRef, scalar)
    }
}
