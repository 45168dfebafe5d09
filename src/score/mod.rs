//! `score` layer: see ARCHITECTURE.md.
