//! `vexlake scan REF`: an image to SBOMs, landed in the lake.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use chrono::{DateTime, Utc};

use super::{Globals, note, progress};
use crate::error::{EngineError, Result};
use crate::ingest::{Kind, Reject, write_rejects};
use crate::scan::formats::{self, Format, RenderOptions};
use crate::scan::{self, Cache, Options, Platform, Reference, View};

const AFTER_HELP: &str = "REF is one of:
  oci:DIR[:TAG]                       an OCI image layout directory (TAG when it holds several)
  oci-archive:FILE[:TAG]              an OCI image layout in a tar
  docker-archive:FILE[:REPO:TAG]      a `docker save` tar (old and new layouts)
  registry:HOST/REPO[:TAG|@DIGEST]    an image in a registry (HTTPS; see --insecure-registry)
  PATH[:TAG] or HOST/REPO[:TAG]       a path, recognized by its content, else a registry reference

Examples:
  vexlake scan ./debian-layout --format cdx-json --out sbom.cdx.json
  vexlake scan docker-archive:app.tar --format cdx-json --format spdx-json --out sboms/
  vexlake scan 127.0.0.1:5000/team/app:1.4 --insecure-registry 127.0.0.1:5000
  vexlake scan registry:ghcr.io/org/app@sha256:... --platform linux/arm64

What it finds: the OS (os-release) and its packages: dpkg (status and the status.d/ of
distroless images), apk (lib/apk/db/installed) and rpm (rpmdb.sqlite, Berkeley DB Packages),
each with its purl (pkg:deb/debian/openssl@3.0.11-1~deb12u2?arch=amd64&distro=debian-12), its
source package and the layer that introduced it; language packages: npm, Python, Java (jar, war,
ear, nested and shaded), Go and Rust binaries, Ruby, PHP, .NET, Dart, Swift, Elixir; native
binaries (ELF, PE, Mach-O) and what they link.

Two views: the inventory (everything found) and the usage view: the packages the entrypoint
runs (through sh -c, env and exec, PATH, #! interpreters; Python's site-packages, Node.js's
node_modules, java -jar and its Class-Path) and the libraries they load (DT_NEEDED through
RPATH, RUNPATH, ld.so.conf). Each inventory component is marked closure, linked or present.

The scan lands in the lake: images, layers, artifacts (the documents under
images/<digest>/inventory.* and usage.*), components (views 'inventory' and 'usage'; the
policy's reachability reads the usage view), dependencies and a scan.completed event. Each layer's findings are cached in the lake by diff id, so a rescan reads no layer it
has seen, and an image that shares a base reads only its own layers.";

#[derive(Debug, clap::Args)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The image (see below).
    #[arg(value_name = "REF")]
    pub reference: String,

    /// SBOM formats to write (repeatable): cdx-json (CycloneDX 1.6 JSON), cdx-pb (CycloneDX 1.6
    /// protobuf), spdx-json (SPDX 3.0.1 JSON-LD). [default: cdx-json]
    #[arg(long = "format", value_enum, value_name = "FORMAT")]
    pub formats: Vec<Format>,

    /// Where to write the SBOMs: a file (one format, one view), a directory (created if
    /// needed; the files are VIEW.cdx.json, VIEW.cdx.pb, VIEW.spdx.json), or - for stdout.
    /// Without it the SBOMs go to the lake only.
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,

    /// Which view --out writes (repeatable): inventory (every package found) or usage (what
    /// the entrypoint runs and links). [default: inventory for a file; both for a directory]
    #[arg(long = "view", value_enum, value_name = "VIEW")]
    pub views: Vec<View>,

    /// The platform to pick from a multi-platform image index.
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", default_value = "linux/amd64")]
    pub platform: Platform,

    /// A registry (HOST:PORT) to speak plain HTTP to, such as 127.0.0.1:5000 (repeatable).
    #[arg(long = "insecure-registry", value_name = "HOST:PORT")]
    pub insecure_registries: Vec<String>,

    /// The documents' creation time (RFC 3339, or `now`). Without it no wall-clock time is
    /// written, so the same image gives the same bytes.
    #[arg(long, value_name = "RFC3339|now", value_parser = parse_timestamp)]
    pub timestamp: Option<DateTime<Utc>>,

    /// Read every layer, neither using nor filling the lake's layer cache.
    #[arg(long)]
    pub no_cache: bool,

    /// Write the SBOMs only; touch no lake (no landing, no cache).
    #[arg(long)]
    pub no_lake: bool,
}

