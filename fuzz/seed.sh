#!/bin/sh
# Seeds fuzz/corpus/<target>/ with the hand-made bad inputs of tests/fixtures/bad/ (and the
# valid fixtures), so the fuzzer starts from inputs that already reach deep into each parser.
set -e
cd "$(dirname "$0")"
bad=../tests/fixtures/bad
mkdir -p corpus/load_csv corpus/load_parquet corpus/mapping_toml corpus/plan_toml corpus/subgroup_expr
i=0
for f in $(find $bad/cohort $bad/wide -name '*.csv'); do
  i=$((i + 1)); { printf '\000'; cat "$f"; } > corpus/load_csv/bad-$i
done
for f in ../tests/fixtures/load/valid/*.csv; do i=$((i + 1)); { printf '\001'; cat "$f"; } > corpus/load_csv/valid-$i; done
for f in $(find $bad/cohort -name '*.parquet'); do i=$((i + 1)); cp "$f" corpus/load_parquet/bad-$i; done
for f in $bad/mapping/*.toml ../data-schema/registry-wide.mapping.toml; do i=$((i + 1)); cp "$f" corpus/mapping_toml/$i; done
for f in $bad/plan/*.toml ../plans/default.toml; do i=$((i + 1)); cp "$f" corpus/plan_toml/$i; done
for f in $bad/expr/*.txt; do i=$((i + 1)); cp "$f" corpus/subgroup_expr/$i; done
echo "seeded $i files"
