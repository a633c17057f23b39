#!/usr/bin/env bash
# The engine and the command line under AddressSanitizer and UndefinedBehaviorSanitizer:
# builds the `asan` preset (g++, RelWithDebInfo, no GUI; the RNNPool sweep kernels
# for any hidden size only, see core/CMakeLists.txt) into build/asan and runs the
# core, CLI and ONNX tests there. Any sanitizer report fails the test that made it.
#
#   tools/sanitize.sh            # after tools/setup.sh build (packages installed)
#
# ccache, where installed, is used as in tools/setup.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RNNPOOL_ASAN_DIR:-$here/build/asan}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
cd "$here"
cmake --preset asan -B "$build" -DRNNPOOL_SHARED_DIR="$here/../shared" "${launcher[@]}" >/dev/null
cmake --build "$build" -j"$(nproc)" --target core_tests cli_tests onnx_tests rnnpool
cd "$build"
# halt_on_error: the first report ends the test (and fails it); UBSan the same.
export ASAN_OPTIONS="halt_on_error=1:detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
# Two tests open a camera or a missing video through OpenCV, whose backends
# probe USB devices (libusb_get_device_list) and leave that memory at exit:
# they run with LeakSanitizer off (ASan and UBSan still on), the rest with it on.
probing="VideoFile.ABadOrMissingFileIsAnErrorThatNamesIt|Camera.AMissingCameraIsAnError"
status=0
ctest --output-on-failure -j"$(nproc)" -L "core|cli|onnx" -E "$probing" || status=1
ASAN_OPTIONS="halt_on_error=1:detect_leaks=0" ctest --output-on-failure -R "$probing" || status=1
exit $status
