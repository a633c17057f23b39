#!/bin/bash
# Runs every libFuzzer target of tests/fuzz for a bounded time, seeded from
# ../shared/reference and resources/, and fails on any crash, sanitizer report,
# input slower than 2 s or one needing more than 1 GB.
# The inputs that once failed (tests/fuzz/regressions/<target>/) run first,
# every time. The random seed is fixed (FUZZ_SEED, default 1) so that CI's run
# is the same from one clone to the next; FUZZ_SEED=0 lets libFuzzer pick one.
#   tools/sanitize.sh, or: cmake --preset sanitize && cmake --build build/sanitize   (once)
#   tools/fuzz.sh [SECONDS_PER_TARGET=30] [TARGET...]        (targets: pickle checkpoint ... onnx)
# Findings are kept in build/sanitize/findings/<target>/ (crash-*, timeout-*, oom-*).
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(pickle checkpoint safetensors npy labels picture spec onnx)
bin=${FUZZ_BIN:-build/sanitize/tests/fuzz}
shared=${RNNPOOL_SHARED_DIR:-../shared}/reference
work=build/sanitize/corpus
python=/usr/bin/python3

# Seeds per target: real files of the kind the target reads.
seed() {
  local target=$1 dir=$work/seeds/$1
  rm -rf "$dir"; mkdir -p "$dir"
  case $target in
    checkpoint) cp "$shared"/*/*.pth resources/models/*.safetensors "$dir"/ 2>/dev/null ;;
    safetensors) cp resources/models/*.safetensors "$dir"/ ;;
    pickle) # the data.pkl records of zip checkpoints, and the legacy files (pickles first)
      $python - "$dir" "$shared"/*/*.pth <<'PY'
import sys, zipfile, shutil, os
out = sys.argv[1]
for i, path in enumerate(sys.argv[2:]):
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith('data.pkl'):
                    open(os.path.join(out, f'{i}.pkl'), 'wb').write(z.read(name))
    else:
        shutil.copy(path, os.path.join(out, f'{i}.legacy'))
PY
      ;;
    npy) find "$shared" -name '*.npy' -size -64k | head -40 | xargs -I{} cp {} "$dir"/ ;;
    labels) printf '# a/b.jpg\n10 20 30 40\n12 22 5 5\n# c.jpg\n' > "$dir"/labels.txt ;;
    picture) cp resources/samples/*.jpg "$shared"/*/*.png "$dir"/ 2>/dev/null ;;
    spec) cp resources/architectures/*.json "$dir"/ ;;
    onnx) # small graphs exported by PyTorch (tools/onnx/export_torchvision.py writes them when the tests run)
      find build/onnx-models -name 'tiny_ops.onnx' -o -name 'bad_*.onnx' 2>/dev/null | xargs -r -I{} cp {} "$dir"/ ;;
  esac
}

status=0
for target in "${targets[@]}"; do
  exe=$bin/fuzz_$target
  if [ ! -x "$exe" ]; then echo "fuzz.sh: $exe is not built (tools/sanitize.sh builds it)"; status=1; continue; fi
  seed "$target"
  mkdir -p "$work/$target" "build/sanitize/findings/$target"
  start=$(date +%s)
  regressions=()
  [ -d "tests/fuzz/regressions/$target" ] && regressions=("tests/fuzz/regressions/$target")
  "$exe" "$work/$target" "$work/seeds/$target" "${regressions[@]}" -seed="${FUZZ_SEED:-1}" -max_total_time="$seconds" -timeout=2 -rss_limit_mb=1024 \
      -max_len=1048576 -artifact_prefix="build/sanitize/findings/$target/" -print_final_stats=1 \
      > "build/sanitize/findings/$target.log" 2>&1
  rc=$?
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "build/sanitize/findings/$target.log" | grep -o '[0-9]*$')
  echo "fuzz_$target: exit $rc after $(( $(date +%s) - start )) s, ${runs:-?} inputs"
  if [ $rc -ne 0 ]; then status=1; tail -30 "build/sanitize/findings/$target.log"; fi
done
exit $status
