#!/usr/bin/env bash
# The engine and the command line under AddressSanitizer and UndefinedBehaviorSanitizer:
# builds the `sanitize` preset (clang-14, -O1, no GUI; libFuzzer's coverage too,
# so the same build holds the fuzz targets of tests/fuzz; the RNNPool sweep
# kernels for any hidden size only, see core/CMakeLists.txt) into build/sanitize
# and runs the core, CLI and ONNX tests there. Any sanitizer report fails the
# test that made it. tools/setup.sh test runs it, then tools/fuzz.sh.
#
#   tools/sanitize.sh            # after tools/setup.sh build (packages installed)
#
# ccache, where installed, is used as in tools/setup.sh.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RNNPOOL_SANITIZE_DIR:-$here/build/sanitize}"
launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
generator=()
command -v ninja >/dev/null && [ ! -f "$build/CMakeCache.txt" ] && generator=(-G Ninja)
cd "$here"
cmake --preset sanitize -B "$build" -DRNNPOOL_SHARED_DIR="$here/../shared" "${launcher[@]}" "${generator[@]}" >/dev/null
fuzz_targets=()
for t in pickle checkpoint safetensors npy labels picture spec onnx; do fuzz_targets+=("fuzz_$t"); done
cmake --build "$build" -j"$(nproc)" --target core_tests cli_tests onnx_tests rnnpool "${fuzz_targets[@]}"
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
