//! Generated datasets: `vexlake dataset fleet` (a synthetic fleet for benchmarks and
//! fleet-scale tests).

pub mod fleet;
