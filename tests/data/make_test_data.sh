#!/usr/bin/env bash
# Regenerates the test data in this folder (models, broken models, images, the
# evaluation set and the reference values) with attnscope.make_test_data and
# attnscope.make_research_test_data, then
# the safetensors corpus (safetensors/) with attnscope.make_safetensors_corpus,
# the malformed-input corpus (malformed/, its tokens.expected.json included)
# and the fuzzers' seed corpora (tests/fuzz/corpus/) with
# attnscope.make_malformed_corpus (which needs python3-pil). Both are modules
# of the Python package in models/attnscope/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export PYTHONPATH="$root/models"
/usr/bin/python3 -m attnscope.make_test_data
# Contract version 2's model kinds (tiny_vit.pt, tiny_bert.pt) and their
# reference values; the export checks each with build/app/attnscope if built.
/usr/bin/python3 -m attnscope.make_research_test_data
# The safetensors files (valid ones with their values, hostile ones with the
# message each must give) and the safetensors fuzzer's seeds.
/usr/bin/python3 -m attnscope.make_safetensors_corpus
exec /usr/bin/python3 -m attnscope.make_malformed_corpus
