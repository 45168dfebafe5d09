//! The subgroup expression parser on any text. Property: a typed error with a position, or an
//! expression whose columns can be listed. (Issue 14: nesting 10,000 deep overflowed the stack;
//! the parser's depth and length bounds are what this target checks.)
#![no_main]

use dicohort::cohort::expr;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match expr::parse(text) {
        Ok(e) => {
            let _ = e.columns();
        }
        Err(e) => assert!(e.to_string().contains("at character"), "{e}"),
    }
});
