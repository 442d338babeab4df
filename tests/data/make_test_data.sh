#!/usr/bin/env bash
# Regenerates the test data in this folder (models, broken models, images, the
# evaluation set and the reference values) with models/make_test_data.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec /usr/bin/python3 models/make_test_data.py
