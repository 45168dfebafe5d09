//! The integration tests: one binary (one link of polars), one module per area, shared helpers in
//! `common` (fixture reading and R comparison).

mod architecture;
mod cli_survival;
mod cohort_cli;
mod cohort_expr;
mod cohort_plan;
mod cohort_propensity;
mod cohort_truth;
mod cohort_weights;
mod common;
mod load_formats;
mod load_validation;
mod meta_cli;
mod meta_edge;
mod meta_metafor;
mod plot_figures;
mod report_analysis;
mod report_disclosure;
mod report_document;
mod report_regenerate;
mod report_subgroup_audit;
mod score_cli;
mod score_engine;
mod score_items;
mod score_reference;
mod simulate_missing;
mod simulate_registry;
mod stats_cox;
mod stats_logistic;
mod stats_mice;
mod stats_standardise;
mod stats_survival;
mod stats_twobytwo;
mod stats_zph;
