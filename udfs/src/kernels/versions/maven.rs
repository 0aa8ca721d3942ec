//! Maven versions, ordered as Maven's `ComparableVersion` (maven-artifact 3.8.7) orders them:
//! items split at `.`, `-` and digit/letter changes, sublists after `-` and changes, trailing
//! "null" items (0, "", final, ga, release) dropped, and qualifiers ranked
//! alpha < beta < milestone < rc = cr < snapshot < release < sp < others (by text).

use std::borrow::Cow;
use std::cmp::Ordering;

use super::number::Number;

/// A parsed item. Parsing allocates only for sublists and for qualifiers Maven does not know;
/// comparing allocates nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Item {
    /// Maven keeps up to 9 digits in an int, 18 in a long and the rest in a BigInteger; a
    /// shorter number is always the smaller, so ordering by value is Maven's order.
    Int(Number),
    Str(Qualifier),
    List(Vec<Item>),
}

/// A string item as Maven ranks it: `StringItem.comparableQualifier` is the qualifier's index in
/// alpha, beta, milestone, rc, snapshot, "" (release), sp; or `"7-" + text` for any other, which
/// sorts after them all and among themselves by text.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Qualifier {
    rank: u8,
    /// Empty for the known qualifiers.
    text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Maven {
    items: Vec<Item>,
}

const QUALIFIERS: [&str; 7] = ["alpha", "beta", "milestone", "rc", "snapshot", "", "sp"];
const RELEASE_RANK: u8 = 5;

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
    Item::Str(match QUALIFIERS.iter().position(|q| *q == v) {
        Some(rank) => Qualifier {
            rank: rank as u8,
            text: String::new(),
        },
        None => Qualifier {
            rank: QUALIFIERS.len() as u8,
            text: v.to_string(),
        },
    })
}

fn int_item(digits: &str) -> Item {
    Item::Int(Number::from_digits(digits))
}

fn item(text: &str, digit: bool, followed_by_digit: bool) -> Item {
    if digit {
        int_item(text)
    } else {
        string_item(text, followed_by_digit)
    }
}

