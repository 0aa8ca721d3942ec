//! The issuer directory: who publishes VEX, in which category, with what trust and keys, read
//! from a TOML file (`vexlake ingest vex --issuers FILE`; the format is in the README) into the
//! `issuers` table.
//!
//! ```toml
//! [[issuer]]
//! id = "debian"                        # required, unique
//! name = "Debian Security Team"        # how documents name it (OpenVEX author, CSAF publisher)
//! category = "distro"                  # vendor | distro | researcher | community
//! trust = 0.9                          # 0..1; default by category
//! aliases = ["Debian", "https://www.debian.org/security/"]
//! keys = ["keys/debian-vex.pub"]       # PEM public keys (relative to this file) or sha256: fingerprints
//! ```

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use datafusion::prelude::{col, lit};
use serde::{Deserialize, Serialize};

use super::dsse;
use crate::error::Result;
use crate::lake::{Lake, Table, rows_to_batch};

/// An issuer's category; the consensus prefers vendor > distro > researcher > community.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Vendor,
    Distro,
    Researcher,
    Community,
}

impl Category {
    /// The trust of an issuer of this category when the directory does not set one.
    pub fn default_trust(self) -> f64 {
        match self {
            Category::Vendor => 1.0,
            Category::Distro => 0.9,
            Category::Researcher => 0.7,
            Category::Community => 0.5,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Category::Vendor => "vendor",
            Category::Distro => "distro",
            Category::Researcher => "researcher",
            Category::Community => "community",
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default, rename = "issuer")]
    issuers: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: Option<String>,
    category: Category,
    trust: Option<f64>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    keys: Vec<String>,
}

/// One `issuers` row.
#[derive(Serialize, Debug, Clone, PartialEq)]
pub struct IssuerRow {
    pub tenant: String,
    pub issuer_id: String,
    pub name: String,
    pub category: String,
    pub trust: f64,
    pub aliases: Vec<String>,
    pub keys: Vec<String>,
}

/// Reads and checks an issuer directory file; every problem names the file and the issuer.
pub fn read(path: &Path, tenant: &str) -> std::result::Result<Vec<IssuerRow>, String> {
    let where_ = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("{where_}: {e}"))?;
    let file: File = toml::from_str(&text).map_err(|e| format!("{where_}: {e}"))?;
    if file.issuers.is_empty() {
        return Err(format!("{where_}: no [[issuer]] entries"));
    }
    let base = path.parent().unwrap_or(Path::new("."));
    let mut seen = BTreeSet::new();
    let mut rows = Vec::new();
    for e in file.issuers {
        let id = e.id.trim().to_string();
        if id.is_empty() {
            return Err(format!("{where_}: an issuer has an empty id"));
        }
        if !seen.insert(id.clone()) {
            return Err(format!("{where_}: issuer {id:?} is listed twice"));
        }
        let trust = e.trust.unwrap_or(e.category.default_trust());
        if !(0.0..=1.0).contains(&trust) {
            return Err(format!(
                "{where_}: issuer {id:?}: trust {trust} is outside 0..1"
            ));
        }
        let mut keys = Vec::new();
        for k in &e.keys {
            let k = k.trim();
            if let Some(hexpart) = k.strip_prefix("sha256:") {
                if hexpart.len() != 64 || !hexpart.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!(
                        "{where_}: issuer {id:?}: key {k:?} is not a sha256: fingerprint of 64 hex digits"
                    ));
                }
                keys.push(k.to_ascii_lowercase());
            } else {
                let key = dsse::fingerprint_file(&base.join(k))
                    .map_err(|r| format!("{where_}: issuer {id:?}: key {r}"))?;
                keys.push(key);
            }
        }
        rows.push(IssuerRow {
            tenant: tenant.to_string(),
            name: e.name.unwrap_or_else(|| id.clone()),
            issuer_id: id,
            category: e.category.to_string(),
            trust,
            aliases: e.aliases,
            keys,
        });
    }
    Ok(rows)
}

/// Stores `rows` in `issuers`: they replace the tenant's issuers of the same ids; every other
/// row stays. One commit.
pub async fn store(lake: &Lake, tenant: &str, rows: &[IssuerRow]) -> Result<()> {
    let session = crate::session::open(lake, &[Table::Issuers], &Default::default()).await?;
    let ids: Vec<_> = rows.iter().map(|r| lit(r.issuer_id.clone())).collect();
    let kept = session
        .ctx
        .table(Table::Issuers.name())
        .await?
        .filter(datafusion::prelude::not(
            col("tenant")
                .eq(lit(tenant))
                .and(col("issuer_id").in_list(ids, false)),
        ))?
        .collect()
        .await?;
    let mut batches = vec![rows_to_batch(Table::Issuers, rows, vec![])?];
    batches.extend(kept);
    lake.overwrite(Table::Issuers, batches).await?;
    Ok(())
}
