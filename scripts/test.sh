#!/usr/bin/env bash
# The project's test command (README): the Rust test suite, then the notebooks executed headless.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --all-features
if [ -d notebooks ] && ls notebooks/*.ipynb >/dev/null 2>&1; then
  bash scripts/run-notebooks.sh
fi
