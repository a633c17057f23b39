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
# Qt is not built with TSan either (Debian's is not): a hand-off through
# QtConcurrent::run, QThreadPool or QPainter's pooled threads synchronises
# inside libQt6Core, where TSan cannot see it, so such hand-offs are reported
# as races although they are ordered. The tests therefore pass or fail on
# their own assertions (TSAN_OPTIONS exitcode=0); every report is kept, and the
# script prints them grouped by the first frame of ours in the racing stacks,
# for reading (README, "Hardening": what a run found).
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
export TSAN_OPTIONS="exitcode=0:halt_on_error=0:second_deadlock_stack=1:log_path=$reports/tsan"
status=0
(cd "$build" && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -L studio "$@") || status=1
/usr/bin/python3 - "$reports" <<'PY'
import collections, glob, re, sys
groups, total, qt_only = collections.Counter(), 0, 0
for path in glob.glob(sys.argv[1] + "/tsan.*"):
    for report in open(path, errors="replace").read().split("==================\n"):
        if "WARNING: ThreadSanitizer" not in report:
            continue
        total += 1
        kind = re.search(r"WARNING: ThreadSanitizer: ([a-z -]+)", report).group(1).strip()
        racing = re.split(r"\n  (?:Location is|Mutex M|Thread T)", report)[0]
        ours = [l for l in racing.splitlines() if re.search(r"\.\./\.\./(app|core|widgets|tests)/", l)]
        if not ours:
            qt_only += 1
            continue
        where = re.search(r"\.\./\.\./(\S+)", ours[0]).group(1)
        groups["%s at %s" % (kind, where)] += 1
print("tsan.sh: %d reports; %d with frames of Qt or the C++ library only in the racing stacks" % (total, qt_only))
for where, n in groups.most_common():
    print("  %4d  %s" % (n, where))
PY
exit $status
