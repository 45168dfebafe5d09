//! The analysis plan parser (`Plan::from_toml`, which also checks the plan and parses its
//! subgroup expressions) on any text. Property: a typed error or a plan.
#![no_main]

use dicohort::cohort::plan::Plan;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = Plan::from_toml(text);
});
