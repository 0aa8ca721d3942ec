//! Validation against each format's published JSON schema (copied into `datasets/schemas/`, see
//! its SOURCES.md): OSV, the NVD CVE API 2.0 response, CSAF 2.0 (with the FIRST CVSS schemas it
//! references). Fields added by later revisions of a format (NVD's `cveTags` and
//! `cvssMetricV40`, newer OSV fields) are tolerated: `additionalProperties: false` is dropped
//! from the schemas when they load. So are `format` annotations: NVD's own responses write
//! times without an offset (`2023-10-18T18:04:18.493`) under `format: date-time`, and vexlake
//! reads times leniently anyway. Every other rule stays.

use std::sync::LazyLock;

use boon::{Compiler, SchemaIndex, Schemas};
use serde_json::Value;

use super::Source;

macro_rules! schema {
    ($file:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../datasets/schemas/",
            $file
        ))
    };
}

const OSV: &str = "https://raw.githubusercontent.com/ossf/osv-schema/main/validation/schema.json";
const NVD: &str = "https://csrc.nist.gov/schema/nvd/api/2.0/cve_api_json_2.0.schema";
const CSAF: &str = "https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json";

struct Validators {
    schemas: Schemas,
    osv: SchemaIndex,
    nvd_page: SchemaIndex,
    nvd_item: SchemaIndex,
    csaf: SchemaIndex,
}

/// `value` without any `"additionalProperties": false` or `"format"` annotation.
fn tolerant(mut value: Value) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                if m.get("additionalProperties") == Some(&Value::Bool(false)) {
                    m.remove("additionalProperties");
                }
                // The keyword (a string), not a property named "format" (a schema object).
                if m.get("format").is_some_and(Value::is_string) {
                    m.remove("format");
                }
                m.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    strip(&mut value);
    value
}

fn load(text: &str) -> Value {
    tolerant(serde_json::from_str(text).expect("the bundled schemas are JSON"))
}

static VALIDATORS: LazyLock<Validators> = LazyLock::new(|| {
    let mut compiler = Compiler::new();
    let cvss = [
        ("cvss-v2.0.json", schema!("cvss-v2.0.json")),
        ("cvss-v3.0.json", schema!("cvss-v3.0.json")),
        ("cvss-v3.1.json", schema!("cvss-v3.1.json")),
    ];
    // CSAF names the CVSS schemas at FIRST, the NVD schema beside itself.
    for (name, text) in cvss {
        for base in [
            "https://www.first.org/cvss/",
            "https://csrc.nist.gov/schema/nvd/api/2.0/external/",
        ] {
            compiler
                .add_resource(&format!("{base}{name}"), load(text))
                .expect("a bundled CVSS schema");
        }
    }
    for (url, text) in [
        (OSV, schema!("osv-schema.json")),
        (NVD, schema!("cve_api_json_2.0.schema.json")),
        (CSAF, schema!("csaf_json_schema.json")),
    ] {
        compiler
            .add_resource(url, load(text))
            .expect("a bundled schema");
    }
    let mut schemas = Schemas::new();
    let mut compile = |loc: &str| {
        compiler
            .compile(loc, &mut schemas)
            .unwrap_or_else(|e| panic!("the bundled schema {loc} compiles: {e}"))
    };
    let osv = compile(OSV);
    let nvd_page = compile(NVD);
    let nvd_item = compile(&format!("{NVD}#/definitions/def_cve_item"));
    let csaf = compile(CSAF);
    Validators {
        schemas,
        osv,
        nvd_page,
        nvd_item,
        csaf,
    }
});

/// Which schema a document of `source` is checked against: OSV records one by one, an NVD
/// page as a page (a bare `{"cve": ...}` item as one of its items), a CSAF document whole.
#[derive(Clone, Copy)]
pub enum Shape {
    OsvRecord,
    NvdPage,
    NvdItem,
    Csaf,
}

impl Shape {
    pub fn name(self) -> &'static str {
        match self {
            Shape::OsvRecord => "the OSV schema",
            Shape::NvdPage | Shape::NvdItem => "the NVD CVE API 2.0 schema",
            Shape::Csaf => "the CSAF 2.0 JSON schema",
        }
    }
}

/// Checks `value` against its schema; the error names the first few places that break it.
pub fn check(shape: Shape, value: &Value) -> Result<(), String> {
    let v = &*VALIDATORS;
    let index = match shape {
        Shape::OsvRecord => v.osv,
        Shape::NvdPage => v.nvd_page,
        Shape::NvdItem => v.nvd_item,
        Shape::Csaf => v.csaf,
    };
    let Err(error) = v.schemas.validate(value, index) else {
        return Ok(());
    };
    let mut leaves = Vec::new();
    fn collect<'a>(e: &'a boon::ValidationError, out: &mut Vec<&'a boon::ValidationError<'a, 'a>>) {
        if e.causes.is_empty() {
            out.push(e);
        }
        for c in &e.causes {
            collect(c, out);
        }
    }
    collect(&error, &mut leaves);
    let shown: Vec<String> = leaves
        .iter()
        .take(3)
        .map(|e| {
            let at = e.instance_location.to_string();
            format!("at {}: {}", if at.is_empty() { "/" } else { &at }, e.kind)
        })
        .collect();
    let more = leaves.len().saturating_sub(shown.len());
    Err(format!(
        "does not follow {}: {}{}",
        shape.name(),
        shown.join("; "),
        if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        }
    ))
}

/// The shape a document of `source` is checked as.
pub fn shape(source: Source, value: &Value) -> Shape {
    match source {
        Source::Osv => Shape::OsvRecord,
        Source::Nvd if value.get("cve").is_some() => Shape::NvdItem,
        Source::Nvd => Shape::NvdPage,
        Source::Csaf => Shape::Csaf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn schemas_compile_and_judge() {
        let good = json!({"id": "OSV-2024-1", "modified": "2024-01-01T00:00:00Z"});
        assert_eq!(check(Shape::OsvRecord, &good), Ok(()));
        let bad = json!({"id": "X-1", "modified": "2024-01-01T00:00:00Z"});
        let err = check(Shape::OsvRecord, &bad).unwrap_err();
        assert!(
            err.contains("the OSV schema") && err.contains("/id"),
            "{err}"
        );
        let csaf = json!({"document": {"category": "csaf_base"}});
        let err = check(Shape::Csaf, &csaf).unwrap_err();
        assert!(err.contains("CSAF 2.0 JSON schema"), "{err}");
    }
}
