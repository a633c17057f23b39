#!/usr/bin/env bash
# RNNPool Studio: install what is missing, build, then run the studio or the tests.
#
#   tools/setup.sh studio [studio options]   # opens the studio on the default model and a sample picture
#   tools/setup.sh test                      # runs every test suite, then the same core, CLI and ONNX
#                                            # tests under ASan+UBSan and each fuzz target for 30 s
#   tools/setup.sh build                     # only installs and builds
#   tools/setup.sh pytorch                   # also installs PyTorch for tools/reference and tools/train (test does too)
#
# Packages come from Debian 12 through apt-get (as root, or through sudo).
# The build goes to build/ (override with RNNPOOL_BUILD_DIR).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${RNNPOOL_BUILD_DIR:-$here/build}"
mode="${1:-build}"
[ $# -gt 0 ] && shift

packages=(
  build-essential cmake pkg-config
  qt6-base-dev libqcustomplot-dev libqcustomplot2.1-qt6
  libopencv-dev opencv-data libeigen3-dev nlohmann-json3-dev
  libzip-dev zipcmp zipmerge ziptool   # libzip's CMake config checks that its tools exist
  libonnx-dev libprotobuf-dev          # reading users' .onnx models
  libgtest-dev libgmock-dev libbenchmark-dev
  xvfb xauth                           # the smoke test of the real window
  # The emulated Cortex-M4: the integer kernels built as firmware and run in QEMU
  # (rnnpool m4, rnnpool deploy, and their tests).
  gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi qemu-system-arm
)
# For tools/reference (the PyTorch reference, `rnnpool bench --pytorch`) and
# tools/train. The studio does not need them; the tests do (bench's side-by-side
# PyTorch timing is tested, and the ONNX tests export torchvision models).
python_packages=(python3-torch python3-torchvision python3-onnx python3-numpy python3-opencv libopenblas0-pthread)  # OpenBLAS: tools/train puts it first for torch
# The sanitizer and fuzzing build of the tests (tools/sanitize.sh, tools/fuzz.sh): clang with libFuzzer.
hardening_packages=(clang-14 libfuzzer-14-dev libclang-rt-14-dev libomp-14-dev ninja-build)
case "$mode" in pytorch) packages+=("${python_packages[@]}") ;; test) packages+=("${python_packages[@]}" "${hardening_packages[@]}") ;; esac

install_missing() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "== installing: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

configure_and_build() {
  local launcher=()
  # ccache, where installed, makes rebuilds of other checkouts cheap; not needed.
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
  cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=Release -DRNNPOOL_SHARED_DIR="$here/../shared" "${launcher[@]}" >/dev/null
  cmake --build "$build" -j"$(nproc)"
}

install_missing
configure_and_build

case "$mode" in
  build|pytorch) ;;
  studio)
    if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ "${QT_QPA_PLATFORM:-}" != "offscreen" ]; then
      echo "no display found: starting the studio under xvfb-run (a virtual screen)" >&2
      exec xvfb-run -a -s "-noreset -screen 0 1600x1000x24" "$build/app/studio/rnnpool-studio" --image "$here/resources/samples/grace_hopper.jpg" "$@"
    fi
    exec "$build/app/studio/rnnpool-studio" --image "$here/resources/samples/grace_hopper.jpg" "$@"
    ;;
  test)
    # RNNPOOL_FUZZ_SECONDS=0 leaves out the sanitizer build and the fuzzing (quicker, not the whole check).
    fuzz_seconds="${RNNPOOL_FUZZ_SECONDS:-30}"
    status=0
    (cd "$build" && QT_QPA_PLATFORM=offscreen ctest --output-on-failure -j"$(nproc)" "$@") || status=1
    if [ "$fuzz_seconds" != 0 ]; then
      echo "== the core, CLI and ONNX tests under AddressSanitizer and UBSan (tools/sanitize.sh)"
      "$here/tools/sanitize.sh" || status=1
      echo "== each fuzz target for $fuzz_seconds s (tools/fuzz.sh)"
      "$here/tools/fuzz.sh" "$fuzz_seconds" || status=1
    fi
    exit $status
    ;;
  *)
    echo "usage: tools/setup.sh studio|test|build|pytorch" >&2
    exit 2
    ;;
esac