fn is_null(item: &Item) -> bool {
    match item {
        Item::Int(v) => *v == Number::ZERO,
        Item::Str(q) => q.rank == RELEASE_RANK,
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

/// A stack of open lists; the last is the one being filled.
struct Lists(Vec<Vec<Item>>);

impl Lists {
    fn current(&mut self) -> &mut Vec<Item> {
        self.0.last_mut().expect("the root list stays open")
    }
    fn push(&mut self, item: Item) {
        self.current().push(item);
    }
    fn open(&mut self) {
        self.0.push(Vec::new());
    }
    /// Closes the sublists innermost first, normalizing each as Maven does, then the root.
    fn close(mut self) -> Vec<Item> {
        while self.0.len() > 1 {
            let mut inner = self.0.pop().expect("more than one list");
            normalize(&mut inner);
            self.push(Item::List(inner));
        }
        let mut root = self.0.pop().expect("the root list");
        normalize(&mut root);
        root
    }
}

impl Maven {
    pub fn parse(s: &str) -> Option<Maven> {
        let v = super::trim(s);
        if v.is_empty() || v.chars().any(char::is_whitespace) {
            return None;
        }
        let v: Cow<str> = if v.chars().any(char::is_uppercase) {
            Cow::Owned(v.to_lowercase())
        } else {
            Cow::Borrowed(v)
        };
        let v = v.as_ref();
        let mut lists = Lists(vec![Vec::new()]);
        let mut is_digit = false;
        let mut start = 0;
        for (i, c) in v.char_indices() {
            if c == '.' || c == '-' {
                if i == start {
                    lists.push(Item::Int(Number::ZERO));
                } else {
                    lists.push(item(&v[start..i], is_digit, false));
                }
                start = i + 1;
                if c == '-' {
                    lists.open();
                }
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    // "1.0.0.X1 < 1.0.0-X2": a qualifier after '.' opens a sublist like '-'.
                    if !lists.current().is_empty() {
                        lists.open();
                    }
                    lists.push(string_item(&v[start..i], true));
                    start = i;
                    lists.open();
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    lists.push(int_item(&v[start..i]));
                    start = i;
                    lists.open();
                }
                is_digit = false;
            }
        }
        if v.len() > start {
            // "1.0.0.X1 < 1.0.0-X2": a final qualifier after '.' opens a sublist like '-'.
            if !is_digit && !lists.current().is_empty() {
                lists.open();
            }
            lists.push(item(&v[start..], is_digit, false));
        }
        Some(Maven {
            items: lists.close(),
        })
    }

    /// Whether comparing with `other` meets, at the place where the two versions first differ,
    /// two items of different kinds that Maven orders against their own ranks to the end of a
    /// version. That is where Maven's order stops being transitive: an int ranks above every
    /// string and list and a list above every string, yet `0` ranks equal to the end of a
    /// version, `sp` or an unknown qualifier above it and a list such as `-a4` either side of
    /// it. So in maven-artifact itself `1 < 1-sp < 1.0.rc.1 < 1` and `1.x > 1 > 1--a4 > 1.x`.
    /// vexlake reproduces this exactly; the laws are checked everywhere else.
    pub fn meets_incoherent_items(&self, other: &Maven) -> bool {
        let mut met = false;
        cmp_lists(&self.items, &other.items, &mut Some(&mut met));
        met
    }
}

/// `item.compareTo(other)` where `None` is Maven's `null` (the end of the shorter list).
/// `incoherent`, when given, is set when two items of different kinds are ordered against their
/// ranks to the end of a version (see [`Maven::meets_incoherent_items`]).
fn cmp_item(a: &Item, b: Option<&Item>, incoherent: &mut Option<&mut bool>) -> Ordering {
    let order = match (a, b) {
        (Item::Int(v), None) => {
            if *v == Number::ZERO {
                Ordering::Equal
            } else {
                Ordering::Greater
            }
        }
        (Item::Int(x), Some(Item::Int(y))) => x.cmp(y),
        (Item::Int(_), Some(_)) => Ordering::Greater,
        (Item::Str(q), None) => q.rank.cmp(&RELEASE_RANK),
        (Item::Str(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::Str(x), Some(Item::Str(y))) => x.cmp(y),
        (Item::Str(_), Some(Item::List(_))) => Ordering::Less,
        // The whole list against the end (MNG-6964), not just its first item.
        (Item::List(l), None) => l
            .iter()
            .map(|i| cmp_item(i, None, &mut None))
            .find(|o| *o != Ordering::Equal)
            .unwrap_or(Ordering::Equal),
        (Item::List(_), Some(Item::Int(_))) => Ordering::Less,
        (Item::List(_), Some(Item::Str(_))) => Ordering::Greater,
        (Item::List(x), Some(Item::List(y))) => return cmp_lists(x, y, incoherent),
    };
    if let (Some(flag), Some(b)) = (incoherent.as_deref_mut(), b)
        && std::mem::discriminant(a) != std::mem::discriminant(b)
    {
        let (to_end_a, to_end_b) = (cmp_item(a, None, &mut None), cmp_item(b, None, &mut None));
        if to_end_a != to_end_b && to_end_a.cmp(&to_end_b) != order {
            *flag = true;
        }
    }
    order
}

fn cmp_lists(x: &[Item], y: &[Item], incoherent: &mut Option<&mut bool>) -> Ordering {
    for i in 0..x.len().max(y.len()) {
        let r = match (x.get(i), y.get(i)) {
            (None, None) => Ordering::Equal,
            (None, Some(r)) => cmp_item(r, None, incoherent).reverse(),
            (Some(l), r) => cmp_item(l, r, incoherent),
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

impl Ord for Maven {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items, &mut None)
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

    #[test]
    fn maven_itself_is_cyclic_where_items_of_different_kinds_meet() {
        // What maven-artifact 3.8.7's ComparableVersion answers (Debian's maven, checked with
        // `java -cp /usr/share/maven/lib/maven-artifact-3.x.jar`): 1.x > 1 > 1--a4 > 1.x, and
        // 1 < 1-sp < 1.0.rc.1 < 1.
        let p = |v: &str| Maven::parse(v).unwrap();
        // Each triple with the one pair whose first difference is incoherent: a string against
        // a list, and an int 0 against a list that ranks above the end of a version.
        for ([a, b, c], incoherent) in [
            (["1.x", "1", "1--a4"], ("1.x", "1--a4")),
            (["1.0.rc.1", "1-sp", "1"], ("1.0.rc.1", "1-sp")),
        ] {
            let (pa, pb, pc) = (p(a), p(b), p(c));
            assert_eq!(pa.cmp(&pb), Ordering::Greater);
            assert_eq!(pb.cmp(&pc), Ordering::Greater);
            assert_eq!(pa.cmp(&pc), Ordering::Less);
            for (x, y) in [(a, b), (b, c), (a, c)] {
                let want = (x, y) == incoherent;
                assert_eq!(p(x).meets_incoherent_items(&p(y)), want, "{x} vs {y}");
                assert_eq!(p(y).meets_incoherent_items(&p(x)), want, "{y} vs {x}");
            }
        }
        assert!(!p("1.0-rc1").meets_incoherent_items(&p("1.0.1")));
    }
}
