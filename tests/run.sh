#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with CTest.
#
#   tests/run.sh               the suite (build/)
#   tests/run.sh --sanitize    the same suite built with AddressSanitizer and
#                              UndefinedBehaviorSanitizer (build-asan/); any
#                              report fails the test that caused it
# Further arguments go to ctest (for example -R tst_image).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ "${1:-}" = "--sanitize" ]; then
    shift
    export ATTNSCOPE_BUILD_DIR="${ATTNSCOPE_SANITIZE_BUILD_DIR:-$ROOT/build-asan}"
    export ATTNSCOPE_BUILD_TYPE=RelWithDebInfo
    export ATTNSCOPE_CMAKE_ARGS="-DATTNSCOPE_SANITIZE=ON"
    # Leaks are checked in our code; the suppressions name the libraries
    # (LibTorch, Qt, fontconfig) that keep allocations alive until exit.
    export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=0"
    export LSAN_OPTIONS="suppressions=$ROOT/tests/sanitizers/lsan.supp:print_suppressions=0"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$ROOT/tests/sanitizers/ubsan.supp"
fi
source "$ROOT/app/setup.sh"
# The locale tests run under a comma locale (de_DE.UTF-8): made from the
# locales package's data when the machine has not generated it.
if ! locale -a 2>/dev/null | grep -qi '^de_DE\.utf-\?8$'; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo localedef -i de_DE -f UTF-8 de_DE.UTF-8 ||
        echo "tests/run.sh: could not generate de_DE.UTF-8 (package locales); tst_commalocale and tst_json will fail"
fi
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
cd "$ATTNSCOPE_BUILD_DIR"
ctest --output-on-failure -j "$(nproc 2>/dev/null || echo 2)" "$@"
