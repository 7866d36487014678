#!/usr/bin/env bash
# Runs one fuzz target on stable Rust for SECONDS (default 600), on one core at low priority.
# RUSTC_BOOTSTRAP=1 lets stable rustc accept the -Z flags cargo-fuzz passes (sanitizer, coverage).
# New inputs go to fuzz/work/<target>, so the committed seeds in fuzz/corpus/<target> stay small;
# a crashing input lands in fuzz/artifacts/<target>/.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: fuzz/run.sh pipeline|splitter [SECONDS] [libFuzzer options...]}
seconds=${2:-600}
shift $(($# < 2 ? $# : 2))
mkdir -p "work/$target"
export RUSTC_BOOTSTRAP=1 RAYON_NUM_THREADS=1
# The fake stacks of use-after-return detection cost a quarter of the pipeline's speed; safe Rust
# cannot return dangling stack pointers, and libpg_query's C is not instrumented anyway.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_stack_use_after_return=0}
exec nice -n 19 cargo fuzz run "$target" "work/$target" "corpus/$target" -- \
  -dict=sql.dict -max_total_time="$seconds" -max_len=8192 -timeout=10 -print_final_stats=1 "$@"
