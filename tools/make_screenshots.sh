#!/bin/sh
# Makes every screenshot the README shows, with the studio's own --screenshot,
# from the repository root after a build (tools/setup.sh build):
#
#     tools/make_screenshots.sh [BUILD_DIR]
#
# Without a display it runs under xvfb-run. Settings are not read or written
# by --screenshot runs, so the pictures do not depend on the user's setup.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$here/build"}
studio="$build/app/studio/rnnpool-studio"
out="$here/resources/screenshots"
[ -x "$studio" ] || { echo "no studio at $studio: build first (tools/setup.sh build)" >&2; exit 1; }
run() {
    name=$1; shift
    # SCREEN: the virtual screen, big enough for a scaled window.
    if [ -n "${DISPLAY:-}" ]; then
        "$studio" --window-size 1280x800 --screenshot "$out/$name.png" "$@" || true
    else
        xvfb-run -a -s "-noreset -screen 0 ${SCREEN:-1600x1000}x24" \
            "$studio" --window-size 1280x800 --screenshot "$out/$name.png" "$@" || true
    fi
    [ -s "$out/$name.png" ] || { echo "no screenshot $name.png" >&2; exit 1; }
    echo "$out/$name.png"
}
sample="$here/resources/samples/grace_hopper.jpg"
video="$here/resources/samples/grace_hopper_pan.avi"
cd "$here"
run studio-live --image "$sample" --grid
run studio-activations --image "$sample" --layer rnnpool --tab activations
run studio-rnnpool --image "$sample" --layer rnnpool --patch 12,16 --step 4 --tab rnnpool
run studio-video --video "$video" --frame 8 --grid --patch 10,12
run studio-folder --folder resources/samples --frame 2 --layer block0.expand --tab activations --theme dark
run studio-rnnpool-dark --video "$video" --frame 4 --layer rnnpool --patch 8,9 --step 6 --tab rnnpool --theme dark
run studio-charts --video "$video" --play --tab charts
run studio-memory --image "$sample" --tab memory
run studio-compare --image "$sample" --tab compare
run studio-sweep --image "$sample" --tab sweep --sweep input=160x120,240x180,320x240,480x360,640x480
run studio-m4-fit --image "$sample" --tab m4
run studio-m4 --image "$sample" --tab m4 --m4-run 320x240 --m4-schedule rowstream
run studio-diff --image "$sample" --tab diff --diff int8
# A labelled folder of the shared dataset: ground truth beside the detections, then the precision/recall curve.
data="${RNNPOOL_SHARED_DIR:-$here/../shared}/datasets/wider-face-val-subset"
if [ -f "$data/labels.txt" ]; then
    run studio-labelled --folder "$data/images/1--Handshaking" --labels "$data/labels.txt" --frame 2
    run studio-accuracy --folder "$data/images/1--Handshaking" --labels "$data/labels.txt" --play --tab accuracy
fi
# An ONNX classifier: torchvision's mobilenet_v3_small exported by PyTorch (tools/onnx).
onnx="$build/onnx-models/mobilenet_v3_small.onnx"
[ -s "$onnx" ] || /usr/bin/python3 "$here/tools/onnx/export_torchvision.py" --out "$build/onnx-models" --models mobilenet_v3_small >/dev/null
run studio-onnx --model "$onnx" --image "$sample" --tab memory
run studio-dead-camera --camera 63
# High-DPI: the same window at twice the device pixels (Qt's scale factor 2).
export QT_SCALE_FACTOR=2 SCREEN=3200x2000
run studio-hidpi --image "$sample" --layer rnnpool --patch 8,6 --tab rnnpool
