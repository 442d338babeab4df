#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (build-fuzz/) and runs each one on
# a working copy of its committed seed corpus.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]   default: 600 s each, all five
#
# A harness that finds a crash, a sanitizer report, a leak or a hang (-timeout)
# stops, leaves the input in build-fuzz/findings/, and the script fails.
# Results go to build-fuzz/fuzz-results.txt; the longest clean runs are
# recorded in tests/fuzz/README.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUILD="${ATTNSCOPE_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
SECONDS_EACH=600
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    SECONDS_EACH=$1
    shift
fi
HARNESSES=("$@")
[ ${#HARNESSES[@]} -eq 0 ] && HARNESSES=(manifest tokenizer image session safetensors)

missing=()
for pkg in clang libclang-rt-14-dev libopencv-dev cmake qt6-base-dev nlohmann-json3-dev libutf8proc-dev pkg-config; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

cmake -S "$ROOT" -B "$BUILD" -DCMAKE_CXX_COMPILER=clang++ -DATTNSCOPE_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)"

mkdir -p "$BUILD/findings"
status=0
for h in "${HARNESSES[@]}"; do
    work="$BUILD/corpus/$h"
    if [ ! -x "$BUILD/tests/fuzz/fuzz_$h" ] || [ ! -d "$ROOT/tests/fuzz/corpus/$h" ]; then
        echo "fuzz: no harness or seed corpus named \"$h\" (manifest, tokenizer, image, session, safetensors)" >&2
        exit 2
    fi
    mkdir -p "$work"
    cp -n "$ROOT/tests/fuzz/corpus/$h/"* "$work/" || true # existing working files stay
    log="$BUILD/fuzz-$h.log"
    echo "fuzz: $h for ${SECONDS_EACH}s"
    if "$BUILD/tests/fuzz/fuzz_$h" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
        -max_len=65536 -print_final_stats=1 -artifact_prefix="$BUILD/findings/$h-" "$work" >"$log" 2>&1; then
        runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
        echo "$(date -u +%F) $h clean ${SECONDS_EACH}s ${runs} runs" | tee -a "$BUILD/fuzz-results.txt"
    else
        echo "$(date -u +%F) $h FAILED after $(grep -c '' "$log") log lines: see $log and $BUILD/findings" \
            | tee -a "$BUILD/fuzz-results.txt"
        tail -40 "$log"
        status=1
    fi
done
exit $status
