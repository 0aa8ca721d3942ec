//! `vexlake ingest sbom|advisories|vex|runtime PATH...`

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Subcommand;

use super::{Globals, note, out, progress};
use crate::error::Result;
use crate::ingest::{self, Summary, advisory::Source};

#[derive(Debug, Subcommand)]
pub enum Command {
    /// SBOMs: CycloneDX JSON (1.2-1.6) and SPDX JSON (2.2, 2.3).
    Sbom {
        /// Files, directories (walked in sorted order; *.json inside) or .zip archives.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Vulnerability advisories: OSV JSON or YAML (a record, an array, or an osv.dev
    /// {"vulns": [...]} dump; GHSA records in OSV form), NVD CVE API 2.0 pages (one record per
    /// CVE) and CSAF 2.0 documents, detected from content.
    ///
    /// Records land as received in advisory_raw (append-only: a new revision only when a
    /// record's content changed; unchanged records are counted, not written again), normalized in
    /// advisory_observations and advisory_affected, with one events row per new, updated or
    /// withdrawn record. Each source stays separate; the advisory_aliases view links them.
    Advisories {
        /// Files, directories (walked in sorted order; *.json, *.yaml and *.yml inside) or .zip archives.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The advisory format, instead of detecting it.
        #[arg(long, value_enum)]
        source: Option<Source>,
        /// The largest document (file or archive entry) to read, in bytes or with a unit
        /// (KiB, MiB, GiB, KB, MB, GB); a larger one is rejected unread.
        #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
        max_document_size: u64,
        /// Records per round of commits: what ingestion holds in memory at once. Each round
        /// commits advisory_observations, advisory_affected, advisory_raw and events.
        #[arg(long, value_name = "N", default_value_t = ingest::advisory::BATCH_RECORDS)]
        batch_size: usize,
    },
    /// VEX statements: OpenVEX JSON (v0.0.1 and v0.2.0), CSAF 2.0 VEX (one statement per
    /// vulnerability, product status and product, resolved through the product tree) and
    /// CycloneDX VEX (vulnerabilities with an analysis, in a VEX BOM or an SBOM), each plain
    /// or in a DSSE envelope.
    ///
    /// Every statement is kept with its raw text; the vex_consensus view combines them on the
    /// K4 lattice per vulnerability and product. Statements whose signature does not verify
    /// are kept, marked invalid, and left out of the consensus.
    ///
    /// Example: vexlake ingest vex --issuers issuers.toml --trust-roots keys/ vex/
    Vex {
        /// Files, directories (walked in sorted order; *.json inside) or .zip archives.
        #[arg(value_name = "PATH", required_unless_present = "issuers")]
        paths: Vec<PathBuf>,
        /// A directory of PEM public keys (*.pem, *.pub; ed25519 or ECDSA P-256) that verify
        /// DSSE-signed documents. Without it, a signed document's signature cannot verify.
        #[arg(long, value_name = "DIR")]
        trust_roots: Option<PathBuf>,
        /// An issuer directory (TOML: [[issuer]] id, name, category, trust, aliases, keys; see
        /// the README) loaded into the issuers table first; it replaces issuers of the same id.
        #[arg(long, value_name = "FILE")]
        issuers: Option<PathBuf>,
    },
    /// Runtime signals: JSON Lines, one observation a line, of whether a package was loaded
    /// in a running image:
    ///
    ///   {"image_digest": "sha256:<64 hex>", "purl": "pkg:...", "loaded": true,
    ///    "observed_at": "2026-11-01T12:00:00Z", "source": "agent"}
    ///
    /// Evaluation scores the newest signal for (image, purl) observed by its --as-of clock:
    /// loaded raises a finding's score, not loaded lowers it. A bad line is rejected as
    /// FILE:LINE with the reason; the file's other lines land.
    Runtime {
        /// Files (*.jsonl, *.ndjson, *.json), directories (walked in sorted order) or .zip
        /// archives.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
}

/// A size in bytes: a number, optionally with a unit (`KiB`, `MiB`, `GiB`, `KB`, `MB`, `GB`).
fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits.parse().map_err(|_| {
        format!("{text:?} is not a size: expected a number of bytes, such as 256MiB")
    })?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kib" => 1 << 10,
        "mib" => 1 << 20,
        "gib" => 1 << 30,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        other => {
            return Err(format!(
                "unknown size unit {other:?}: use KiB, MiB, GiB, KB, MB or GB"
            ));
        }
    };
    n.checked_mul(factor)
        .ok_or_else(|| format!("{text:?} is too large"))
}

pub async fn run(globals: &Globals, cmd: Command) -> Result<ExitCode> {
    let lake = globals.open_lake()?;
    let tenant = &globals.tenant;
    let (what, summary) = match cmd {
        Command::Sbom { paths } => {
            let bar = progress(globals, "sboms");
            let s = ingest::sbom::ingest(&lake, tenant, &paths, &bar).await?;
            bar.finish_and_clear();
            ("sbom", s)
        }
        Command::Advisories {
            paths,
            source,
            max_document_size,
            batch_size,
        } => {
            let bar = progress(globals, "advisories");
            let options = ingest::advisory::Options {
                source,
                max_document_size,
                batch_records: batch_size,
            };
            let s = ingest::advisory::ingest(&lake, tenant, &paths, &options, &bar).await?;
            bar.finish_and_clear();
            ("advisories", s)
        }
        Command::Vex {
            paths,
            trust_roots,
            issuers,
        } => {
            let bar = progress(globals, "vex");
            let options = ingest::vex::Options {
                trust_roots,
                issuers,
            };
            let s = ingest::vex::ingest(&lake, tenant, &paths, &options, &bar).await?;
            bar.finish_and_clear();
            ("vex", s)
        }
        Command::Runtime { paths } => {
            let bar = progress(globals, "runtime");
            let s = ingest::runtime::ingest(&lake, tenant, &paths, &bar).await?;
            bar.finish_and_clear();
            ("runtime", s)
        }
    };
    report(globals, what, &summary)?;
    Ok(exit_code(&summary))
}

/// Prints each reject on stderr (`file: reason`) and the summary on stdout.
pub fn report(globals: &Globals, what: &str, summary: &Summary) -> Result<()> {
    for r in &summary.rejects {
        eprintln_line(&format!("{}: {}", r.source, r.reason));
    }
    if !summary.skipped.is_empty() {
        note(
            globals,
            format!(
                "skipped {} file(s) that are not {} inside directories or archives (first: {})",
                summary.skipped.len(),
                if what == "advisories" {
                    ingest::advisory::EXTENSIONS.join(", ")
                } else {
                    ".json".to_string()
                },
                summary.skipped[0]
            ),
        );
    }
    if summary.invalid_signatures > 0 {
        note(
            globals,
            format!(
                "{} signed document(s) did not verify with any trust root: kept, marked \
                 signature_state = 'invalid', and left out of vex_consensus",
                summary.invalid_signatures
            ),
        );
    }
    let rows: Vec<String> = summary
        .rows
        .iter()
        .map(|(t, n)| format!("{t} +{n}"))
        .collect();
    out(format!(
        "ingest {what}: read {}, landed {}, unchanged {}, rejected {}{}",
        summary.read,
        summary.landed,
        summary.unchanged,
        summary.rejected(),
        if rows.is_empty() {
            String::new()
        } else {
            format!(" ({})", rows.join(", "))
        }
    ))
}

fn eprintln_line(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// 0 when nothing was rejected, 2 otherwise.
pub fn exit_code(summary: &Summary) -> ExitCode {
    if summary.rejected() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}
