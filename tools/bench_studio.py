#!/usr/bin/python3
"""Measures the studio's live rate: plays a 640x480 video through the real
window (under xvfb-run without a display) with a tab open, and reads what the
window itself reports (--report): frames analysed, frames dropped, and
analysed frames per second between the first and the last result.

    /usr/bin/python3 tools/bench_studio.py [--build build] [--runs 3]
    /usr/bin/python3 tools/bench_studio.py --soak 100   # plays the 120 fps video 100 times over


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


def run_studio(studio, video, tab, metering, workdir, loops=1):
    shot = os.path.join(workdir, "shot.png")
    report = os.path.join(workdir, "report.json")
    if os.path.exists(report):
        os.remove(report)
    cmd = [studio, "--video", video, "--play", "--tab", tab, "--ram-metering", metering,
           "--window-size", "1280x800", "--screenshot", shot, "--report", report]
    if loops > 1:
        cmd += ["--loop", str(loops)]
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
    ap.add_argument("--soak", type=int, default=0, metavar="N",
                    help="instead: play the 120 fps video N times over in one studio run (--loop N), "
                         "activations tab open and RAM measured once a second (the default); print the run's figures")
    a = ap.parse_args()
    studio = os.path.join(a.build, "app", "studio", "rnnpool-studio")
    if not os.access(studio, os.X_OK):
        sys.exit("bench_studio: no studio at %s: build first (tools/setup.sh build)" % studio)
    if a.soak > 0:
        soak(studio, a)
        return
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


def soak(studio, a):
    """One studio run over the 120 fps video, N passes: exits 0 and ends on the last frame, or fails."""
    import resource
    import time
    with tempfile.TemporaryDirectory() as tmp:
        video = os.path.join(tmp, "pan_120.avi")
        frames = int(120 * a.seconds)
        write_video(video, 120, frames)
        start = time.monotonic()
        r = run_studio(studio, video, "activations", "second", tmp, loops=a.soak)
        seconds = time.monotonic() - start
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        seen = r["frames_analysed"] + r["frames_dropped"]
        row = {"passes": a.soak, "frames_per_pass": frames, "frames_seen": seen,
               "frames_analysed": r["frames_analysed"], "frames_dropped": r["frames_dropped"],
               "last_frame": r.get("frame_index"), "seconds": round(seconds, 1),
               "peak_rss_mb_of_any_child": round(peak_kb / 1024.0, 1)}
        print(json.dumps(row, indent=2) if a.json else
              "%d passes of a %d-frame 120 fps video in %.0f s: %d frames analysed, %d dropped (%d of %d seen), "
              "ended on frame %s; largest resident set of the studio or Xvfb %.0f MB"
              % (a.soak, frames, seconds, r["frames_analysed"], r["frames_dropped"], seen, a.soak * frames,
                 row["last_frame"], row["peak_rss_mb_of_any_child"]))
        if seen != a.soak * frames or row["last_frame"] != frames - 1:
            sys.exit("bench_studio: the soak run lost frames or ended early")


if __name__ == "__main__":
    main()
