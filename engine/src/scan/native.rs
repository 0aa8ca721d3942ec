//! Native binaries, read with goblin: what an ELF file links (DT_NEEDED, its SONAME, RPATH and
//! RUNPATH, the program interpreter), its GNU build id and systemd's `.note.package` package
//! note; a PE file's imported DLLs; a Mach-O file's dylibs and rpaths. Packages compiled into a
//! binary come out of the same read: Go's build information and the `.dep-v0` section
//! `cargo auditable` writes.

use std::collections::BTreeMap;

use goblin::Object;
use serde::{Deserialize, Serialize};

use super::analyzers::{Manager, Package, golang, rust};

/// The largest binary read (a larger one is reported, not read).
pub const MAX_BINARY: u64 = 256 << 20;

/// A binary's file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Elf,
    Pe,
    MachO,
}

/// What a binary says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binary {
    pub format: Option<Format>,
    /// ELF `e_type` of a shared object, or a Mach-O dylib, or a PE DLL.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub library: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub soname: Option<String>,
    /// DT_NEEDED (ELF), imported DLLs (PE), load commands' dylibs (Mach-O).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needed: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rpath: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runpath: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interpreter: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_id: Option<String>,
    /// The `.note.package` note (`type`, `name`, `version`, `os`, ...): the package that built
    /// the file, in the distribution's own words.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub package_note: BTreeMap<String, String>,
    /// The packages compiled in: Go modules (with the standard library) or Rust crates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manager: Option<Manager>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub go_version: Option<String>,
}

impl Binary {
    /// The purl its `.note.package` names, for the package managers whose notes carry one
    /// (`{"type":"rpm","name":"curl","version":"8.2.1-3.fc39","architecture":"x86_64",
    /// "os":"fedora","osVersion":"39"}` → `pkg:rpm/fedora/curl@8.2.1-3.fc39?arch=x86_64&distro=fedora-39`).
    pub fn note_purl(&self) -> Option<String> {
        use vexlake_udfs::kernels::purl::{Components, Purl};
        let note = &self.package_note;
        let ty = note.get("type")?.as_str();
        if !matches!(ty, "rpm" | "deb" | "apk" | "alpm") {
            return None;
        }
        let distro = match (note.get("os"), note.get("osVersion")) {
            (Some(os), Some(v)) => Some(format!("{os}-{v}")),
            (Some(os), None) => Some(os.clone()),
            _ => None,
        };
        let mut qualifiers = Vec::new();
        if let Some(a) = note.get("architecture") {
            qualifiers.push(("arch", a.as_str()));
        }
        if let Some(d) = &distro {
            qualifiers.push(("distro", d.as_str()));
        }
        Purl::build(&Components {
            ty: Some(ty),
            namespace: note.get("os").map(String::as_str),
            name: Some(note.get("name")?),
            version: Some(note.get("version")?),
            qualifiers,
            subpath: None,
        })
        .ok()
        .map(|p| p.canonical())
    }
}

/// Whether a file's first bytes are a binary's: ELF, PE (`MZ`), Mach-O (both byte orders,
/// 32 and 64 bits; fat binaries' `cafebabe` is also a Java class file's and is left out).
pub fn sniff(head: &[u8]) -> bool {
    head.starts_with(b"\x7fELF")
        || head.starts_with(b"MZ")
        || [
            [0xfe, 0xed, 0xfa, 0xce],
            [0xfe, 0xed, 0xfa, 0xcf],
            [0xce, 0xfa, 0xed, 0xfe],
            [0xcf, 0xfa, 0xed, 0xfe],
        ]
        .iter()
        .any(|m| head.starts_with(m))
}

