#!/usr/bin/env bash
# The benchmark harness measures like with like: on the demo models, AttnScope
# (attnscope_bench) and the Python way (attnscope.bench_python_way) must draw
# the same heatmap overlay for every method, and each mode must print the
# figures the suite reads. No timing is checked here.
set -euo pipefail
bench="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
python_way=(env PYTHONPATH="$root/models" /usr/bin/python3 -m attnscope.bench_python_way)
image="$root/resources/samples/samples_00000.png"
question="is the red circle left of the blue square ?"
for model in shapes_single_stream shapes_co_attention shapes_late_fusion; do
    args=(--model "$root/models/zoo/$model.pt" --image "$image" --text "$question")
    mkdir -p "$out/$model"
    "$bench" warm "${args[@]}" --repeats 1 --png-dir "$out/$model" > "$out/$model/ours.json"
    "${python_way[@]}" warm "${args[@]}" --repeats 1 --png-dir "$out/$model" > "$out/$model/theirs.json"
    for method in raw rollout relevance gradcam; do
        "${python_way[@]}" compare "$out/$model/attnscope_$method.png" "$out/$model/python_$method.png"
    done
    for file in ours theirs; do
        grep -q '"load_ms"' "$out/$model/$file.json"
        grep -q '"gradcam"' "$out/$model/$file.json"
    done
done
"$bench" memory --model "$root/models/zoo/shapes_single_stream.pt" --image "$image" --text "$question" \
    --method relevance | grep -q '"maps_mb"'
"$bench" cold --model "$root/models/zoo/shapes_single_stream.pt" --image "$image" --text "$question" \
    --method rollout --png "$out/cold.png"
test -s "$out/cold.png"
