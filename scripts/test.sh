#!/usr/bin/env bash
# The test job: install what is missing, then
#   1. Release build with warnings as errors (build-release) and the dashboard bundle (web/dist):
#      every test (unit, cli, dataset, browser);
#   2. ASan+UBSan build (build-asan): everything but the dataset and browser checks;
#   3. clang-14 libFuzzer build (build-fuzz): the loader fuzzer for FUZZ_SECONDS (default 60) on
#      the fixtures as seed corpus.
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."

jobs="$(nproc 2>/dev/null || echo 2)"
fuzz_seconds="${FUZZ_SECONDS:-60}"
start=$SECONDS
step() { printf '\n== %s (%ds)\n' "$*" "$((SECONDS - start))"; }

step "dependencies"
bash scripts/deps.sh

step "release build (-Werror)"
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DCITYBRAIN_WERROR=ON \
  -DCITYBRAIN_TESTS=ON -DCITYBRAIN_BENCH=ON -DCITYBRAIN_SANITIZE=OFF -DCITYBRAIN_FUZZ=OFF
cmake --build build-release -j "$jobs"
step "dashboard bundle (npm ci + build, for the browser test)"
bash scripts/build_web.sh
step "release tests"
ctest --test-dir build-release --output-on-failure -j "$jobs"

step "sanitizer build (ASan+UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCITYBRAIN_SANITIZE=ON \
  -DCITYBRAIN_TESTS=ON -DCITYBRAIN_BENCH=OFF -DCITYBRAIN_FUZZ=OFF
cmake --build build-asan -j "$jobs"
step "sanitizer tests (unit, cli)"
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -LE "dataset|browser"

step "fuzzer build (clang-14)"
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DCITYBRAIN_FUZZ=ON -DCITYBRAIN_TESTS=OFF -DCITYBRAIN_BENCH=OFF
cmake --build build-fuzz -j "$jobs" --target fuzz_loaders fuzz_probe_csv fuzz_osm fuzz_sumo fuzz_http fuzz_cbengine
# Each parser's fuzzer for FUZZ_SECONDS, seeded from the fixtures; new inputs go to its own corpus.
for target in fuzz_loaders fuzz_probe_csv fuzz_osm fuzz_sumo fuzz_http fuzz_cbengine; do
  step "fuzzing $target for ${fuzz_seconds}s"
  mkdir -p "build-fuzz/corpus-$target" build-fuzz/findings
  seeds=tests/fixtures
  [ "$target" = fuzz_osm ] && seeds=tests/fixtures/osm
  [ "$target" = fuzz_sumo ] && seeds=tests/fixtures/sumo
  [ "$target" = fuzz_http ] && seeds=fuzz/http_corpus
  [ "$target" = fuzz_cbengine ] && seeds=tests/fixtures/cbengine
  ./build-fuzz/fuzz/$target "build-fuzz/corpus-$target" "$seeds" \
    -max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix=build-fuzz/findings/ 2>"build-fuzz/$target.log" ||
    { tail -n 60 "build-fuzz/$target.log"; exit 1; }
  tail -n 5 "build-fuzz/$target.log"
done

step "all passed"
