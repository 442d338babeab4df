#!/usr/bin/env bash
# Installs what is missing, builds, and opens AttnScope on the bundled demo
# model and a sample. Extra arguments are passed to attnscope.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"
exec "$ATTNSCOPE_BUILD_DIR/app/attnscope" "$@"
