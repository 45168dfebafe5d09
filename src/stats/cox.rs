//! See `stats`.
