//! A CSAF 2.0 product tree, resolved: every product id to the package URL and CPE of its
//! `product_identification_helper` (branches, full product names), a relationship's product to
//! its component's and to the platform it is a component of, and product groups to their ids.
//! Advisory ingestion (linksets) and VEX ingestion (statements) both read CSAF through it.

use std::collections::HashMap;

use serde_json::Value;

/// What a product id stands for: its package URL and CPE, and the CPE of the platform it is a
/// component of (through a relationship).
#[derive(Clone, Default)]
pub(crate) struct Product {
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub platform_cpe: Option<String>,
}

pub(crate) fn text(v: &Value, pointer: &str) -> Option<String> {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
}

pub(crate) fn list<'a>(v: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    v.get(key).and_then(Value::as_array).into_iter().flatten()
}

fn helper(product: &Value) -> Product {
    Product {
        purl: text(product, "/product_identification_helper/purl"),
        cpe: text(product, "/product_identification_helper/cpe"),
        platform_cpe: None,
    }
}

/// Every product id of the product tree, resolved.
pub(crate) fn products(tree: &Value) -> HashMap<String, Product> {
    let mut out: HashMap<String, Product> = HashMap::new();
    fn walk(branches: &Value, out: &mut HashMap<String, Product>) {
        for b in branches.as_array().into_iter().flatten() {
            if let Some(p) = b.get("product")
                && let Some(id) = p.get("product_id").and_then(Value::as_str)
            {
                out.insert(id.to_string(), helper(p));
            }
            if let Some(children) = b.get("branches") {
                walk(children, out);
            }
        }
    }
    if let Some(branches) = tree.get("branches") {
        walk(branches, &mut out);
    }
    for p in list(tree, "full_product_names") {
        if let Some(id) = p.get("product_id").and_then(Value::as_str) {
            out.insert(id.to_string(), helper(p));
        }
    }
    // Relationships after the products they name (a relationship may name another's result).
    let relationships: Vec<&Value> = list(tree, "relationships").collect();
    for _ in 0..2 {
        for r in &relationships {
            let Some(id) = text(r, "/full_product_name/product_id") else {
                continue;
            };
            let component = text(r, "/product_reference")
                .and_then(|c| out.get(&c).cloned())
                .unwrap_or_default();
            let platform =
                text(r, "/relates_to_product_reference").and_then(|p| out.get(&p).cloned());
            let own = r.get("full_product_name").map(helper).unwrap_or_default();
            out.insert(
                id,
                Product {
                    purl: own.purl.or(component.purl),
                    cpe: own.cpe.or(component.cpe),
                    platform_cpe: platform.and_then(|p| p.cpe.or(p.platform_cpe)),
                },
            );
        }
    }
    out
}

/// The product groups of a product tree: each group id and the product ids it stands for.
pub(crate) fn groups(tree: &Value) -> HashMap<&str, Vec<&str>> {
    list(tree, "product_groups")
        .filter_map(|g| {
            let ids = list(g, "product_ids").filter_map(Value::as_str).collect();
            Some((g.get("group_id")?.as_str()?, ids))
        })
        .collect()
}

/// The product ids an entry names (`product_ids`, and `group_ids` through `groups`).
pub(crate) fn product_ids<'a>(
    entry: &'a Value,
    groups: &'a HashMap<&str, Vec<&str>>,
) -> impl Iterator<Item = &'a str> {
    let grouped = list(entry, "group_ids")
        .filter_map(Value::as_str)
        .flat_map(|g| groups.get(g).into_iter().flatten().copied());
    list(entry, "product_ids")
        .filter_map(Value::as_str)
        .chain(grouped)
}
