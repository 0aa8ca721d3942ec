//! Ruby gems: installed gems' `specifications/*.gemspec` (the Ruby code RubyGems writes for
//! each installed gem; its `name`, `version` and `licenses` assignments are read, never run)
//! and Bundler's `Gemfile.lock` (the `specs:` of its `GEM`, `GIT` and `PATH` sections).

use std::sync::LazyLock;

use regex::Regex;

use super::Package;

static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)^\s*\w+\.(name|version|licenses?)\s*=\s*(?:Gem::Version\.new\()?(\[[^\]]*\]|"[^"]*"|'[^']*')"#,
    )
    .expect("a valid pattern")
});

static QUOTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#""([^"]*)"|'([^']*)'"#).expect("a valid pattern"));

fn strings(value: &str) -> Vec<String> {
    QUOTED
        .captures_iter(value)
        .filter_map(|c| c.get(1).or(c.get(2)).map(|m| m.as_str().to_string()))
        .collect()
}

/// An installed gem's specification.
pub fn parse_gemspec(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = String::from_utf8_lossy(bytes);
    let mut p = Package::default();
    for c in ASSIGN.captures_iter(&text) {
        let values = strings(&c[2]);
        match &c[1] {
            "name" if p.name.is_empty() => p.name = values.into_iter().next().unwrap_or_default(),
            "version" if p.version.is_empty() => {
                p.version = values.into_iter().next().unwrap_or_default()
            }
            "license" | "licenses" if p.licenses.is_empty() => p.licenses = values,
            _ => {}
        }
    }
    if p.name.is_empty() || p.version.is_empty() {
        return Err("no name or version assignment: not a gem specification".into());
    }
    Ok(vec![p])
}

/// `Gemfile.lock`: a spec is a line indented four spaces, `name (version)` or
/// `name (version-platform)`; its dependencies are the lines under it indented six.
pub fn parse_gemfile_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    let mut out: Vec<Package> = Vec::new();
    let mut in_specs = false;
    for line in text.lines() {
        if !line.starts_with(' ') {
            in_specs = false;
            continue;
        }
        if line.trim() == "specs:" {
            in_specs = true;
            continue;
        }
        if !in_specs {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let Some((name, rest)) = line.trim().split_once(" (") else {
            continue;
        };
        match indent {
            4 => {
                let version = rest.trim_end_matches(')');
                // A platform gem: `nokogiri (1.15.4-x86_64-linux)`.
                let version = version.split_once('-').map_or(version, |(v, _)| v);
                out.push(Package {
                    name: name.to_string(),
                    version: version.to_string(),
                    ..Package::default()
                });
            }
            6 => {
                if let Some(last) = out.last_mut() {
                    last.depends.push(name.to_string());
                }
            }
            _ => {}
        }
    }
    if out.is_empty() && !text.contains("specs:") {
        return Err("no specs: section: not a Gemfile.lock".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gemspec_and_lock() {
        let spec = b"# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rack\".freeze\n  s.version = \"2.2.4\"\n  s.licenses = [\"MIT\".freeze]\n  s.add_runtime_dependency(%q<x>.freeze, [\">= 0\"])\nend\n";
        let p = &parse_gemspec(spec).unwrap()[0];
        assert_eq!((p.name.as_str(), p.version.as_str()), ("rack", "2.2.4"));
        assert_eq!(p.licenses, ["MIT"]);
        assert!(parse_gemspec(b"puts 1").is_err());
        let lock = b"GEM\n  remote: https://rubygems.org/\n  specs:\n    actionpack (7.0.4)\n      rack (~> 2.0)\n    nokogiri (1.15.4-x86_64-linux)\n    rack (2.2.4)\n\nPLATFORMS\n  x86_64-linux\n\nDEPENDENCIES\n  rack\n";
        let p = parse_gemfile_lock(lock).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(got, ["actionpack@7.0.4", "nokogiri@1.15.4", "rack@2.2.4"]);
        assert_eq!(p[0].depends, ["rack"]);
    }
}
