#!/bin/bash
# Makes one input of each class of issue 18 and runs `rnnpool` on it under
# /usr/bin/time: exit status, wall seconds, peak memory, and the first line of
# the message. Every line should read status 1 (2 for usage), well under 10 s
# and 3 GB. The figures in README's "Limits" come from this script.
#   tools/hostile_inputs.sh [build/app/rnnpool]
set -uo pipefail
cd "$(dirname "$0")/.."
cli=$(realpath "${1:-build/app/rnnpool}")
dir=$(mktemp -d /tmp/rnnpool_hostile.XXXXXX)
trap 'rm -rf "$dir"' EXIT
python=/usr/bin/python3
m4=resources/architectures/rpool_face_m4.json
sample=resources/samples/grace_hopper.jpg

$python - "$dir" "$m4" "$sample" <<'PY'
import json, struct, sys, zipfile, copy
out, m4path, sample = sys.argv[1:4]
m4 = json.load(open(m4path))
def spec(name, change):
    d = copy.deepcopy(m4); change(d); json.dump(d, open(f'{out}/{name}.json', 'w'))
# 1. A 2 MB pickle that hands one list of 2 M pairs to OrderedDict 2,000 times.
p = bytearray(b'\x80\x02ccollections\nOrderedDict\nq\x00K\x01K\x02\x86q\x01]q\x02')
for chunk in range(2000):
    p += b'(' + b'h\x01' * 1000 + b'e'
p += b'0'
for call in range(2000):
    p += b'h\x00h\x02\x85R0'
p += b'N.'
with zipfile.ZipFile(f'{out}/ordereddict_bomb.pth', 'w') as z:
    z.writestr('archive/data.pkl', bytes(p)); z.writestr('archive/version', '3\n')
# 2. Sizes that overflow, and counts beyond the limits.
spec('input_2p31', lambda d: d['input'].update(width=2**31, height=2**31))
spec('kernel_3x2p62', lambda d: d['layers'][0].update(kernel=[3, 2**62]))
spec('pad_1e9', lambda d: d['layers'][0].update(pad=10**9))
spec('layers_100000', lambda d: d['layers'].extend({'name': f'x{i}', 'op': 'add', 'input': ['stem', 'stem']} for i in range(100000)))
spec('head_1m_channels', lambda d: d['layers'][4].update(out=10**6))
# 3. Detector settings.
spec('steps_0', lambda d: d['detector'].update(steps=[0, 8, 16, 16]))
spec('anchor_negative', lambda d: d['detector'].update(anchor_sizes=[-8, 16, 32, 48]))
spec('keep_top_k_minus1', lambda d: d['detector'].update(keep_top_k=-1))
spec('nms_minus5', lambda d: d['detector'].update(nms_threshold=-5))
# 4. A wrongly typed field.
spec('typed_h1', lambda d: d['layers'][1].update(h1='16'))
# 5. Picture bombs: a JPEG declaring 30000x30000, a PNG declaring 32000x32000.
jpeg = b'\xff\xd8\xff\xc0\x00\x0b\x08' + struct.pack('>HH', 30000, 30000) + b'\x01\x01\x11\x00'
jpeg += b'\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00' + b'\x00' * 640 + b'\xff\xd9'
open(f'{out}/bomb_30000.jpg', 'wb').write(jpeg)
import zlib
raw = zlib.compress(b'\x00' * 100000, 9)
def chunk(kind, data): return struct.pack('>I', len(data)) + kind + data + struct.pack('>I', zlib.crc32(kind + data))
png = b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 32000, 32000, 8, 2, 0, 0, 0)) + chunk(b'IDAT', raw) + chunk(b'IEND', b'')
open(f'{out}/bomb_32000.png', 'wb').write(png)
# 6. Damaged: a JPEG cut to a third, an all-NaN tensor, a labels line with a NUL.
data = open(sample, 'rb').read()
open(f'{out}/third.jpg', 'wb').write(data[:len(data) // 3])
def npy(name, descr, shape, payload):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, shape)
    h += ' ' * ((64 - (10 + len(h) + 1) % 64) % 64) + '\n'
    open(f'{out}/{name}', 'wb').write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(h)) + h.encode() + payload)
npy('nan.npy', '<f4', '(1, 1, 240, 320)', struct.pack('<f', float('nan')) * (240 * 320))
open(f'{out}/labels.txt', 'wb').write(b'# a.jpg\n1 2 3 4\n# b.jpg\x00.png\n5 6 7 8\n')
# 7. A 0-d float64 array without its 8 bytes.
npy('scalar.npy', '<f8', '()', b'')
PY

run() { # label, expected status, arguments...
  local label=$1 expected=$2; shift 2
  local start end status peak
  /usr/bin/time -f '%e %M' -o "$dir/time" "$cli" "$@" > "$dir/out" 2> "$dir/err"
  status=$?
  read -r seconds peak < <(tail -1 "$dir/time")
  printf '%-26s status %d (want %d)  %5.2f s  %5d MB  %s\n' "$label" "$status" "$expected" "$seconds" \
    $(( peak / 1024 )) "$(grep -v '^Command exited' "$dir/err" | head -1 | cut -c1-150)"
}

run "1 pickle work"         1 info --model "$dir/ordereddict_bomb.pth"
run "2 input 2^31"          1 info --model "$dir/input_2p31.json"
run "2 kernel 3x2^62"       1 info --model "$dir/kernel_3x2p62.json"
run "2 padding 10^9"        1 info --model "$dir/pad_1e9.json"
run "2 100,000 layers"      1 info --model "$dir/layers_100000.json"
run "2 head 10^6 channels"  1 info --model "$dir/head_1m_channels.json"
run "3 steps 0"             1 run --model "$dir/steps_0.json" --image "$sample"
run "3 negative anchor"     1 run --model "$dir/anchor_negative.json" --image "$sample"
run "3 keep_top_k -1"       1 run --model "$dir/keep_top_k_minus1.json" --image "$sample"
run "3 nms_threshold -5"    1 run --model "$dir/nms_minus5.json" --image "$sample"
run "4 h1 as a string"      1 info --model "$dir/typed_h1.json"
run "5 JPEG 30000x30000"    1 run --image "$dir/bomb_30000.jpg"
run "5 PNG 32000x32000"     1 run --image "$dir/bomb_32000.png"
run "6 JPEG cut to a third" 1 run --image "$dir/third.jpg"
run "6 all-NaN tensor"      1 run --tensor "$dir/nan.npy"
run "6 NUL in labels"       1 eval --images "$dir" --labels "$dir/labels.txt"
run "7 0-d .npy"            1 run --tensor "$dir/scalar.npy"
run "8 --size 16384x16384"  2 run --image "$sample" --size 16384x16384
run "8 --size 4096x4096"    0 run --image "$sample" --size 4096x4096
