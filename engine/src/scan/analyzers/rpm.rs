//! rpm's database. rpm 4.16 and later keep it in SQLite (`rpmdb.sqlite`, table `Packages`,
//! one header blob a package); the header format is rpm's own and is read here in Rust, so no
//! librpm is needed at run time. The older Berkeley DB and NDB stores are not read yet.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use super::Package;

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_LICENSE: u32 = 1014;
const TAG_ARCH: u32 = 1022;
const TAG_SOURCERPM: u32 = 1044;
const TAG_PROVIDENAME: u32 = 1047;
const TAG_REQUIRENAME: u32 = 1049;

const TYPE_INT32: u32 = 4;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// One entry of a header's index.
struct Entry {
    tag: u32,
    ty: u32,
    offset: usize,
    count: usize,
}

/// A header blob as rpm stores it in its database: index length, data length, the index
/// (16 bytes an entry, big-endian) and the data store.
pub struct Header<'a> {
    entries: Vec<Entry>,
    data: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

impl<'a> Header<'a> {
    pub fn parse(blob: &'a [u8]) -> Result<Header<'a>, String> {
        let il = be32(blob, 0).ok_or("a header shorter than 8 bytes")? as usize;
        let dl = be32(blob, 4).ok_or("a header shorter than 8 bytes")? as usize;
        let index_end = il
            .checked_mul(16)
            .and_then(|n| n.checked_add(8))
            .filter(|&n| n <= blob.len())
            .ok_or_else(|| {
                format!(
                    "a header of {il} entries does not fit its {} bytes",
                    blob.len()
                )
            })?;
        let data = blob
            .get(index_end..index_end.checked_add(dl).ok_or("header size overflows")?)
            .ok_or_else(|| format!("a header's data store of {dl} bytes is cut short"))?;
        let entries = (0..il)
            .map(|i| {
                let at = 8 + i * 16;
                Entry {
                    tag: be32(blob, at).unwrap_or_default(),
                    ty: be32(blob, at + 4).unwrap_or_default(),
                    offset: be32(blob, at + 8).unwrap_or_default() as usize,
                    count: be32(blob, at + 12).unwrap_or_default() as usize,
                }
            })
            .collect();
        Ok(Header { entries, data })
    }

    fn entry(&self, tag: u32) -> Option<&Entry> {
        self.entries.iter().find(|e| e.tag == tag)
    }

    /// NUL-terminated strings from `offset`, `count` of them.
    fn strings_at(&self, offset: usize, count: usize) -> Vec<String> {
        let mut out = Vec::with_capacity(count.min(4096));
        let mut at = offset;
        for _ in 0..count {
            let Some(rest) = self.data.get(at..) else {
                break;
            };
            let Some(end) = rest.iter().position(|&b| b == 0) else {
                break;
            };
            out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
            at += end + 1;
        }
        out
    }

    pub fn string(&self, tag: u32) -> Option<String> {
        let e = self.entry(tag)?;
        matches!(e.ty, TYPE_STRING | TYPE_I18NSTRING | TYPE_STRING_ARRAY)
            .then(|| self.strings_at(e.offset, 1).into_iter().next())
            .flatten()
    }

    pub fn strings(&self, tag: u32) -> Vec<String> {
        match self.entry(tag) {
            Some(e) if e.ty == TYPE_STRING_ARRAY => self.strings_at(e.offset, e.count),
            Some(e) if matches!(e.ty, TYPE_STRING | TYPE_I18NSTRING) => {
                self.strings_at(e.offset, 1)
            }
            _ => Vec::new(),
        }
    }

    pub fn int32(&self, tag: u32) -> Option<u32> {
        let e = self.entry(tag)?;
        (e.ty == TYPE_INT32 && e.count >= 1)
            .then(|| be32(self.data, e.offset))
            .flatten()
    }

    /// The package this header describes; `None` for rpm's pseudo-packages (`gpg-pubkey`,
    /// imported signing keys, which install no files).
    pub fn package(&self) -> Result<Option<Package>, String> {
        let name = self.string(TAG_NAME).ok_or("a header without a name")?;
        if name == "gpg-pubkey" {
            return Ok(None);
        }
        let version = self
            .string(TAG_VERSION)
            .ok_or_else(|| format!("{name}: no version"))?;
        let release = self
            .string(TAG_RELEASE)
            .ok_or_else(|| format!("{name}: no release"))?;
        let mut depends: Vec<String> = self
            .strings(TAG_REQUIRENAME)
            .into_iter()
            .filter(|r| !r.starts_with("rpmlib("))
            .collect();
        depends.dedup();
        let mut provides = self.strings(TAG_PROVIDENAME);
        provides.retain(|p| p != &name);
        Ok(Some(Package {
            version: format!("{version}-{release}"),
            epoch: self.int32(TAG_EPOCH).map(u64::from),
            arch: self.string(TAG_ARCH),
            source: self.string(TAG_SOURCERPM).filter(|s| s != "(none)"),
            source_version: None,
            licenses: self.string(TAG_LICENSE).into_iter().collect(),
            depends,
            provides,
            name,
        }))
    }
}

/// Reads the packages of an `rpmdb.sqlite`. SQLite opens files, not bytes: the database is
/// copied into the scan's temporary directory `work` and opened read-only and immutable there.
pub fn parse_sqlite(bytes: &[u8], work: &Path) -> Result<Vec<Package>, String> {
    let file = tempfile::Builder::new()
        .prefix("rpmdb-")
        .suffix(".sqlite")
        .tempfile_in(work)
        .map_err(|e| format!("cannot write a temporary copy in {}: {e}", work.display()))?;
    std::fs::write(file.path(), bytes)
        .map_err(|e| format!("cannot write a temporary copy: {e}"))?;
    let uri = format!("file:{}?immutable=1", file.path().display());
    let conn = Connection::open_with_flags(
        &uri,
        OpenFlags::SQLITE_OPEN_READ_ONLY
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("not an SQLite database: {e}"))?;
    let mut stmt = conn
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum") // sql-ok: rpm's own database, not the lake
        .map_err(|e| format!("not an rpm database (no Packages table): {e}"))?;
    let rows = stmt
        .query_map([], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, Vec<u8>>(1)?))
        })
        .map_err(|e| format!("cannot read Packages: {e}"))?;
    let mut out = Vec::new();
    for row in rows {
        let (hnum, blob) = row.map_err(|e| format!("cannot read Packages: {e}"))?;
        let header = Header::parse(&blob).map_err(|e| format!("package {hnum}: {e}"))?;
        if let Some(p) = header
            .package()
            .map_err(|e| format!("package {hnum}: {e}"))?
        {
            out.push(p);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a header blob the way rpm lays it out.
    fn header(entries: &[(u32, u32, &[u8], u32)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for &(tag, ty, bytes, count) in entries {
            if ty == TYPE_INT32 {
                while data.len() % 4 != 0 {
                    data.push(0);
                }
            }
            index.extend(tag.to_be_bytes());
            index.extend(ty.to_be_bytes());
            index.extend((data.len() as u32).to_be_bytes());
            index.extend(count.to_be_bytes());
            data.extend_from_slice(bytes);
        }
        let mut out = Vec::new();
        out.extend((entries.len() as u32).to_be_bytes());
        out.extend((data.len() as u32).to_be_bytes());
        out.extend(index);
        out.extend(data);
        out
    }

    #[test]
    fn header_blob() {
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, b"openssl-libs\0", 1),
            (TAG_VERSION, TYPE_STRING, b"3.0.7\0", 1),
            (TAG_RELEASE, TYPE_STRING, b"18.el9_2\0", 1),
            (TAG_EPOCH, TYPE_INT32, &1u32.to_be_bytes(), 1),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0", 1),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                b"openssl-3.0.7-18.el9_2.src.rpm\0",
                1,
            ),
            (
                TAG_REQUIRENAME,
                TYPE_STRING_ARRAY,
                b"rpmlib(x)\0libc.so.6\0",
                2,
            ),
        ]);
        let p = Header::parse(&blob).unwrap().package().unwrap().unwrap();
        assert_eq!(p.name, "openssl-libs");
        assert_eq!(p.version, "3.0.7-18.el9_2");
        assert_eq!(p.epoch, Some(1));
        assert_eq!(p.arch.as_deref(), Some("x86_64"));
        assert_eq!(p.source.as_deref(), Some("openssl-3.0.7-18.el9_2.src.rpm"));
        assert_eq!(p.depends, ["libc.so.6"]);
    }

    /// Mutations of a real-shaped header (a seeded xorshift) never panic the reader.
    #[test]
    fn mutated_headers_never_panic() {
        let good = header(&[
            (TAG_NAME, TYPE_STRING, b"bash\0", 1),
            (TAG_VERSION, TYPE_STRING, b"5.1.8\0", 1),
            (TAG_RELEASE, TYPE_STRING, b"6.el9\0", 1),
            (TAG_EPOCH, TYPE_INT32, &0u32.to_be_bytes(), 1),
            (TAG_PROVIDENAME, TYPE_STRING_ARRAY, b"bash\0/bin/sh\0", 2),
        ]);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for i in 0..20_000 {
            let mut blob = good.clone();
            for _ in 0..1 + i % 6 {
                let r = next();
                let at = (r % blob.len() as u64) as usize;
                blob[at] = (r >> 40) as u8;
            }
            let cut = (next() % (blob.len() as u64 + 1)) as usize;
            if let Ok(h) = Header::parse(&blob[..cut.max(blob.len() * (i % 2))]) {
                let _ = h.package();
            }
        }
    }

    #[test]
    fn bad_headers_are_errors() {
        assert!(Header::parse(&[0, 0]).is_err());
        assert!(Header::parse(&[0, 0, 0, 9, 0, 0, 0, 0]).is_err());
        let cut = header(&[(TAG_NAME, TYPE_STRING, b"x\0", 1)]);
        assert!(Header::parse(&cut[..cut.len() - 1]).is_err());
        let nameless = header(&[(TAG_VERSION, TYPE_STRING, b"1\0", 1)]);
        assert!(Header::parse(&nameless).unwrap().package().is_err());
        let dir = tempfile::tempdir().unwrap();
        assert!(parse_sqlite(b"not sqlite", dir.path()).is_err());
    }
}
