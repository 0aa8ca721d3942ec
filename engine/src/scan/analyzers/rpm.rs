//! rpm's database. rpm 4.16 and later keep it in SQLite (`rpmdb.sqlite`, table `Packages`,
//! one header blob a package); older rpms in a Berkeley DB hash database (`Packages`). The
//! header format is rpm's own; it and the Berkeley DB pages are read here in Rust, so no librpm
//! or libdb is needed at run time. The NDB store (`Packages.db`, SUSE) is not read yet.

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
const TAG_DIRINDEXES: u32 = 1116;
const TAG_BASENAMES: u32 = 1117;
const TAG_DIRNAMES: u32 = 1118;

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

    /// An INT32 array (at most as many values as the data holds).
    pub fn int32s(&self, tag: u32) -> Vec<u32> {
        match self.entry(tag) {
            Some(e) if e.ty == TYPE_INT32 => (0..e.count)
                .map_while(|i| be32(self.data, e.offset.checked_add(i.checked_mul(4)?)?))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The installed files: each base name joined to the directory its index names.
    pub fn files(&self) -> Vec<String> {
        let dirs = self.strings(TAG_DIRNAMES);
        let indexes = self.int32s(TAG_DIRINDEXES);
        self.strings(TAG_BASENAMES)
            .iter()
            .zip(indexes)
            .filter_map(|(base, i)| {
                let dir = dirs.get(usize::try_from(i).ok()?)?;
                Some(crate::scan::layers::normalize(&format!("{dir}{base}")))
            })
            .collect()
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
            files: self.files(),
            name,
            ..Package::default()
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

/// Berkeley DB's page types and item types that a hash database's reader meets.
const P_HASH_UNSORTED: u8 = 2;
const P_OVERFLOW: u8 = 7;
const P_HASH: u8 = 13;
const H_OFFPAGE: u8 = 3;
const HASH_MAGIC: u32 = 0x061561;
/// A page's header: LSN, page number, previous and next page, entries, high free offset,
/// level, type.
const PAGE_HEADER: usize = 26;

/// Reads the packages of rpm's Berkeley DB `Packages` (rpm before 4.16; CentOS 5 to 8): a
/// Berkeley DB hash database whose values are header blobs, each on a chain of overflow
/// pages. Read-only and in Rust: the metadata page gives the byte order and page size, then
/// every hash page's key/value pairs are visited and each off-page value is gathered from its
/// overflow chain.
pub fn parse_berkeley(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let raw32 = |at: usize| -> Option<[u8; 4]> { bytes.get(at..at + 4)?.try_into().ok() };
    let magic = raw32(12).ok_or("shorter than a Berkeley DB metadata page")?;
    let big_endian = if u32::from_le_bytes(magic) == HASH_MAGIC {
        false
    } else if u32::from_be_bytes(magic) == HASH_MAGIC {
        true
    } else {
        return Err("not a Berkeley DB hash database (no hash magic on the metadata page)".into());
    };
    let u32_at = |page: &[u8], at: usize| -> Option<u32> {
        let b: [u8; 4] = page.get(at..at + 4)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let u16_at = |page: &[u8], at: usize| -> Option<u16> {
        let b: [u8; 2] = page.get(at..at + 2)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let page_size = u32_at(bytes, 20).unwrap_or_default() as usize;
    if !(512..=65536).contains(&page_size) || !page_size.is_power_of_two() {
        return Err(format!("a Berkeley DB page size of {page_size} bytes"));
    }
    let pages = bytes.len() / page_size;
    let page = |n: usize| bytes.get(n * page_size..(n + 1) * page_size);
    let mut out = Vec::new();
    for n in 1..pages {
        let Some(p) = page(n) else { break };
        if !matches!(p[25], P_HASH | P_HASH_UNSORTED) {
            continue;
        }
        let entries = u16_at(p, 20).unwrap_or_default() as usize;
        // Items alternate key, value; the value of each pair is what rpm stored.
        for pair in (0..entries).step_by(2) {
            let Some(offset) = u16_at(p, PAGE_HEADER + (pair + 1) * 2) else {
                break;
            };
            let item = p
                .get(offset as usize..)
                .ok_or_else(|| format!("page {n}: an item outside the page"))?;
            if item.first() != Some(&H_OFFPAGE) {
                // Small inline values (rpm's record 0, a counter) are not headers.
                continue;
            }
            let mut next = u32_at(item, 4).ok_or_else(|| format!("page {n}: a cut item"))? as usize;
            let total = u32_at(item, 8).ok_or_else(|| format!("page {n}: a cut item"))? as usize;
            if total > bytes.len() {
                return Err(format!(
                    "page {n}: a value of {total} bytes in a smaller file"
                ));
            }
            let mut blob = Vec::with_capacity(total);
            let mut hops = 0;
            while next != 0 && blob.len() < total {
                hops += 1;
                let o = page(next)
                    .filter(|o| o[25] == P_OVERFLOW && hops <= pages)
                    .ok_or_else(|| format!("page {n}: a broken overflow chain at page {next}"))?;
                let len = (u16_at(o, 22).unwrap_or_default() as usize).min(page_size - PAGE_HEADER);
                blob.extend_from_slice(&o[PAGE_HEADER..PAGE_HEADER + len]);
                next = u32_at(o, 16).unwrap_or_default() as usize;
            }
            if blob.len() < total {
                return Err(format!(
                    "page {n}: an overflow chain ends {} bytes short",
                    total - blob.len()
                ));
            }
            blob.truncate(total);
            let header = Header::parse(&blob).map_err(|e| format!("page {n}: {e}"))?;
            if let Some(p) = header.package().map_err(|e| format!("page {n}: {e}"))? {
                out.push(p);
            }
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

    /// A Berkeley DB hash database laid out as rpm's `Packages` is: a metadata page, a hash
    /// page with one key/value pair whose value is off-page, and the value's overflow chain.
    fn berkeley(blob: &[u8], page_size: usize) -> Vec<u8> {
        let mut db = vec![0u8; page_size * 4];
        db[12..16].copy_from_slice(&HASH_MAGIC.to_le_bytes());
        db[20..24].copy_from_slice(&(page_size as u32).to_le_bytes());
        db[25] = 8;
        let hash = &mut db[page_size..2 * page_size];
        hash[25] = P_HASH;
        hash[20..22].copy_from_slice(&2u16.to_le_bytes());
        let (key_at, value_at) = (page_size - 8, page_size - 24);
        hash[26..28].copy_from_slice(&(key_at as u16).to_le_bytes());
        hash[28..30].copy_from_slice(&(value_at as u16).to_le_bytes());
        hash[key_at] = 1;
        hash[key_at + 1..key_at + 5].copy_from_slice(&7u32.to_le_bytes());
        hash[value_at] = H_OFFPAGE;
        hash[value_at + 4..value_at + 8].copy_from_slice(&2u32.to_le_bytes());
        hash[value_at + 8..value_at + 12].copy_from_slice(&(blob.len() as u32).to_le_bytes());
        let room = page_size - PAGE_HEADER;
        for (i, chunk) in blob.chunks(room).enumerate().take(2) {
            let page = &mut db[(2 + i) * page_size..(3 + i) * page_size];
            page[25] = P_OVERFLOW;
            page[22..24].copy_from_slice(&(chunk.len() as u16).to_le_bytes());
            let next = if i == 0 { 3u32 } else { 0 };
            page[16..20].copy_from_slice(&next.to_le_bytes());
            page[PAGE_HEADER..PAGE_HEADER + chunk.len()].copy_from_slice(chunk);
        }
        db
    }

    #[test]
    fn berkeley_db_packages() {
        let blob = header(&[
            (TAG_NAME, TYPE_STRING, b"bash\0", 1),
            (TAG_VERSION, TYPE_STRING, b"4.2.46\0", 1),
            (TAG_RELEASE, TYPE_STRING, b"30.el7\0", 1),
            (TAG_ARCH, TYPE_STRING, b"x86_64\0", 1),
            (
                TAG_SOURCERPM,
                TYPE_STRING,
                b"bash-4.2.46-30.el7.src.rpm\0",
                1,
            ),
            (TAG_LICENSE, TYPE_STRING, &[b'x'; 500][..], 1),
        ]);
        assert!(blob.len() > 512, "the value spans two overflow pages");
        let db = berkeley(&blob, 512);
        let p = parse_berkeley(&db).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].version.as_str()),
            ("bash", "4.2.46-30.el7")
        );
        // A broken chain is an error, a cut file never a panic, another file not a database.
        let mut broken = db.clone();
        broken[2 * 512 + 16..2 * 512 + 20].copy_from_slice(&9u32.to_le_bytes());
        assert!(
            parse_berkeley(&broken)
                .unwrap_err()
                .contains("overflow chain")
        );
        for cut in 0..db.len() {
            let _ = parse_berkeley(&db[..cut]);
        }
        assert!(
            parse_berkeley(&[0u8; 4096])
                .unwrap_err()
                .contains("hash magic")
        );
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