fn parse_timestamp(s: &str) -> std::result::Result<DateTime<Utc>, String> {
    if s == "now" {
        return Ok(Utc::now());
    }
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{s:?}: not an RFC 3339 time ({e})"))
}

/// Writes `bytes` to `path` atomically: the file appears whole or not at all.
fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| EngineError::io(dir, e))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(|e| EngineError::io(dir, e))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| EngineError::io(path, e))?;
    tmp.persist(path)
        .map_err(|e| EngineError::io(path, e.error))?;
    Ok(())
}

/// Whether `--out` names a directory.
fn out_is_dir(out: &Path, formats: &[Format], views: &[View]) -> bool {
    out.is_dir() || out.to_string_lossy().ends_with('/') || formats.len() * views.len() > 1
}

/// Where each (view, format) document goes.
fn destinations(
    out: &Path,
    formats: &[Format],
    views: &[View],
) -> Result<Vec<(View, Format, PathBuf)>> {
    if out_is_dir(out, formats, views) {
        if out.exists() && !out.is_dir() {
            return Err(EngineError::Config(format!(
                "--out {}: several documents are written into a directory, and this is a file",
                out.display()
            )));
        }
        Ok(views
            .iter()
            .flat_map(|v| {
                formats
                    .iter()
                    .map(move |f| (*v, *f, out.join(format!("{}.{}", v.name(), f.extension()))))
            })
            .collect())
    } else {
        Ok(vec![(views[0], formats[0], out.to_path_buf())])
    }
}

