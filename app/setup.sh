#!/usr/bin/env bash
# Shared set-up for app/run.sh and tests/run.sh: install the Debian packages
# that are missing, then configure and build into a reused build directory.
#
# Environment:
#   ATTNSCOPE_BUILD_DIR  build directory (default: <repo>/build)
#   CMAKE_PREFIX_PATH    point it at a CUDA LibTorch to build against it
#   ATTNSCOPE_BUILD_TYPE CMake build type (default: Release)
#   ATTNSCOPE_CMAKE_ARGS extra CMake arguments (tests/run.sh --sanitize sets them)
set -euo pipefail

ATTNSCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ATTNSCOPE_BUILD_DIR="${ATTNSCOPE_BUILD_DIR:-$ATTNSCOPE_ROOT/build}"
export ATTNSCOPE_ROOT ATTNSCOPE_BUILD_DIR

attnscope_install_packages() {
    local wanted missing=()
    wanted=$(grep -v '^\s*#' "$ATTNSCOPE_ROOT/app/debian-packages.txt" | grep -v '^\s*$')
    for pkg in $wanted; do
        if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
            missing+=("$pkg")
        fi
    done
    if [ ${#missing[@]} -eq 0 ]; then
        return 0
    fi
    echo "setup: installing missing Debian packages: ${missing[*]}"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

attnscope_build() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    # shellcheck disable=SC2086 # ATTNSCOPE_CMAKE_ARGS holds several arguments
    cmake -S "$ATTNSCOPE_ROOT" -B "$ATTNSCOPE_BUILD_DIR" \
        -DCMAKE_BUILD_TYPE="${ATTNSCOPE_BUILD_TYPE:-Release}" ${ATTNSCOPE_CMAKE_ARGS:-} >/dev/null
    cmake --build "$ATTNSCOPE_BUILD_DIR" -j "$jobs"
}

attnscope_install_packages
attnscope_build
