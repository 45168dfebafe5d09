//! The registry-wide mapping parser on any text. Property: a typed error or a mapping.
#![no_main]

use dicohort::load::wide::Mapping;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Mapping::parse("fuzz.mapping.toml", text);
});