/// Reads a binary. `Ok(None)` for a file that only looked like one (a text file starting
/// with `MZ`); an error names what is broken in a file that is one.
pub fn analyze(bytes: &[u8]) -> Result<Option<Binary>, String> {
    let object = match Object::parse(bytes) {
        Ok(o) => o,
        Err(e) if bytes.starts_with(b"\x7fELF") => return Err(format!("a broken ELF file: {e}")),
        Err(_) => return Ok(None),
    };
    let mut b = Binary::default();
    let mut sections: Vec<(String, &[u8])> = Vec::new();
    let mut translate: Option<Box<dyn Fn(u64) -> Option<usize> + '_>> = None;
    let mut pointer = 8usize;
    let mut little = true;
    match &object {
        Object::Elf(elf) => {
            b.format = Some(Format::Elf);
            b.library =
                elf.header.e_type == goblin::elf::header::ET_DYN && elf.interpreter.is_none();
            b.soname = elf.soname.map(str::to_string);
            b.needed = elf.libraries.iter().map(|s| s.to_string()).collect();
            b.rpath = elf
                .rpaths
                .iter()
                .flat_map(|s| s.split(':'))
                .map(str::to_string)
                .collect();
            b.runpath = elf
                .runpaths
                .iter()
                .flat_map(|s| s.split(':'))
                .map(str::to_string)
                .collect();
            b.interpreter = elf.interpreter.map(str::to_string);
            pointer = if elf.is_64 { 8 } else { 4 };
            little = elf.little_endian;
            if let Some(notes) = elf.iter_note_headers(bytes) {
                for note in notes.flatten() {
                    match (note.name, note.n_type) {
                        ("GNU", goblin::elf::note::NT_GNU_BUILD_ID) => {
                            b.build_id = Some(hex::encode(note.desc));
                        }
                        ("FDO", 0xcafe_1a7e) => {
                            let json = note.desc.split(|&c| c == 0).next().unwrap_or_default();
                            if let Ok(serde_json::Value::Object(o)) = serde_json::from_slice(json) {
                                b.package_note = o
                                    .into_iter()
                                    .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_string())))
                                    .collect();
                            }
                        }
                        _ => {}
                    }
                }
            }
            for sh in &elf.section_headers {
                let Some(name) = elf.shdr_strtab.get_at(sh.sh_name) else {
                    continue;
                };
                if sh.sh_type == goblin::elf::section_header::SHT_NOBITS {
                    continue;
                }
                if let Some(data) = slice(bytes, sh.sh_offset, sh.sh_size) {
                    sections.push((name.to_string(), data));
                }
            }
            let loads: Vec<(u64, u64, u64)> = elf
                .program_headers
                .iter()
                .filter(|p| p.p_type == goblin::elf::program_header::PT_LOAD)
                .map(|p| (p.p_vaddr, p.p_filesz, p.p_offset))
                .collect();
            translate = Some(Box::new(move |address: u64| {
                loads.iter().find_map(|&(vaddr, size, offset)| {
                    (address >= vaddr && address - vaddr < size)
                        .then(|| usize::try_from(offset + (address - vaddr)).ok())
                        .flatten()
                })
            }));
        }
        Object::PE(pe) => {
            b.format = Some(Format::Pe);
            b.library = pe.is_lib;
            b.needed = pe.libraries.iter().map(|s| s.to_string()).collect();
            if pe.clr_data.is_some()
                && let Some(assembly) = pe
                    .resource_data
                    .as_ref()
                    .and_then(|r| r.version_info.as_ref())
                    .and_then(|v| assembly(&v.string_info))
            {
                b.packages = vec![assembly];
                b.manager = Some(Manager::Nuget);
            }
            for s in &pe.sections {
                if let (Ok(name), Some(data)) = (
                    s.name(),
                    slice(
                        bytes,
                        u64::from(s.pointer_to_raw_data),
                        u64::from(s.size_of_raw_data),
                    ),
                ) {
                    sections.push((name.to_string(), data));
                }
            }
        }
        Object::Mach(goblin::mach::Mach::Binary(m)) => {
            b.format = Some(Format::MachO);
            b.library = m.header.filetype == goblin::mach::header::MH_DYLIB;
            // The first entry of `libs` is the file itself.
            b.needed = m.libs.iter().skip(1).map(|s| s.to_string()).collect();
            b.rpath = m.rpaths.iter().map(|s| s.to_string()).collect();
            for segment in &m.segments {
                for (section, data) in segment.sections().unwrap_or_default() {
                    if let Ok(name) = section.name() {
                        sections.push((name.to_string(), data));
                    }
                }
            }
        }
        _ => return Ok(None),
    }

    // Rust crates compiled in, as `cargo auditable` recorded them.
    if let Some((_, data)) = sections.iter().find(|(n, _)| n == ".dep-v0") {
        b.packages = rust::parse_auditable(data)?;
        b.manager = Some(Manager::Cargo);
        return Ok(Some(b));
    }
    // Go's build information: its own section in ELF and Mach-O; searched for elsewhere.
    let blob = sections
        .iter()
        .find(|(n, _)| n == ".go.buildinfo" || n == "__go_buildinfo")
        .map(|(_, d)| *d)
        .filter(|d| d.starts_with(golang::MAGIC))
        .or_else(|| find_aligned(bytes, golang::MAGIC).map(|at| &bytes[at..]));
    if let Some(blob) = blob {
        let string_at = |address: u64| -> Option<Vec<u8>> {
            let at = translate.as_ref()?(address)?;
            let word = |at: usize| -> Option<u64> {
                let w = bytes.get(at..at + pointer)?;
                let mut v = 0u64;
                for i in 0..pointer {
                    v = (v << 8) | u64::from(if little { w[pointer - 1 - i] } else { w[i] });
                }
                Some(v)
            };
            let (data, len) = (word(at)?, word(at + pointer)?);
            let start = translate.as_ref()?(data)?;
            bytes
                .get(start..start.checked_add(usize::try_from(len).ok()?)?)
                .map(<[u8]>::to_vec)
        };
        let info = golang::parse_buildinfo(blob, &string_at)?;
        b.packages = info.modules;
        b.packages.extend(golang::stdlib(&info.go_version));
        b.go_version = Some(info.go_version);
        b.manager = Some(Manager::Go);
    }
    Ok(Some(b))
}

