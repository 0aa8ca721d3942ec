//! Python distributions: `*.dist-info/METADATA` (wheels, pip), `*.egg-info/PKG-INFO` and the
//! single-file `*.egg-info` of old distutils installs. All three are the core metadata format
//! (RFC 822 style headers: `Name`, `Version`, `License-Expression`, `License`, `Classifier`,
//! `Requires-Dist`), of which the header block before the first blank line is read.

use super::Package;

/// The header block's fields, continuation lines (starting with whitespace) joined.
fn headers(text: &str) -> Vec<(&str, String)> {
    let mut out: Vec<(&str, String)> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = out.last_mut() {
                value.push('\n');
                value.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            out.push((key.trim(), value.trim().to_string()));
        }
    }
    out
}

/// The name a requirement names (`urllib3<3,>=1.21.1`, `PySocks!=1.5.7; extra == "socks"`),
/// normalized as PEP 503 says; `None` for a requirement that applies only with an extra.
fn requirement(spec: &str) -> Option<String> {
    let (req, marker) = spec.split_once(';').unwrap_or((spec, ""));
    if marker.contains("extra") {
        return None;
    }
    let end = req
        .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        .unwrap_or(req.len());
    let name = &req[..end];
    (!name.is_empty()).then(|| normalize(name))
}

/// A project name as PEP 503 compares them: lowercase, runs of `-`, `_` and `.` as one `-`.
pub fn normalize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            sep = true;
            continue;
        }
        if sep && !out.is_empty() {
            out.push('-');
        }
        sep = false;
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Parses a METADATA or PKG-INFO file into its distribution.
pub fn parse_metadata(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = String::from_utf8_lossy(bytes);
    let fields = headers(&text);
    let get = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty() && *v != "UNKNOWN")
    };
    let (Some(name), Some(version)) = (get("Name"), get("Version")) else {
        return Err("no Name: or Version: header".into());
    };
    let mut licenses = Vec::new();
    if let Some(expression) = get("License-Expression") {
        licenses.push(expression.to_string());
    } else if let Some(license) = get("License").filter(|l| !l.contains('\n') && l.len() <= 80) {
        // A short name; a licence's whole text in this field is not a name.
        licenses.push(license.to_string());
    } else {
        licenses.extend(fields.iter().filter_map(|(k, v)| {
            let v = v
                .strip_prefix("License :: ")
                .filter(|_| *k == "Classifier")?;
            let name = v.rsplit(" :: ").next()?;
            (name != "OSI Approved").then(|| name.to_string())
        }));
    }
    let mut depends: Vec<String> = fields
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("Requires-Dist"))
        .filter_map(|(_, v)| requirement(v))
        .collect();
    depends.sort();
    depends.dedup();
    Ok(vec![Package {
        name: name.to_string(),
        version: version.to_string(),
        licenses,
        depends,
        ..Package::default()
    }])
}

/// The files a `RECORD` lists (`path,hash,size` CSV lines, paths relative to the directory
/// that holds the `*.dist-info`; scripts reach out of it with `../../../bin/flask`), as
/// normalized paths under the image's root.
pub fn record_files(dist_info: &str, bytes: &[u8]) -> Vec<String> {
    let site = dist_info.rsplit_once('/').map_or("", |(d, _)| d);
    String::from_utf8_lossy(bytes)
        .lines()
        .filter_map(|line| {
            // A path holding a comma is quoted; hashes and sizes never are.
            let path = match line.strip_prefix('"') {
                Some(rest) => rest.split_once("\",").map(|(p, _)| p)?,
                None => line.split(',').next()?,
            };
            (!path.is_empty()).then(|| crate::scan::layers::normalize(&format!("{site}/{path}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata() {
        let m = b"Metadata-Version: 2.1\nName: requests\nVersion: 2.31.0\nLicense: Apache 2.0\n\
Classifier: License :: OSI Approved :: Apache Software License\n\
Requires-Dist: charset-normalizer (<4,>=2)\nRequires-Dist: urllib3<3,>=1.21.1\n\
Requires-Dist: PySocks!=1.5.7,>=1.5.6 ; extra == 'socks'\n\nLong description\nName: no\n";
        let p = &parse_metadata(m).unwrap()[0];
        assert_eq!(
            (p.name.as_str(), p.version.as_str()),
            ("requests", "2.31.0")
        );
        assert_eq!(p.licenses, ["Apache 2.0"]);
        assert_eq!(p.depends, ["charset-normalizer", "urllib3"]);
        let classifiers = b"Name: x\nVersion: 1\nLicense: UNKNOWN\n\
Classifier: License :: OSI Approved :: MIT License\n";
        assert_eq!(
            parse_metadata(classifiers).unwrap()[0].licenses,
            ["MIT License"]
        );
        assert!(parse_metadata(b"Name: x\n").is_err());
        assert_eq!(normalize("Zope.Interface__x"), "zope-interface-x");
        let record = b"flask/__init__.py,sha256=x,2\n\"odd,name.py\",sha256=y,3\n../../../bin/flask,sha256=z,4\nflask-3.0.0.dist-info/RECORD,,\n";
        assert_eq!(
            record_files(
                "usr/lib/python3/site-packages/flask-3.0.0.dist-info",
                record
            ),
            [
                "usr/lib/python3/site-packages/flask/__init__.py",
                "usr/lib/python3/site-packages/odd,name.py",
                "usr/bin/flask",
                "usr/lib/python3/site-packages/flask-3.0.0.dist-info/RECORD"
            ]
        );
    }
}
