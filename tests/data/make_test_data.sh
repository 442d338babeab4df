#!/usr/bin/env bash
# Regenerates the test data in this folder (models, broken models, images, the
# evaluation set and the reference values) with models/make_test_data.py, then
# the malformed-input corpus (malformed/) and the fuzzers' seed corpora
# (tests/fuzz/corpus/) with models/make_malformed_corpus.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
/usr/bin/python3 models/make_test_data.py
exec /usr/bin/python3 models/make_malformed_corpus.py
