//! `meta` layer: see ARCHITECTURE.md.
