#!/usr/bin/env bash
# Prints the build and test times ARCHITECTURE.md used to quote by hand (they go stale; measure
# them instead). Run on a quiet machine:
#
#   bash scripts/timings.sh          # warm: incremental builds, the test suite, CI
#   bash scripts/timings.sh --cold   # also the cold debug build and cold test build (~8 min,
#                                    # uses a throwaway target dir under /tmp, removed after)
#
# Each line: what, the command, seconds of wall time.
set -euo pipefail
cd "$(dirname "$0")/.."

cold=0
[ "${1:-}" = "--cold" ] && cold=1

measure() {
  local what=$1
  shift
  local start end
  start=$(date +%s.%N)
  "$@" >/dev/null 2>&1
  end=$(date +%s.%N)
  printf '%-48s %-52s %8.1f s\n' "$what" "$*" "$(echo "$end - $start" | bc)"
}

printf '%-48s %-52s %10s\n' "what" "command" "wall"
if [ "$cold" = 1 ]; then
  cold_dir=$(mktemp -d /tmp/dicohort-cold.XXXXXX)
  trap 'rm -rf "$cold_dir"' EXIT
  measure "cold debug build (all dependencies)" env CARGO_TARGET_DIR="$cold_dir" cargo build
  measure "cold test build after it" env CARGO_TARGET_DIR="$cold_dir" cargo test --no-run
fi
cargo build >/dev/null 2>&1
measure "incremental, a library file touched" bash -c 'touch src/stats/km.rs && cargo build'
measure "incremental, a CLI file touched" bash -c 'touch src/cli/km.rs && cargo build'
cargo test --no-run >/dev/null 2>&1
measure "test suite, built" cargo test
measure "all of CI, warm target dir" bash .ci/run
