//! Elixir and Erlang packages: `mix.lock`, an Elixir map whose Hex entries read
//! `"name": {:hex, :name, "version", "checksum", [:mix], [deps], "hexpm", "checksum"}`. Git
//! and path dependencies have no Hex version and are left out.

use std::sync::LazyLock;

use regex::Regex;

use super::Package;

static HEX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*"?([\w-]+)"?:\s*\{:hex,\s*:"?([\w-]+)"?,\s*"([^"]+)""#)
        .expect("a valid pattern")
});

pub fn parse_mix_lock(bytes: &[u8]) -> Result<Vec<Package>, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {e}"))?;
    if !text.trim_start().starts_with("%{") {
        return Err("not an Elixir map: not a mix.lock".into());
    }
    Ok(HEX
        .captures_iter(text)
        .map(|c| Package {
            name: c[2].to_string(),
            version: c[3].to_string(),
            ..Package::default()
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mix_lock() {
        let lock = br#"%{
  "castore": {:hex, :castore, "1.0.5", "9eeebb394cc9a0f3ae56b813459f990abb0a3dedee1be6b27fdb50301930502f", [:mix], [], "hexpm", "8d7c597c3e4a64c395980882d4bca3cebb8d74197c590dc272cfd3b6a6310578"},
  "phoenix": {:hex, :phoenix, "1.7.10", "02189140a61b2ce85bb633a9b6fd02dff705a5f1596869547aeb2b2b95edd729", [:mix], [{:castore, ">= 0.0.0", [hex: :castore, repo: "hexpm", optional: false]}], "hexpm", "cf784932e010fd736d656d7fead6a584a4498efefe5b8227e9f383bf15bb79d0"},
  "local": {:git, "https://github.com/x/local.git", "abc", []},
}
"#;
        let p = parse_mix_lock(lock).unwrap();
        let got: Vec<_> = p
            .iter()
            .map(|p| format!("{}@{}", p.name, p.version))
            .collect();
        assert_eq!(got, ["castore@1.0.5", "phoenix@1.7.10"]);
        assert!(parse_mix_lock(b"{}").is_err());
    }
}
