//! `cohort` layer: see ARCHITECTURE.md.
