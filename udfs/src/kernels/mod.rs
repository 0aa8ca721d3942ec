//! Plain-Rust domain logic, free of Arrow: the SQL functions are thin adapters over these.

pub mod cvss;
pub mod k4;
pub mod osv_range;
pub mod pack;
pub mod purl;
pub mod score;
pub mod vers;
pub mod versions;
