#!/usr/bin/env bash
# The benchmark harness: AttnScope and the Python way (attnscope.bench_python_way,
# models/attnscope/bench_python_way.py) side by side in one run, on the demo
# models and on ViT-B-like models of real sizes (197, 577 and 2,048 tokens;
# made by attnscope.make_bench_models into build/bench/models the first time),
# and a ViT-B-sized Hugging Face checkpoint folder opened natively
# (attnscope.make_bench_checkpoint).
# Prints a table; writes every figure to build/bench/results.json. Not part of
# the test suite.
#
#   tests/bench/run.sh                 everything (about 30 minutes on 2 cores)
#   tests/bench/run.sh --quick         the demo models and ViT-B-like at 197 tokens
#   tests/bench/run.sh --repeats N     warm runs per method (default 10)
#
# Run it on an otherwise idle machine: the figures are wall-clock times.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/app/setup.sh"
export PYTHONPATH="$ROOT/models"
BENCH="$ATTNSCOPE_BUILD_DIR/bench"
mkdir -p "$BENCH/models"
tokens="197,577,2048"
for arg in "$@"; do
    if [ "$arg" = "--quick" ]; then
        tokens="197"
    fi
done
missing=()
for t in ${tokens//,/ }; do
    if [ ! -f "$BENCH/models/vitb_$t.pt" ] || [ "$ROOT/models/attnscope/make_bench_models.py" -nt "$BENCH/models/vitb_$t.pt" ]; then
        missing+=("$t")
    fi
done
if [ ${#missing[@]} -gt 0 ]; then
    list=$(IFS=,; echo "${missing[*]}")
    echo "bench: making the ViT-B-like models ($list tokens)"
    /usr/bin/python3 -m attnscope.make_bench_models "$BENCH/models" --tokens "$list"
fi
if [ ! -f "$BENCH/models/vitb_hf/model.safetensors" ] \
    || [ "$ROOT/models/attnscope/make_bench_checkpoint.py" -nt "$BENCH/models/vitb_hf/model.safetensors" ]; then
    echo "bench: making the ViT-B-sized Hugging Face checkpoint"
    /usr/bin/python3 -m attnscope.make_bench_checkpoint "$BENCH/models/vitb_hf"
fi
exec "$ATTNSCOPE_BUILD_DIR/tests/attnscope_bench" suite --bench-dir "$BENCH" --source "$ROOT" \
    --app "$ATTNSCOPE_BUILD_DIR/app/attnscope" "$@"
