#!/usr/bin/env bash
# Executes every notebook in notebooks/ headless against the freshly built CLI, so they cannot rot.
# Installs the Python side (jupyter, pandas, matplotlib) from PyPI when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c "import nbconvert, ipykernel, pandas, matplotlib" >/dev/null 2>&1; then
  python3 -m pip install --quiet --disable-pip-version-check nbconvert ipykernel pandas matplotlib
fi
cargo build --quiet
export DICOHORT_BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/debug/dicohort"
export DICOHORT_ROOT="$PWD"
export MPLBACKEND=Agg
out=$(mktemp -d)
n=0
for nb in notebooks/*.ipynb; do
  echo "== notebook $nb"
  python3 -m jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=600 \
    --output-dir "$out" "$nb"
  n=$((n + 1))
done
rm -rf "$out"
echo "notebooks: $n passed, 0 failed"
