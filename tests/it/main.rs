//! Integration tests: the `vexlake` binary end to end, against the bundled sample, a real
//! S3-compatible server on loopback, concurrent writers and Python's deltalake.

#![allow(clippy::print_stderr)]

mod advisories;
mod changes;
mod cli;
mod common;
mod concurrency;
mod consensus;
mod corpus;
mod exceptions;
mod fleet;
mod manifest;
mod policy;
mod python;
mod ranges;
mod replay;
mod s3;
mod scan;
mod scan_lang;
mod scoring;
mod vex;