pub async fn run(globals: &Globals, args: Args) -> Result<ExitCode> {
    let mut formats = args.formats.clone();
    if formats.is_empty() {
        formats.push(Format::CdxJson);
    }
    formats.sort();
    formats.dedup();
    let mut views = args.views.clone();
    views.sort();
    views.dedup();
    let explicit_views = !views.is_empty();
    if views.is_empty() {
        views.push(View::Inventory);
        if args
            .out
            .as_deref()
            .is_some_and(|o| o != Path::new("-") && out_is_dir(o, &formats, &[View::Inventory]))
        {
            views.push(View::Usage);
        }
    }
    if args.out.as_deref() == Some(Path::new("-")) && formats.len() * views.len() > 1 {
        return Err(EngineError::Config(
            "--out - writes one document to stdout: name one --format and one --view".into(),
        ));
    }
    let reference = Reference::parse(&args.reference)?;
    let lake = if args.no_lake {
        None
    } else {
        Some(globals.open_lake()?)
    };
    let cache = match (&lake, args.no_cache) {
        (Some(l), false) => Cache::lake(l),
        _ => Cache::none(),
    };
    let options = Options {
        platform: args.platform.clone(),
        insecure_registries: args.insecure_registries.clone(),
        threads: None,
    };
    let bar = progress(globals, "layers");
    let started = std::time::Instant::now();
    let scanned = scan::scan(&reference, &options, &cache, &bar).await;
    bar.finish_and_clear();
    let scanned = match scanned {
        Ok(s) => s,
        Err(e) => {
            if let (Some(lake), EngineError::Input { path, reason }) = (&lake, &e) {
                let reject = Reject {
                    source: path.clone(),
                    reason: reason.clone(),
                    raw: Vec::new(),
                };
                // The image stays unscanned either way; a lake without tables cannot keep it.
                if let Err(w) = write_rejects(lake, &globals.tenant, Kind::Image, &[reject]).await {
                    tracing::warn!("the reject could not be recorded: {w}");
                }
            }
            return Err(e);
        }
    };
    let render = RenderOptions {
        timestamp: args.timestamp,
    };
    let usage = scanned.usage();
    if usage.is_none() {
        if explicit_views && views.contains(&View::Usage) {
            return Err(EngineError::Config(format!(
                "{}: the image has neither Entrypoint nor Cmd, so it has no usage view",
                scanned.reference
            )));
        }
        views.retain(|v| *v != View::Usage);
    }
    let by_view: Vec<(View, &scan::Scan)> = std::iter::once((View::Inventory, &scanned))
        .chain(usage.as_ref().map(|u| (View::Usage, u)))
        .collect();
    // What --out asks for, and each view's CycloneDX JSON (what lands).
    let mut documents: Vec<(View, Format, Vec<u8>)> = Vec::new();
    for (view, s) in &by_view {
        for format in &formats {
            if views.contains(view) || (lake.is_some() && *format == Format::CdxJson) {
                documents.push((*view, *format, formats::render(s, *format, &render)));
            }
        }
        if lake.is_some() && !formats.contains(&Format::CdxJson) {
            documents.push((
                *view,
                Format::CdxJson,
                formats::render(s, Format::CdxJson, &render),
            ));
        }
    }
    let document = |view: View, format: Format| {
        &documents
            .iter()
            .find(|(v, f, _)| *v == view && *f == format)
            .expect("rendered")
            .2
    };
    if let Some(path) = &args.out {
        if path == Path::new("-") {
            use std::io::Write;
            std::io::stdout()
                .lock()
                .write_all(document(views[0], formats[0]))
                .map_err(|e| EngineError::io("<stdout>", e))?;
        } else {
            for (view, format, dest) in destinations(path, &formats, &views)? {
                let bytes = document(view, format);
                write_file(&dest, bytes)?;
                note(
                    globals,
                    format!("wrote {} ({} bytes)", dest.display(), bytes.len()),
                );
            }
        }
    }
    if let Some(lake) = &lake {
        let landed =
            scan::land::land(lake, &globals.tenant, &scanned, &documents, Utc::now()).await?;
        note(
            globals,
            format!(
                "landed in {}: sbom {}{}",
                lake.root(),
                landed.sbom_id,
                if landed.new_document {
                    format!(
                        " ({} components, {} dependency edges){}",
                        landed.components,
                        landed.dependencies,
                        landed
                            .usage_sbom_id
                            .as_ref()
                            .map_or(String::new(), |id| format!(
                                "; usage sbom {id} ({} components)",
                                landed.usage_components
                            ))
                    )
                } else {
                    " (unchanged: already in the lake)".to_string()
                }
            ),
        );
    }
    if let (Some(lake), false) = (&lake, scanned.found.problems.is_empty()) {
        // What could not be read inside the image (a database in a format not read): kept in
        // `rejects`; everything else landed.
        let rejects: Vec<Reject> = scanned
            .found
            .problems
            .iter()
            .map(|p| Reject {
                source: scanned.reference.clone(),
                reason: p.clone(),
                raw: Vec::new(),
            })
            .collect();
        write_rejects(lake, &globals.tenant, Kind::Image, &rejects).await?;
    }
    summarize(globals, &scanned, started.elapsed())?;
    Ok(if scanned.found.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

fn summarize(globals: &Globals, scan: &scan::Scan, took: std::time::Duration) -> Result<()> {
    for p in &scan.found.problems {
        tracing::warn!("{p}");
        note(globals, format!("warning: {p}"));
    }
    if globals.quiet {
        return Ok(());
    }
    let mut by_manager: BTreeMap<String, usize> = BTreeMap::new();
    for c in &scan.found.components {
        *by_manager.entry(c.manager.name().to_string()).or_default() += 1;
    }
    let managers: Vec<String> = by_manager.iter().map(|(m, n)| format!("{n} {m}")).collect();
    let read = scan.layers.iter().filter(|l| !l.cached).count();
    let usage = match &scan.found.usage {
        None => "none (no Entrypoint or Cmd)".to_string(),
        Some(u) => {
            let count = |r: scan::usage::Reach| u.components.values().filter(|x| **x == r).count();
            let mut line = format!(
                "{} packages ({} run, {} linked) for {}",
                u.components.len(),
                count(scan::usage::Reach::Executed),
                count(scan::usage::Reach::Linked),
                u.argv.join(" ")
            );
            if !u.unowned.is_empty() {
                line.push_str(&format!("; {} files no package owns", u.unowned.len()));
            }
            for missing in &u.unresolved {
                line.push_str(&format!("\n            not found: {missing}"));
            }
            line
        }
    };
    note(
        globals,
        format!(
            "{} {}\n  os        {}\n  packages  {}\n  usage     {usage}\n  layers    {} ({} read, {} from the cache: {})\n  took      {:.0} ms",
            scan.image.repository.as_deref().unwrap_or("image"),
            scan.image.digest,
            scan.found
                .os
                .as_ref()
                .map(|o| o.pretty_name.clone().unwrap_or_else(|| o.distro()))
                .unwrap_or_else(|| "unknown (no os-release)".into()),
            if managers.is_empty() {
                "none found".to_string()
            } else {
                managers.join(", ")
            },
            scan.layers.len(),
            read,
            scan.layers.len() - read,
            scan.cache,
            took.as_secs_f64() * 1000.0,
        ),
    );
    Ok(())
}
