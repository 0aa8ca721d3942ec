//! `/etc/os-release` (or `/usr/lib/os-release`): `KEY=value` lines, values optionally quoted.

use std::collections::BTreeMap;

pub fn parse(bytes: &[u8]) -> BTreeMap<String, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        out.insert(
            k.trim().to_string(),
            v.replace("\\\"", "\"").replace("\\\\", "\\"),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn debian() {
        let f = super::parse(
            b"PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\n\
              VERSION_ID=\"12\"\nID=debian\n# comment\nHOME_URL='https://www.debian.org/'\n",
        );
        assert_eq!(f["ID"], "debian");
        assert_eq!(f["VERSION_ID"], "12");
        assert_eq!(f["HOME_URL"], "https://www.debian.org/");
        assert_eq!(f["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
    }
}
