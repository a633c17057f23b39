#!/bin/sh
# Runs the real rnnpool-studio under Xvfb with --screenshot and checks what it
# leaves behind: its exit status and a screenshot of at least MIN_BYTES.
#
#   run_studio.sh STUDIO OUT.png EXPECTED_STATUS MIN_BYTES [studio arguments...]
#
# With STUDIO_EXPECT_STDERR set, the studio's stderr must contain that text
# (a headless run must say why it failed, not only show it in the window).
#
# Exits 77 (ctest SKIP_RETURN_CODE) when xvfb-run is missing.
set -u
if [ $# -lt 4 ]; then
    echo "usage: $0 STUDIO OUT.png EXPECTED_STATUS MIN_BYTES [studio arguments...]" >&2
    exit 2
fi
studio=$1
out=$2
expected=$3
min_bytes=$4
shift 4

if ! command -v xvfb-run >/dev/null 2>&1; then
    echo "SKIPPED: xvfb-run is not installed (Debian package 'xvfb'); the studio smoke test needs an X server."
    exit 77
fi

rm -f "$out"
# No user settings may leak in or out; --screenshot ignores QSettings, and this keeps it honest.
XDG_CONFIG_HOME=$(mktemp -d)
export XDG_CONFIG_HOME
echo "running: xvfb-run -a $studio --screenshot $out $*"
# -noreset: without it Xvfb resets when the studio disconnects and signals
# xvfb-run (SIGUSR1) while that cleans up; dash then sees its `rm -r` fail, and
# xvfb-run exits 5 and leaves the Xvfb server running (seen 2 runs in 12 here).
errors=$(mktemp)
xvfb-run -a -s "-noreset -screen 0 1600x1000x24" "$studio" --screenshot "$out" "$@" 2> "$errors"
status=$?
cat "$errors" >&2
rm -rf "$XDG_CONFIG_HOME"

failed=0
if [ -n "${STUDIO_EXPECT_STDERR:-}" ] && ! grep -qF -- "$STUDIO_EXPECT_STDERR" "$errors"; then
    echo "FAIL: stderr does not say '$STUDIO_EXPECT_STDERR'"
    failed=1
fi
rm -f "$errors"
if [ "$status" -ne "$expected" ]; then
    echo "FAIL: exit status $status, expected $expected"
    failed=1
fi
if [ ! -f "$out" ]; then
    echo "FAIL: no screenshot at $out"
    exit 1
fi
size=$(wc -c < "$out")
if [ "$size" -lt "$min_bytes" ]; then
    echo "FAIL: screenshot $out is $size bytes, expected at least $min_bytes"
    failed=1
fi
[ "$failed" -eq 0 ] && echo "ok: exit status $status, screenshot $out ($size bytes)"
exit "$failed"
