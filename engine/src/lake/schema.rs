//! Every lake table and its Arrow schema: the one place where table shapes are defined.

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};
use datafusion::config::ParquetOptions;
use deltalake::parquet::file::properties::WriterProperties;

/// The tables of a vexlake lake (see DESIGN.md, "The lake").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    Images,
    Layers,
    Artifacts,
    Components,
    Dependencies,
    AdvisoryRaw,
    AdvisoryObservations,
    AdvisoryAffected,
    VexStatements,
    Issuers,
    RuntimeSignals,
    Findings,
    FindingChanges,
    Events,
    Rejects,
}

impl Table {
    pub const ALL: [Table; 15] = [
        Table::Images,
        Table::Layers,
        Table::Artifacts,
        Table::Components,
        Table::Dependencies,
        Table::AdvisoryRaw,
        Table::AdvisoryObservations,
        Table::AdvisoryAffected,
        Table::VexStatements,
        Table::Issuers,
        Table::RuntimeSignals,
        Table::Findings,
        Table::FindingChanges,
        Table::Events,
        Table::Rejects,
    ];

    /// The tables an evaluation run reads (and records in `input_versions`).
    pub const EVALUATION_INPUTS: [Table; 9] = [
        Table::Images,
        Table::Artifacts,
        Table::Components,
        Table::AdvisoryObservations,
        Table::AdvisoryAffected,
        Table::VexStatements,
        Table::Issuers,
        Table::RuntimeSignals,
        Table::AdvisoryRaw,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Images => "images",
            Table::Layers => "layers",
            Table::Artifacts => "artifacts",
            Table::Components => "components",
            Table::Dependencies => "dependencies",
            Table::AdvisoryRaw => "advisory_raw",
            Table::AdvisoryObservations => "advisory_observations",
            Table::AdvisoryAffected => "advisory_affected",
            Table::VexStatements => "vex_statements",
            Table::Issuers => "issuers",
            Table::RuntimeSignals => "runtime_signals",
            Table::Findings => "findings",
            Table::FindingChanges => "finding_changes",
            Table::Events => "events",
            Table::Rejects => "rejects",
        }
    }

    /// A one-line description, used by `vexlake init` and the README.
    pub fn about(self) -> &'static str {
        match self {
            Table::Images => "one row per container image",
            Table::Layers => "image layers",
            Table::Artifacts => "SBOM documents, by sha256 of their bytes",
            Table::Components => "SBOM components with purl, OSV ecosystem and package key",
            Table::Dependencies => "SBOM dependency edges",
            Table::AdvisoryRaw => {
                "advisory documents as received, append-only, one row per revision"
            }
            Table::AdvisoryObservations => "normalized advisories: aliases, severities, dates",
            Table::AdvisoryAffected => "advisory -> package linksets with OSV ranges",
            Table::VexStatements => "VEX statements, one row per product",
            Table::Issuers => "VEX issuers: category, trust, names and keys",
            Table::RuntimeSignals => "observed-loaded evidence",
            Table::Findings => "the current findings; one Delta version per evaluation run",
            Table::FindingChanges => "verdict and severity changes between runs",
            Table::Events => "what happened to the lake",
            Table::Rejects => "inputs that could not be read, with the reason and raw bytes",
        }
    }

    /// The table's Arrow schema.
    pub fn schema(self) -> SchemaRef {
        static SCHEMAS: LazyLock<Vec<SchemaRef>> =
            LazyLock::new(|| Table::ALL.iter().map(|t| Arc::new(build(*t))).collect());
        SCHEMAS[self as usize].clone()
    }

    /// The Parquet settings of the table's files where they differ from DataFusion's defaults
    /// (zstd, pages of up to 20,000 rows, statistics and a page index for every column).
    /// `components`: pages of 8,192 rows. An SBOM's components are written together, so one
    /// subject's rows are a few pages of each column, and a one-subject read
    /// (`evaluate --image`) decodes those pages alone, found by the page index.
    pub fn writer_properties(self) -> crate::error::Result<Option<WriterProperties>> {
        let mut options = ParquetOptions::default();
        match self {
            Table::Components => options.data_page_row_count_limit = 8192,
            _ => return Ok(None),
        }
        Ok(Some(options.into_writer_properties_builder()?.build()))
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Table {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Table::ALL
            .into_iter()
            .find(|t| t.name() == s)
            .ok_or_else(|| format!("unknown table {s:?}"))
    }
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn int64(name: &str) -> Field {
    Field::new(name, DataType::Int64, true)
}

fn float64(name: &str) -> Field {
    Field::new(name, DataType::Float64, true)
}

fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

fn binary(name: &str) -> Field {
    Field::new(name, DataType::Binary, true)
}

/// A UTC timestamp in microseconds, as Delta stores `timestamp`.
pub fn timestamp_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn timestamp(name: &str) -> Field {
    Field::new(name, timestamp_type(), true)
}

fn list_of(name: &str, item: DataType) -> Field {
    Field::new(
        name,
        DataType::List(Arc::new(Field::new("item", item, true))),
        true,
    )
}

fn strings(name: &str) -> Field {
    list_of(name, DataType::Utf8)
}

fn build(table: Table) -> Schema {
    let tenant = utf8("tenant");
    let fields: Vec<Field> = match table {
        Table::Images => vec![
            tenant,
            utf8("image_digest"),
            utf8("repository"),
            utf8("tag"),
            utf8("os"),
            utf8("arch"),
            utf8("config_digest"),
            strings("entrypoint"),
            strings("labels"),
            timestamp("created"),
            timestamp("ingested_at"),
        ],
        Table::Layers => vec![
            tenant,
            utf8("image_digest"),
            Field::new("layer_index", DataType::Int32, true),
            utf8("layer_digest"),
            utf8("diff_id"),
            utf8("media_type"),
            int64("size"),
        ],
        Table::Artifacts => vec![
            tenant,
            utf8("sbom_id"),
            utf8("image_digest"),
            utf8("format"),
            utf8("spec_version"),
            utf8("view"),
            utf8("document_name"),
            utf8("serial_number"),
            utf8("subject_purl"),
            utf8("subject_key"),
            strings("labels"),
            utf8("source_path"),
            utf8("blob_path"),
            int64("component_count"),
            timestamp("ingested_at"),
        ],
        Table::Components => vec![
            tenant,
            utf8("sbom_id"),
            utf8("image_digest"),
            utf8("bom_ref"),
            utf8("view"),
            utf8("purl"),
            utf8("ecosystem"),
            utf8("package_key"),
            utf8("name"),
            utf8("version"),
            utf8("source_package"),
            utf8("layer"),
            utf8("path"),
            strings("licenses"),
            strings("hashes"),
            utf8("cpe"),
        ],
        Table::Dependencies => vec![tenant, utf8("sbom_id"), utf8("parent"), utf8("child")],
        Table::AdvisoryRaw => vec![
            tenant,
            utf8("source"),
            utf8("advisory_id"),
            int64("revision"),
            utf8("content_sha256"),
            utf8("format"),
            binary("raw"),
            utf8("source_path"),
            timestamp("ingested_at"),
        ],
        Table::AdvisoryObservations => vec![
            tenant,
            utf8("source"),
            utf8("advisory_id"),
            int64("revision"),
            strings("aliases"),
            strings("upstream"),
            utf8("summary"),
            utf8("details"),
            list_of(
                "severities",
                DataType::Struct(Fields::from(vec![
                    utf8("system"),
                    utf8("vector"),
                    float64("score"),
                ])),
            ),
            utf8("database_severity"),
            strings("references"),
            strings("cwes"),
            timestamp("published"),
            timestamp("modified"),
            timestamp("withdrawn"),
        ],
        Table::AdvisoryAffected => vec![
            tenant,
            utf8("source"),
            utf8("advisory_id"),
            int64("revision"),
            utf8("ecosystem"),
            utf8("package_name"),
            utf8("package_key"),
            utf8("purl"),
            utf8("status"),
            Field::new("ranges", vexlake_udfs::version::ranges_data_type(), true),
            strings("versions"),
            strings("cpes"),
            list_of(
                "cpe_matches",
                DataType::Struct(Fields::from(vec![
                    int64("configuration"),
                    int64("node"),
                    utf8("operator"),
                    boolean("negate"),
                    utf8("criteria"),
                    boolean("vulnerable"),
                    utf8("version_start_including"),
                    utf8("version_start_excluding"),
                    utf8("version_end_including"),
                    utf8("version_end_excluding"),
                ])),
            ),
            list_of(
                "remediations",
                DataType::Struct(Fields::from(vec![
                    utf8("category"),
                    utf8("details"),
                    utf8("url"),
                ])),
            ),
        ],
        Table::VexStatements => vec![
            tenant,
            utf8("statement_id"),
            utf8("issuer"),
            utf8("format"),
            utf8("document_digest"),
            utf8("document_id"),
            utf8("vulnerability_id"),
            strings("aliases"),
            utf8("product_id"),
            utf8("product_purl"),
            utf8("product_key"),
            utf8("product_cpe"),
            utf8("product_digest"),
            utf8("subcomponent_purl"),
            utf8("subcomponent_key"),
            utf8("target_version"),
            utf8("target_range"),
            utf8("scope"),
            utf8("status"),
            utf8("justification"),
            utf8("impact_statement"),
            utf8("action_statement"),
            timestamp("statement_timestamp"),
            utf8("signature_state"),
            utf8("signature_key"),
            utf8("raw"),
            utf8("source_path"),
            timestamp("ingested_at"),
        ],
        Table::Issuers => vec![
            tenant,
            utf8("issuer_id"),
            utf8("name"),
            utf8("category"),
            float64("trust"),
            strings("aliases"),
            strings("keys"),
        ],
        Table::RuntimeSignals => vec![
            tenant,
            utf8("signal_id"),
            utf8("image_digest"),
            utf8("purl"),
            boolean("loaded"),
            timestamp("observed_at"),
            utf8("source"),
        ],
        Table::Findings => vec![
            tenant,
            utf8("finding_key"),
            utf8("subject"),
            utf8("image_digest"),
            utf8("sbom_id"),
            utf8("purl"),
            utf8("ecosystem"),
            utf8("package"),
            utf8("version"),
            utf8("vulnerability_id"),
            utf8("source"),
            int64("advisory_revision"),
            utf8("advisory_sha256"),
            strings("aliases"),
            utf8("summary"),
            utf8("match_state"),
            boolean("unknown"),
            float64("cvss_score"),
            utf8("severity"),
            utf8("verdict"),
            utf8("vex_status"),
            utf8("vex_justification"),
            utf8("vex_issuer"),
            utf8("vex_statement_id"),
            Field::new("k4", DataType::Int8, true),
            float64("vex_trust"),
            strings("vex_statement_ids"),
            utf8("reachability"),
            utf8("runtime"),
            float64("score"),
            float64("confidence"),
            utf8("confidence_tier"),
            utf8("environment"),
            utf8("exception_id"),
            utf8("exception_effect"),
            utf8("explained_trace"),
            utf8("policy_id"),
            utf8("policy_version"),
            utf8("policy_hash"),
            utf8("input_versions"),
            utf8("determinism_hash"),
            timestamp("evaluated_at"),
        ],
        Table::FindingChanges => vec![
            tenant,
            utf8("finding_key"),
            utf8("change"),
            int64("from_version"),
            int64("to_version"),
            utf8("old_verdict"),
            utf8("new_verdict"),
            utf8("old_severity"),
            utf8("new_severity"),
            timestamp("evaluated_at"),
        ],
        Table::Events => vec![
            tenant,
            utf8("event_id"),
            utf8("stream"),
            utf8("type"),
            utf8("subject"),
            utf8("payload"),
            utf8("table_versions"),
            timestamp("occurred_at"),
        ],
        Table::Rejects => vec![
            tenant,
            utf8("kind"),
            utf8("source"),
            utf8("reason"),
            binary("raw"),
            timestamp("rejected_at"),
        ],
    };
    Schema::new(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_table_has_a_tenant() {
        for t in Table::ALL {
            assert_eq!(t.name().parse::<Table>().unwrap(), t);
            assert_eq!(t.schema().field(0).name(), "tenant");
        }
    }
}
