//! Maven versions, ordered as Maven's `ComparableVersion` (maven-artifact 3.8.7) orders them:
//! items split at `.`, `-` and digit/letter changes, sublists after `-` and changes, trailing
//! "null" items (0, "", final, ga, release) dropped, and qualifiers ranked
//! alpha < beta < milestone < rc = cr < snapshot < release < sp < others (by text).

use std::cmp::Ordering;

#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    Int(String),
    Str(String),
    List(Vec<Item>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maven {
    items: Vec<Item>,
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_INDEX: &str = "5";

fn comparable_qualifier(q: &str) -> String {
    match QUALIFIERS.iter().position(|x| *x == q) {
        Some(i) => i.to_string(),
        None => format!("{}-{q}", QUALIFIERS.len()),
    }
}

fn string_item(value: &str, followed_by_digit: bool) -> Item {
    let v = if followed_by_digit && value.len() == 1 {
        match value {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            other => other,
        }
    } else {
        value
    };
    let v = match v {
        "ga" | "final" | "release" => "",
        "cr" => "rc",
        other => other,
    };
    Item::Str(v.to_string())
}

fn int_item(digits: &str) -> Item {
    let t = digits.trim_start_matches('0');
    Item::Int(if t.is_empty() { "0".into() } else { t.into() })
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => v == "0",
        Item::Str(v) => v.is_empty(),
        Item::List(l) => l.is_empty(),
    }
}

/// `ListItem.normalize()`: drop null items from the end, looking past trailing sublists.
fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if is_null(&list[i]) {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

impl Maven {
    pub fn parse(s: &str) -> Option<Maven> {
        let v = s.trim().to_lowercase();
        if v.is_empty() || v.chars().any(char::is_whitespace) {
            return None;
        }
        // A stack of open lists; the last is the one being filled.
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let chars: Vec<char> = v.chars().collect();
        let mut is_digit = false;
        let mut start = 0;
        let push_item = |stack: &mut Vec<Vec<Item>>, text: &str, digit: bool, followed: bool| {
            let item = if digit {
                int_item(text)
            } else {
                string_item(text, followed)
            };
            stack.last_mut().expect("a list is open").push(item);
        };
        let open_sublist = |stack: &mut Vec<Vec<Item>>| stack.push(Vec::new());
        for i in 0..chars.len() {
            let c = chars[i];
            let text: String = chars[start..i].iter().collect();
            if c == '.' {
                if i == start {
                    push_item(&mut stack, "0", true, false);
                } else {
                    push_item(&mut stack, &text, is_digit, false);
                }
                start = i + 1;
            } else if c == '-' {
                if i == start {
                    push_item(&mut stack, "0", true, false);
                } else {
                    push_item(&mut stack, &text, is_digit, false);
                }
                start = i + 1;
                open_sublist(&mut stack);
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // "1.0.0.X1 < 1.0.0-X2": a qualifier after '.' opens a sublist like '-'.
                    if !stack.last().expect("a list is open").is_empty() {
                        open_sublist(&mut stack);
                    }
                    push_item(&mut stack, &text, false, true);
                    start = i;
                    open_sublist(&mut stack);
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    push_item(&mut stack, &text, true, false);
                    start = i;
                    open_sublist(&mut stack);
                }
                is_digit = false;
            }
        }
        if chars.len() > start {
            // "1.0.0.X1 < 1.0.0-X2": a final qualifier after '.' opens a sublist like '-'.
            if !is_digit && !stack.last().expect("a list is open").is_empty() {
                open_sublist(&mut stack);
            }
            let text: String = chars[start..].iter().collect();
            push_item(&mut stack, &text, is_digit, false);
        }
        // Close the sublists innermost first, normalizing each as Maven does.
        while stack.len() > 1 {
            let mut inner = stack.pop().expect("more than one list");
            normalize(&mut inner);
            stack
                .last_mut()
                .expect("a parent list")
                .push(Item::List(inner));
        }
        let mut items = stack.pop().expect("the root list");
        normalize(&mut items);
        Some(Maven { items })
    }
}

fn cmp_int(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `item.compareTo(other)` where `None` is Maven's `null` (the end of the shorter list).
fn cmp_item(a: &Item, b: Option<&Item>) -> Ordering {
    match (a, b) {
        (Item::Int(v), None) => {
            if v == "0" {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => cmp_int(x, y),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(v), None) => comparable_qualifier(v).as_str().cmp(RELEASE_INDEX),
        (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => comparable_qualifier(x).cmp(&comparable_qualifier(y)),
        (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
        // The whole list against the end (MNG-6964), not just its first item.
        (Item::List(l), None) => l
            .iter()
            .map(|i| cmp_item(i, None))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal),
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => cmp_lists(x, y),
    }
}

fn cmp_lists(x: &[Item], y: &[Item]) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let r = match (x.get(i), y.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => cmp_item(r, None).reverse(),
            (Some(l), r) => cmp_item(l, r),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

impl Ord for Maven {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl PartialOrd for Maven {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_order(chain: &[&str]) {
        for w in chain.windows(2) {
            let (a, b) = (Maven::parse(w[0]).unwrap(), Maven::parse(w[1]).unwrap());
            assert_eq!(a.cmp(&b), Ordering::Less, "{} < {}", w[0], w[1]);
            assert_eq!(b.cmp(&a), Ordering::Greater, "{} > {}", w[1], w[0]);
        }
    }

    #[test]
    fn comparable_version_test_orders() {
        // From maven-artifact's ComparableVersionTest (VERSIONS_QUALIFIER, VERSIONS_NUMBER).
        check_order(&[
            "1-alpha2snapshot",
            "1-alpha2",
            "1-alpha-123",
            "1-beta-2",
            "1-beta123",
            "1-m2",
            "1-m11",
            "1-rc",
            "1-cr2",
            "1-rc123",
            "1-SNAPSHOT",
            "1",
            "1-sp",
            "1-sp2",
            "1-sp123",
            "1-abc",
            "1-def",
            "1-pom-1",
            "1-1-snapshot",
            "1-1",
            "1-2",
            "1-123",
        ]);
        check_order(&[
            "2.0", "2.0.a", "2-1", "2.0.2", "2.0.123", "2.1.0", "2.1-a", "2.1b", "2.1-c", "2.1-1",
            "2.1.0.1", "2.2", "2.123", "11.a2", "11.a11", "11.b2", "11.b11", "11.m2", "11.m11",
            "11", "11.a", "11b", "11c", "11m",
        ]);
        let eq = |a: &str, b: &str| {
            assert_eq!(
                Maven::parse(a).unwrap().cmp(&Maven::parse(b).unwrap()),
                Ordering::Equal,
                "{a} = {b}"
            )
        };
        eq("1", "1.0.0");
        eq("1-final", "1");
        eq("1.0.0.ga", "1");
        eq("1a1", "1-alpha-1");
        eq("1cr1", "1rc1");
        eq("1.0-RC1", "1.0-rc-1");
    }
}
