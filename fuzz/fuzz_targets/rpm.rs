#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vexlake_fuzz::versions(
    vexlake_udfs::kernels::versions::Scheme::Rpm,
    data
));
