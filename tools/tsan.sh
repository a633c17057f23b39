#!/usr/bin/env bash
# The studio's tests under ThreadSanitizer: builds the `tsan` preset (g++,
# -O1, RNNPOOL_TSAN; the any-hidden-size RNNPool kernels only) into build/tsan
# and runs the `studio` test label (the real ModelRunner, SourcePlayer,
# AnalysisController and MainWindow with their worker threads) on the
# offscreen platform. Every report is kept in build/tsan/reports/ and the
# script fails when there is one. Not part of CI (one more full build with
# the GUI); run it after changing the studio's threads.
#
#   tools/tsan.sh [ctest arguments, e.g. -R ModelRunner]
#
# OpenMP runs one thread here (OMP_NUM_THREADS=1): libgomp is not built with
# TSan, and its thread pool's own synchronisation would be reported as races.
# Qt is not built with TSan either; reports inside Qt's own code with no frame
# of ours are listed apart (reports/qt-only) and do not fail the run.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RNNPOOL_TSAN_DIR:-$here/build/tsan}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && generator=(-G Ninja)
cd "$here"
cmake --preset tsan -B "$build" -DRNNPOOL_SHARED_DIR="$here/../shared" "${launcher[@]}" "${generator[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target studio_tests rnnpool
reports="$build/reports"
rm -rf "$reports"; mkdir -p "$reports"
export OMP_NUM_THREADS=1
export TSAN_OPTIONS="halt_on_error=0:second_deadlock_stack=1:log_path=$reports/tsan"
status=0
(cd "$build" && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -L studio "$@") || status=1
# Sort the reports: ours (a frame in this source tree) or Qt's alone.
mkdir -p "$reports/qt-only"
ours=0
for f in "$reports"/tsan.*; do
  [ -e "$f" ] || continue
  if grep -q "$here/\(core\|widgets\|app\|tests\)/" "$f"; then ours=$((ours + 1)); else mv "$f" "$reports/qt-only/"; fi
done
qt=$(ls "$reports/qt-only" | wc -l)
echo "tsan.sh: $ours report file(s) with a frame in our code, $qt with Qt's frames only ($reports)"
[ "$ours" -eq 0 ] || status=1
exit $status
