#!/usr/bin/env bash
# attnscope explain on the test models, checked against the independent
# Python implementation (models/attnscope/reference.py) to 1e-4, in the JSON and in the
# .npy arrays (read with numpy.load).
set -euo pipefail
binary="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
check() {
    "$binary" explain --model "$root/tests/data/$1" --image "$root/tests/data/$2" --text "$3" --out "$out/$1" >/dev/null
    test -s "$out/$1/relevance.png"
    PYTHONPATH="$root/models" /usr/bin/python3 -m attnscope.reference check --model "$root/tests/data/$1" --image "$root/tests/data/$2" \
        --text "$3" --explain-json "$out/$1/explanation.json" --tol 1e-4 --arrays
}
check tiny_joint.pt images/joint_exact.png "Is there a RED zebra"
check tiny_dual.pt images/dual_exact.png "how many circles"
check tiny_joint.pt images/joint_large.png "is the green triangle left of the yellow circle ?"
check tiny_late.pt images/joint_large.png "is there a blue square"
