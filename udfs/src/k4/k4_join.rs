use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, UInt8Array};
use arrow::datatypes::{DataType, Field, FieldRef, Int64Type, UInt8Type};
use datafusion_common::{Result, ScalarValue};
use datafusion_expr::function::{AccumulatorArgs, StateFieldsArgs};
use datafusion_expr::utils::format_state_name;
use datafusion_expr::{
    Accumulator, AggregateUDFImpl, Documentation, EmitTo, GroupsAccumulator, Signature, Volatility,
};
use datafusion_macros::user_doc;

use super::{coerce_k4, k4_at};
use crate::kernels::k4::K4;

#[user_doc(
    doc_section(label = "vexlake K4 Functions"),
    description = "Aggregate: the knowledge join of K4 values, the evidence of them all (bitwise or: true and false give conflict). NULLs are skipped; no value at all is 0 (unknown). An error for a number outside 0 to 3.",
    syntax_example = "k4_join(k)",
    sql_example = r#"```sql
> select k4_label(k4_join(k)) as v from (values (1), (0), (2)) t(k);
+----------+
| v        |
+----------+
| conflict |
+----------+
```"#,
    argument(
        name = "k",
        description = "A K4 value (0 unknown, 1 true, 2 false, 3 conflict)."
    )
)]
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct K4JoinFunc {
    signature: Signature,
}

impl Default for K4JoinFunc {
    fn default() -> Self {
        Self::new()
    }
}

impl K4JoinFunc {
    pub fn new() -> Self {
        Self {
            signature: Signature::user_defined(Volatility::Immutable),
        }
    }
}

const NAME: &str = "k4_join";

impl AggregateUDFImpl for K4JoinFunc {
    fn name(&self) -> &str {
        NAME
    }

    fn signature(&self) -> &Signature {
        &self.signature
    }

    fn coerce_types(&self, arg_types: &[DataType]) -> Result<Vec<DataType>> {
        coerce_k4(NAME, 1, arg_types)
    }

    fn return_type(&self, _arg_types: &[DataType]) -> Result<DataType> {
        Ok(DataType::UInt8)
    }

    fn is_nullable(&self) -> bool {
        false
    }

    fn accumulator(&self, _args: AccumulatorArgs) -> Result<Box<dyn Accumulator>> {
        Ok(Box::new(Join(K4::UNKNOWN)))
    }

    fn state_fields(&self, args: StateFieldsArgs) -> Result<Vec<FieldRef>> {
        Ok(vec![Arc::new(Field::new(
            format_state_name(args.name, "k4"),
            DataType::UInt8,
            false,
        ))])
    }

    fn groups_accumulator_supported(&self, _args: AccumulatorArgs) -> bool {
        true
    }

    fn create_groups_accumulator(
        &self,
        _args: AccumulatorArgs,
    ) -> Result<Box<dyn GroupsAccumulator>> {
        Ok(Box::new(GroupsJoin(Vec::new())))
    }

    fn default_value(&self, _data_type: &DataType) -> Result<ScalarValue> {
        Ok(ScalarValue::UInt8(Some(K4::UNKNOWN.bits())))
    }

    fn documentation(&self) -> Option<&Documentation> {
        self.doc()
    }
}

/// The join so far, for one group.
#[derive(Debug)]
struct Join(K4);

impl Accumulator for Join {
    fn update_batch(&mut self, values: &[ArrayRef]) -> Result<()> {
        let column = values[0].as_primitive::<Int64Type>();
        for i in 0..column.len() {
            if let Some(k) = k4_at(NAME, column, i)? {
                self.0 = self.0.join(k);
            }
        }
        Ok(())
    }

    fn merge_batch(&mut self, states: &[ArrayRef]) -> Result<()> {
        let column = states[0].as_primitive::<UInt8Type>();
        for k in column.iter().flatten().filter_map(K4::from_bits) {
            self.0 = self.0.join(k);
        }
        Ok(())
    }

    fn state(&mut self) -> Result<Vec<ScalarValue>> {
        Ok(vec![ScalarValue::UInt8(Some(self.0.bits()))])
    }

    fn evaluate(&mut self) -> Result<ScalarValue> {
        Ok(ScalarValue::UInt8(Some(self.0.bits())))
    }

    fn size(&self) -> usize {
        size_of_val(self)
    }
}

/// The join so far of every group, a byte each: GROUP BY over many groups stays one pass.
#[derive(Debug)]
struct GroupsJoin(Vec<u8>);

impl GroupsJoin {
    fn join_into(
        &mut self,
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
        mut value: impl FnMut(usize) -> Result<Option<K4>>,
    ) -> Result<()> {
        self.0.resize(total_num_groups, K4::UNKNOWN.bits());
        for (row, &group) in group_indices.iter().enumerate() {
            if opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                continue;
            }
            if let Some(k) = value(row)? {
                self.0[group] |= k.bits();
            }
        }
        Ok(())
    }

    fn emit(&mut self, emit_to: EmitTo) -> ArrayRef {
        Arc::new(UInt8Array::from(emit_to.take_needed(&mut self.0)))
    }
}

impl GroupsAccumulator for GroupsJoin {
    fn update_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        opt_filter: Option<&BooleanArray>,
        total_num_groups: usize,
    ) -> Result<()> {
        let column = values[0].as_primitive::<Int64Type>();
        self.join_into(group_indices, opt_filter, total_num_groups, |row| {
            k4_at(NAME, column, row)
        })
    }

    fn merge_batch(
        &mut self,
        values: &[ArrayRef],
        group_indices: &[usize],
        total_num_groups: usize,
    ) -> Result<()> {
        let column = values[0].as_primitive::<UInt8Type>();
        self.join_into(group_indices, None, total_num_groups, |row| {
            Ok(column
                .is_valid(row)
                .then(|| column.value(row))
                .and_then(K4::from_bits))
        })
    }

    /// Each row as its own group: its value (filtered out or NULL: unknown).
    fn convert_to_state(
        &self,
        values: &[ArrayRef],
        opt_filter: Option<&BooleanArray>,
    ) -> Result<Vec<ArrayRef>> {
        let column = values[0].as_primitive::<Int64Type>();
        let state = (0..column.len())
            .map(|row| {
                if opt_filter.is_some_and(|f| !f.is_valid(row) || !f.value(row)) {
                    return Ok(K4::UNKNOWN.bits());
                }
                Ok(k4_at(NAME, column, row)?.unwrap_or(K4::UNKNOWN).bits())
            })
            .collect::<Result<Vec<u8>>>()?;
        Ok(vec![Arc::new(UInt8Array::from(state))])
    }

    fn evaluate(&mut self, emit_to: EmitTo) -> Result<ArrayRef> {
        Ok(self.emit(emit_to))
    }

    fn state(&mut self, emit_to: EmitTo) -> Result<Vec<ArrayRef>> {
        Ok(vec![self.emit(emit_to)])
    }

    fn size(&self) -> usize {
        self.0.capacity()
    }
}
