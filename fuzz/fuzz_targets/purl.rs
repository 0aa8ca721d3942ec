#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| vexlake_fuzz::purl(data));
