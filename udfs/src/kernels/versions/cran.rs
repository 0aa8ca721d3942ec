//! CRAN versions, as R's `package_version` reads and orders them: at least two non-negative
//! integers separated by `.` or `-`. R pads versions with zeros before comparing them, so
//! trailing zeros do not count (`1.0 = 1.0-0 = 1.0.0`; checked against R 4.2.2 in
//! `tests/fixtures/versions/cran.txt`).

use super::numeric::Numeric;

pub fn parse(s: &str) -> Option<Numeric> {
    let mut n = Numeric::split(super::trim(s), &['.', '-'])?;
    if n.parts.len() < 2 {
        return None;
    }
    while n.parts.last() == Some(&0) {
        n.parts.pop();
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_version_rules() {
        assert!(parse("1.0-1").unwrap() < parse("1.0.2").unwrap());
        assert!(parse("1.10").unwrap() > parse("1.9").unwrap());
        assert_eq!(parse("1.0-1"), parse("1.0.1"));
        assert_eq!(parse("1.0"), parse("1.0-0"));
        assert!(parse("1").is_none());
        assert!(parse("1.a").is_none());
    }
}