/// A .NET assembly's identity from its version resource: the name its description or file
/// name gives, the file version (`Python.Runtime`, `3.0.3.0`).
fn assembly(info: &goblin::pe::resource::StringFileInfo<'_>) -> Option<Package> {
    let clean = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let strip = |s: String| {
        let lower = s.to_ascii_lowercase();
        if lower.ends_with(".dll") || lower.ends_with(".exe") {
            s[..s.len() - 4].to_string()
        } else {
            s
        }
    };
    let name = clean(info.file_description())
        .filter(|d| !d.contains(' '))
        .or_else(|| clean(info.internal_name()).map(strip))
        .or_else(|| clean(info.original_filename()).map(strip))?;
    let version = clean(info.file_version()).or_else(|| clean(info.product_version()))?;
    // `3.0.3.0 (abc123)` and `1.2.3+sha` carry build metadata after the version.
    let version = version
        .split([' ', '+'])
        .next()
        .unwrap_or_default()
        .to_string();
    Some(Package {
        name,
        version,
        ..Package::default()
    })
}

fn slice(bytes: &[u8], offset: u64, size: u64) -> Option<&[u8]> {
    let start = usize::try_from(offset).ok()?;
    bytes.get(start..start.checked_add(usize::try_from(size).ok()?)?)
}

/// The first 16-byte aligned offset where `needle` starts.
fn find_aligned(bytes: &[u8], needle: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&bytes[from..], needle) {
        let at = from + i;
        if at % 16 == 0 {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_test_binary() {
        // The test binary itself: a dynamically linked ELF file on Linux.
        let me = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let b = analyze(&me).unwrap().unwrap();
        assert_eq!(b.format, Some(Format::Elf));
        assert!(
            b.needed.iter().any(|n| n.starts_with("libc.so")),
            "{:?}",
            b.needed
        );
        assert!(b.interpreter.as_deref().unwrap().contains("ld-linux"));
        assert!(!b.library);
        assert!(sniff(&me[..4]));
        assert_eq!(analyze(b"MZ is not a program").unwrap(), None);
        let noted = Binary {
            package_note: [
                ("type", "rpm"),
                ("name", "curl"),
                ("version", "8.2.1-3.fc39"),
                ("architecture", "x86_64"),
                ("os", "fedora"),
                ("osVersion", "39"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            ..Binary::default()
        };
        assert_eq!(
            noted.note_purl().as_deref(),
            Some("pkg:rpm/fedora/curl@8.2.1-3.fc39?arch=x86_64&distro=fedora-39")
        );
        assert!(analyze(b"\x7fELF\x02\x01\x01 broken").is_err());
        // Every cut of the file's first pages is an error or a reading, never a panic.
        for cut in (0..me.len().min(1 << 16)).step_by(61) {
            let _ = analyze(&me[..cut]);
        }
    }
}
