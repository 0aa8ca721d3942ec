use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Schema};
use arrow::json::writer::{LineDelimited, WriterBuilder};
use datafusion_common::{exec_err, plan_err};
use datafusion_macros::user_doc;

use crate::adapter::{self, scalar_function};

scalar_function! {
    #[user_doc(
        doc_section(label = "vexlake Text Functions"),
        description = "A struct (`named_struct(...)`) as one JSON object: fields in their order, NULL fields as `null`, lists as arrays, structs as objects, timestamps as RFC 3339 text. NULL for a NULL struct. `findings.explained_trace` is made with it.",
        syntax_example = "to_json(named_struct('name1', value1[, ...]))",
        sql_example = r#"```sql
> select to_json(named_struct('rule', 'high', 'matched', make_array('a', 'b'), 'score', 7.5, 'none', CAST(NULL AS VARCHAR))) as j;
+------------------------------------------------------------------+
| j                                                                |
+------------------------------------------------------------------+
| {"rule":"high","matched":["a","b"],"score":7.5,"none":null}      |
+------------------------------------------------------------------+
```"#,
        argument(name = "value", description = "A struct, e.g. `named_struct('key', value, ...)`.")
    )]
    ToJsonFunc, "to_json", DataType::Utf8,
    coerce: |arg_types| match arg_types {
        [t @ DataType::Struct(_)] => Ok(vec![t.clone()]),
        _ => plan_err!(
            "to_json expects one struct, e.g. to_json(named_struct('key', value)), got {arg_types:?}"
        ),
    },
    invoke: |args| {
        let (arrays, scalar) = adapter::to_arrays(args)?;
        let value = arrays[0].as_struct();
        let schema = Arc::new(Schema::new(value.fields().clone()));
        let batch = RecordBatch::try_new(schema, value.columns().to_vec())?;
        let mut buffer = Vec::new();
        let mut writer = WriterBuilder::new()
            .with_explicit_nulls(true)
            .build::<_, LineDelimited>(&mut buffer);
        writer.write(&batch)?;
        writer.finish()?;
        drop(writer);
        let Ok(text) = String::from_utf8(buffer) else {
            return exec_err!("to_json: the JSON writer wrote invalid UTF-8");
        };
        // One line per row: the writer escapes line breaks inside strings.
        let mut lines = text.lines();
        let out: StringArray = (0..value.len())
            .map(|i| {
                let line = lines.next();
                if value.is_null(i) { None } else { line }
            })
            .collect();
        adapter::finish(Arc::new(out) as ArrayRef, scalar)
    }
}
