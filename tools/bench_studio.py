#!/usr/bin/python3
"""Measures the studio's live rate: plays a 640x480 video through the real
window (under xvfb-run without a display) with a tab open, and reads what the
window itself reports (--report): frames analysed, frames dropped, and
analysed frames per second between the first and the last result.

    /usr/bin/python3 tools/bench_studio.py [--build build] [--runs 3]

The video is the bundled sample picture panned at 640x480, written here with
OpenCV (python3-opencv) into a temporary folder: once at 30 fps (a camera's
rate: every frame should be analysed, none dropped) and once at 120 fps (more
than the studio keeps up with: the analysed rate is its capacity). Each
configuration runs --runs times; medians are printed, with the live tab as the
peer measured in the same run.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SAMPLE = os.path.join(ROOT, "resources", "samples", "grace_hopper.jpg")


def write_video(path, fps, frames):
    picture = cv2.imread(SAMPLE)
    if picture is None:
        sys.exit("bench_studio: cannot read %s" % SAMPLE)
    big = cv2.resize(picture, (800, picture.shape[0] * 800 // picture.shape[1]))
    out = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), fps, (640, 480))
    if not out.isOpened():
        sys.exit("bench_studio: OpenCV cannot write %s" % path)
    for i in range(frames):
        x = (i * 3) % (big.shape[1] - 640)
        out.write(big[0:480, x:x + 640])
    out.release()


def run_studio(studio, video, tab, metering, workdir):
    shot = os.path.join(workdir, "shot.png")
    report = os.path.join(workdir, "report.json")
    cmd = [studio, "--video", video, "--play", "--tab", tab, "--ram-metering", metering,
           "--window-size", "1280x800", "--screenshot", shot, "--report", report]
    if not os.environ.get("DISPLAY"):
        if not shutil.which("xvfb-run"):
            sys.exit("bench_studio: no display and no xvfb-run (tools/setup.sh installs xvfb)")
        cmd = ["xvfb-run", "-a", "-s", "-noreset -screen 0 1600x1000x24"] + cmd
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0 or not os.path.exists(report):
        sys.exit("bench_studio: the studio failed (%d): %s" % (done.returncode, done.stderr[-400:]))
    with open(report) as f:
        return json.load(f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=4.0, help="length of each video")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    studio = os.path.join(a.build, "app", "studio", "rnnpool-studio")
    if not os.access(studio, os.X_OK):
        sys.exit("bench_studio: no studio at %s: build first (tools/setup.sh build)" % studio)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for fps in (30, 120):
            video = os.path.join(tmp, "pan_%d.avi" % fps)
            frames = int(fps * a.seconds)
            write_video(video, fps, frames)
            for tab in ("live", "activations"):
                for metering in ("second", "every", "off"):
                    runs = [run_studio(studio, video, tab, metering, tmp) for _ in range(a.runs)]
                    rows.append({
                        "source_fps": fps, "frames": frames, "tab": tab, "ram_metering": metering,
                        "analysed_fps": statistics.median(r.get("analysed_fps", 0.0) for r in runs),
                        "frames_analysed": statistics.median(r["frames_analysed"] for r in runs),
                        "frames_dropped": statistics.median(r["frames_dropped"] for r in runs),
                    })
                    r = rows[-1]
                    if not a.json:
                        print("%3d fps source, %-11s tab, RAM measured %-6s: %5.1f frames/s analysed, "
                              "%4d analysed, %4d dropped of %d (medians of %d)"
                              % (fps, tab, metering, r["analysed_fps"], r["frames_analysed"],
                                 r["frames_dropped"], frames, a.runs), flush=True)
    if a.json:
        print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
