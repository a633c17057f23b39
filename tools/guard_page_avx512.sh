#!/bin/bash
# Builds the guard-page test (tests/core/ops/guard_page_test.cpp) as one static
# x86-64-v4 (AVX-512) binary, for machines where the build machine has no
# AVX-512: the same-size, halving and shifted kernels run only there.
#   tools/guard_page_avx512.sh OUT_DIR     then, on an AVX-512 machine: OUT_DIR/guard_page_avx512
# The ops are compiled at -O2 (rnnpool_batched.cpp alone takes minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: tools/guard_page_avx512.sh OUT_DIR}
mkdir -p "$out/obj"
flags="-std=c++20 -O2 -march=x86-64-v4 -fopenmp -DEIGEN_DONT_PARALLELIZE -isystem /usr/include/eigen3 -Icore -Itests"
launcher=$(command -v ccache || true)
objs=()
for f in core/ops/*.cpp core/tensor/tensor.cpp tests/core/ops/guard_page_test.cpp; do
  o="$out/obj/$(basename "$f" .cpp).o"
  $launcher g++ $flags -c "$f" -o "$o"
  objs+=("$o")
done
g++ -static -fopenmp "${objs[@]}" -o "$out/guard_page_avx512" -lgtest_main -lgtest -lpthread 2>/dev/null
echo "$out/guard_page_avx512"
