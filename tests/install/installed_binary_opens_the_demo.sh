#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then the installed binary, started
# offscreen from another folder with no arguments, must open the demo model and
# sample from <prefix>/share/attnscope (no source path is compiled in) and
# answer; the desktop file, icons and AppStream metainfo must be where a Linux
# desktop looks for them.
#
#   tests/install/installed_binary_opens_the_demo.sh BUILD_DIR
set -euo pipefail
build="$1"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
fail() { echo "install test: $*" >&2; exit 1; }

cmake --install "$build" --prefix "$prefix" > "$prefix/install.log" || { cat "$prefix/install.log" >&2; fail "cmake --install failed"; }
id=io.github.attnscope.AttnScope
for f in bin/attnscope \
         share/applications/$id.desktop \
         share/metainfo/$id.metainfo.xml \
         share/icons/hicolor/scalable/apps/attnscope.svg \
         share/icons/hicolor/48x48/apps/attnscope.png \
         share/icons/hicolor/128x128/apps/attnscope.png \
         share/icons/hicolor/256x256/apps/attnscope.png \
         share/attnscope/models/zoo/shapes_single_stream.pt \
         share/attnscope/models/zoo/shapes_single_stream.md \
         share/attnscope/resources/samples/shapes.png \
         share/attnscope/resources/samples/shapes.txt; do
    [ -f "$prefix/$f" ] || fail "$f was not installed"
done
grep -qx 'Exec=attnscope %f' "$prefix/share/applications/$id.desktop" || fail "the desktop file does not start attnscope"
grep -qx 'Icon=attnscope' "$prefix/share/applications/$id.desktop" || fail "the desktop file names another icon"
version="$(sed -n 's/^project(AttnScope VERSION \([0-9.]*\).*/\1/p' "$(dirname "$0")/../../CMakeLists.txt")"
grep -q "<release version=\"$version\"" "$prefix/share/metainfo/$id.metainfo.xml" || fail "the metainfo does not give version $version"
if strings "$prefix/bin/attnscope" | grep -qF "$(cd "$(dirname "$0")/../.." && pwd)/resources"; then
    fail "the installed binary holds a path into the source tree"
fi

mkdir -p "$prefix/elsewhere"
out="$(cd "$prefix/elsewhere" && env -u ATTNSCOPE_DATA_DIR QT_QPA_PLATFORM=offscreen \
       XDG_CONFIG_HOME="$prefix/config" XDG_CACHE_HOME="$prefix/cache" \
       timeout 300 "$prefix/bin/attnscope" --screenshot "$prefix/shot.png" 2>"$prefix/stderr.log")" ||
    { cat "$prefix/stderr.log" >&2; fail "the installed binary failed"; }
echo "$out" | grep -qx "model: $prefix/bin/../share/attnscope/models/zoo/shapes_single_stream.pt" ||
    echo "$out" | grep -qx "model: $prefix/share/attnscope/models/zoo/shapes_single_stream.pt" ||
    fail "the installed binary did not open the installed demo model: $out"
echo "$out" | grep -q '^answer: ' || fail "the installed binary gave no answer: $out"
[ -s "$prefix/shot.png" ] || fail "no screenshot"
echo "install test: installed into $prefix, opened the demo, answered ($(echo "$out" | grep '^answer: '))"
