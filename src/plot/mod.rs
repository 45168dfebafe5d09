//! `plot` layer: see ARCHITECTURE.md.
