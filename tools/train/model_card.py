#!/usr/bin/python3
"""Measures the exported default model on the held-out events and writes its
model card (resources/models/rnnpool_face_m4.md) from what it measured.

    /usr/bin/python3 tools/train/model_card.py \\
        [--model resources/models/rnnpool_face_m4.safetensors] [--engine build/app/rnnpool]

It runs, in one process, `rnnpool eval --detector model,haar --min-face 20`
on the pictures of split.json's validation events, reads the learning
curves in tools/train/checkpoints/, draws the detections on the bundled
samples with `rnnpool run --annotate`, and prints the README's accuracy
table. Nothing in the card is typed by hand.
"""

import argparse
import csv
import datetime
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
DATA = os.path.abspath(os.path.join(ROOT, "..", "shared", "datasets", "wider-face-val-subset"))
CHECKPOINTS = os.path.join(HERE, "checkpoints")
STAGE1_LOG = os.path.join(CHECKPOINTS, "rpool_face_m4.stage1-sgd.log.csv")
STAGE2_LOG = os.path.join(CHECKPOINTS, "rpool_face_m4.log.csv")
# The fine-tune from stage 2's last weights, when it was run (train.py --init
# ... --out checkpoints/stage3); the shipped model is then its last epoch.
STAGE3_DIR = os.path.join(CHECKPOINTS, "stage3")
STAGE3_LOG = os.path.join(STAGE3_DIR, "rpool_face_m4.log.csv")
MIN_FACE = 20
SAMPLES = ["grace_hopper.jpg", "astronaut.png"]

sys.path.insert(0, os.path.join(ROOT, "tools", "reference"))
from rnnpool_ref.safetensors_io import read_safetensors  # noqa: E402


# What a shipped model's own file says about it (the exporter writes these;
# a file without them is RPool_Face_M4 run as the network alone).
NAMES = {"rnnpool-face-m4": "RNNPool-Face-M4", "rnnpool-face-m4-webcam": "RNNPool-Face-M4-Webcam"}
HEAD_COUNT = {3: "three", 4: "four", 5: "five", 6: "six"}


def model_facts(path):
    """(display name, spec description, anchor sizes, declared pyramid levels)
    from a model file's safetensors metadata; the file is only read."""
    _, meta = read_safetensors(path)
    spec = json.loads(meta.get("rnnpool.arch_spec") or "{}")
    name = spec.get("name", "rnnpool-face-m4")
    anchors = spec.get("detector", {}).get("anchor_sizes", [8, 16, 32, 48])
    return (NAMES.get(name, name), spec.get("description", ""), [int(v) for v in anchors],
            int(meta.get("rnnpool.pyramid_levels", "1")))


def run(cmd):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        sys.exit("%s failed (%d): %s" % (" ".join(cmd), done.returncode, done.stderr.strip()))
    return done.stdout


def read_log(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return list(csv.DictReader(f))


def held_out_labels(path):
    run([sys.executable, os.path.join(HERE, "heldout_labels.py"), "--labels",
         os.path.join(DATA, "labels.txt"), "-o", path])


def bucket_label(b):
    hi = b["max_height"]
    return "%d+ px" % b["min_height"] if hi is None else "%d–%d px" % (b["min_height"], hi)


def accuracy_table(results):
    buckets = results[0]["buckets"]
    head = "| detector | AP@0.5 | " + " | ".join("recall " + bucket_label(b) for b in buckets) + " |"
    rule = "| --- | ---: | " + " | ".join("---:" for _ in buckets) + " |"
    rows = [head, rule]
    for r in results:
        name = r.get("label") or ("RNNPool-Face-M4 (this model), float32" if r["model"] != "opencv-data"
                                  else "OpenCV Haar frontal face (haarcascade_frontalface_default)")
        cells = ["%.3f (%d of %d)" % (b["recall"], b["found"], b["faces"]) for b in r["buckets"]]
        rows.append("| %s | %.3f | %s |" % (name, r["ap"], " | ".join(cells)))
    return "\n".join(rows)


def worst_layer(report, heads_only=False):
    """The layer (or head) with the lowest finite SQNR in `rnnpool quant-report --json`."""
    layers = [l for l in report.get("layers", []) if isinstance(l.get("sqnr_db"), (int, float))]
    if heads_only:
        layers = [l for l in layers if l.get("name", "").startswith("head") and
                  l.get("name", "").endswith((".loc", ".conf"))]
    if not layers:
        return ("(none)", float("nan"))
    worst = min(layers, key=lambda l: l["sqnr_db"])
    return (worst.get("name", "?"), worst["sqnr_db"])


def curve_table(rows, every):
    out = ["| epoch | learning rate | train loss | validation loss (loc / conf) | held-out AP@0.5 |",
           "| ---: | ---: | ---: | --- | ---: |"]
    picked = [r for i, r in enumerate(rows) if i % every == 0 or i == len(rows) - 1]
    for r in picked:
        out.append("| %s | %.2g | %.3f | %.3f (%.3f / %.3f) | %.3f |" % (
            r["epoch"], float(r["lr"]), float(r["train_loss"]), float(r["val_loss"]),
            float(r["val_loss_l"]), float(r["val_loss_c"]), float(r["val_ap50"])))
    return "\n".join(out)


def stage3_recipe(rows, last=True):
    if not rows:
        return ""
    return ("\n- Stage 3 (fine-tune, `train.py --init` from stage 2's last weights, "
            "`--out checkpoints/stage3`): AdamW, learning rate 3e-4 after one warm-up "
            "epoch, cosine to 1e-5 over %d epochs, weight decay 0.01; random crops of the "
            "whole scene for 70%% of samples instead of 50%% (`--anchor-prob 0.3`: more "
            "background at the scale of the larger anchors, where stage 2's false "
            "positives were) and faces up to 128 px as targets (`--max-face 128`), "
            "%.1f h.%s" % (len(rows), hours(rows), " The shipped weights are its last epoch, chosen before it ran, "
                          "not the epoch with the best held-out score." if last else ""))


def stage3_curve(rows):
    if not rows:
        return ""
    return ("Stage 3 (`tools/train/checkpoints/stage3/rpool_face_m4.log.csv`):\n\n%s\n\n"
            % curve_table(rows, max(1, len(rows) // 10)))


def hours(rows):
    return float(rows[-1]["wall_h"]) if rows else 0.0


def later_recipe(stages):
    """Stages after stage 3 (train.py --init from the one before, each
    `--out checkpoints/<stage>`): their commands, rules and results are in
    tools/train/README.md; the card gives their length from their logs."""
    return "".join("\n- Stage %s (`--out checkpoints/stage%s`, from the stage before's last weights; its "
                   "command, the rule fixed before it ran and its result are under \"Stage %s\" in "
                   "`tools/train/README.md`): %d epochs, %.1f h." % (name, name, name, len(rows), hours(rows))
                   for name, rows in stages)


def later_curves(stages):
    return "".join("Stage %s (`tools/train/checkpoints/stage%s/rpool_face_m4.log.csv`):\n\n%s\n\n"
                   % (name, name, curve_table(rows, max(1, len(rows) // 8))) for name, rows in stages)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "resources", "models", "rnnpool_face_m4.safetensors"))
    ap.add_argument("--engine", default=os.path.join(ROOT, "build", "app", "rnnpool"))
    ap.add_argument("--card", default=os.path.join(ROOT, "resources", "models", "rnnpool_face_m4.md"))
    ap.add_argument("--int8", default=os.path.join(ROOT, "resources", "models", "rnnpool_face_m4.int8.safetensors"),
                    help="the int8 twin (rnnpool quantize) whose figures the card gains")
    ap.add_argument("--stages", default="",
                    help="comma-separated stages after stage 3 that the model comes from, in order (e.g. 6c,7,8), "
                         "whose logs are checkpoints/stage<name>/rpool_face_m4.log.csv; the model's last is the "
                         "last stage's last epoch")
    ap.add_argument("--pictures-out", default=os.path.join(ROOT, "resources", "screenshots"),
                    help="where the annotated samples go")
    a = ap.parse_args()
    for path, what in [(a.model, "model"), (a.engine, "engine"), (DATA, "dataset")]:
        if not os.path.exists(path):
            sys.exit("%s not found: %s" % (what, path))
    later = []
    for name in [v for v in a.stages.split(",") if v]:
        log = os.path.join(CHECKPOINTS, "stage" + name, "rpool_face_m4.log.csv")
        if not os.path.exists(log):
            sys.exit("--stages %s: no learning curve at %s" % (name, log))
        later.append((name, read_log(log)))
    title, description, anchors, levels = model_facts(a.model)
    model_rel = os.path.relpath(a.model, ROOT)
    int8_rel = os.path.relpath(a.int8, ROOT)

    with tempfile.TemporaryDirectory() as tmp:
        labels = os.path.join(tmp, "heldout.txt")
        held_out_labels(labels)
        # The network alone (--pyramid 1), as the int8 engine runs it, and
        # with the image pyramid that `rnnpool run` and the studio use by default.
        results = json.loads(run([a.engine, "eval", "--model", a.model, "--detector", "model,haar", "--pyramid", "1",
                                  "--images", os.path.join(DATA, "images"), "--labels", labels,
                                  "--min-face", str(MIN_FACE), "--json"]))
        pyramid = json.loads(run([a.engine, "eval", "--model", a.model, "--detector", "model", "--pyramid", str(levels),
                                  "--images", os.path.join(DATA, "images"), "--labels", labels,
                                  "--min-face", str(MIN_FACE), "--json"]))
        # The int8 twin on the same pictures, through the integer engine: the
        # network alone (beside float's network alone) and with its pyramid.
        int8_results = json.loads(run([a.engine, "eval", "--model", a.int8, "--detector", "model-i8", "--pyramid", "1",
                                       "--images", os.path.join(DATA, "images"), "--labels", labels,
                                       "--min-face", str(MIN_FACE), "--json"]))
        int8_pyramid = json.loads(run([a.engine, "eval", "--model", a.int8, "--detector", "model-i8", "--pyramid", str(levels),
                                       "--images", os.path.join(DATA, "images"), "--labels", labels,
                                       "--min-face", str(MIN_FACE), "--json"]))
    model, haar = results
    int8 = int8_results[0] if isinstance(int8_results, list) else int8_results
    int8_pyramid = int8_pyramid[0] if isinstance(int8_pyramid, list) else int8_pyramid
    int8_meta = json.loads(run([a.engine, "quant-report", "--model", a.model, "--int8", a.int8, "--json"]))
    annotated = []
    for name in SAMPLES:
        out = os.path.join(a.pictures_out, "detections-" + os.path.splitext(name)[0] + ".jpg")
        run([a.engine, "run", "--model", a.model, "--image",
             os.path.join(ROOT, "resources", "samples", name), "--annotate", out])
        annotated.append(os.path.relpath(out, os.path.dirname(a.card)))

    stage1, stage2, stage3 = read_log(STAGE1_LOG), read_log(STAGE2_LOG), read_log(STAGE3_LOG)
    with open(os.path.join(HERE, "split.json")) as f:
        split = json.load(f)
    meta = json.loads(run([a.engine, "info", "--model", a.model, "--json"]))
    ratio = model["ap"] / haar["ap"] if haar["ap"] > 0 else float("inf")
    goal_met = model["ap"] >= 0.60 and ratio >= 1.5
    pyramid = pyramid[0] if isinstance(pyramid, list) else pyramid
    table = accuracy_table([dict(model, label="%s (this model), float32, the network alone" % title),
                            dict(pyramid, label="%s, float32, %d-level image pyramid (the default of run and the studio)"
                                 % (title, levels)),
                            dict(int8, label="%s, int8 twin (integer engine, the network alone)" % title),
                            dict(int8_pyramid, label="%s, int8 twin, %d-level image pyramid (halved in int8)"
                                 % (title, levels)), haar])

    card = """# Model card: {title}, the studio's default face detector

`{model_file}` — {title}{what}, {params:,} parameters, one-channel (monochrome) 320×240 input,
trained in this repository with `tools/train/` (see its README for every
detail of the recipe). `rnnpool run` and the studio use it when no model is
named. Card written by `tools/train/model_card.py` on {date}.

## Data and terms

Trained on {n_train_events} event folders ({n_train} pictures) of
`../shared/datasets/wider-face-val-subset/`, a subset of the **WIDER FACE
validation set** (Yang et al., 2016) with its community box labels. WIDER
FACE is released for **non-commercial research purposes only**; this model
is a derivative of it and inherits those terms. The pictures themselves are
not in this repository. Held out, never used for training: {n_val_events}
events ({val_events}), split by event folder (`tools/train/split.json`). The
shipped weights are the latest checkpoint, not one picked by its score on
them; their validation loss did guide one choice, the switch from SGD to
AdamW (`tools/train/README.md`).

## Recipe

S3FD-style training after the paper's Appendices F.2 and G: anchors {anchors}
on the network's {heads} heads, S3FD matching (IoU 0.35, then extra matches for
under-matched faces), max-out background on the first head, cross-entropy
with 3:1 hard-negative mining plus smooth-L1 box regression, random crops
that zoom in on faces, flips and photometric jitter, monochrome 320×240
frames, batch 16.

- Stage 1: SGD (momentum 0.9, peak learning rate 0.002) for {s1_epochs}
  epochs, {s1_hours:.1f} h.
- Stage 2: AdamW (learning rate 0.001, cosine decay, weight decay 0.01) from
  stage 1's weights, {s2_epochs} epochs, {s2_hours:.1f} h, ending at learning rate
  {s2_last_lr:.1e}. The cosine schedule's horizon was shortened on resume
  (`train.py --resume --epochs N`) so that it annealed within the CPU time
  available.{stage3_recipe}{later_recipe}

All of it on one CPU thread of a shared 2-core machine, {total_hours:.1f} hours
of wall time in all.

## Accuracy

On the {num_images} held-out pictures, {num_faces} faces at least {min_face} px
high in the network's 320×240 input (smaller faces are neither hits nor
misses), AP at IoU 0.5 with all-points interpolation:

{table}

Ratio to the Haar cascade: {ratio:.2f}. Project goal: AP ≥ 0.60 and ≥ 1.5×
Haar — {goal}

Reproduce (one run evaluates both detectors on the same pictures; the
pyramid row is the same command with `--detector model --pyramid {levels}`):

```sh
/usr/bin/python3 tools/train/heldout_labels.py -o heldout.txt
build/app/rnnpool eval --model {model_rel} --detector model,haar --pyramid 1 \\
    --images ../shared/datasets/wider-face-val-subset/images --labels heldout.txt --min-face 20
```

## The int8 twin

`{int8_file}` ({int8_bytes:,} bytes) is this model after
`rnnpool quantize` (per-channel int8 weights, the stem's rounded against its
input patches' covariance, int8 activations calibrated on the two sample
pictures and 62 training pictures, RNNPool as EdgeML deploys it: Q15 weights,
int16 hidden states, its outputs requantised per channel on each channel's own
range). It runs with `rnnpool run --dtype i8`, `rnnpool eval --detector model-i8`,
and on the emulated Cortex-M4 with `rnnpool m4 run`. On the same held-out
pictures as above, the network alone, its AP@0.5 is {int8_ap:.4f} against
{float_ap:.4f} in float32 ({ap_delta:+.4f}); with the {levels}-level pyramid (its levels
halved in int8) {int8_pyramid_ap:.4f} against {float_pyramid_ap:.4f}. Its worst
layer is `{worst_layer}` at {worst_sqnr:.1f} dB SQNR against float on the
sample pictures, its worst head `{worst_head}` at {worst_head_sqnr:.1f} dB
(`rnnpool quant-report`).

Reproduce:

```sh
build/app/rnnpool eval --model {int8_rel} --detector model-i8 --pyramid 1 \\
    --images ../shared/datasets/wider-face-val-subset/images --labels heldout.txt --min-face 20
build/app/rnnpool quant-report --model {model_rel} --int8 {int8_rel}
```

## Learning curves

Stage 2 (`tools/train/checkpoints/rpool_face_m4.log.csv`; validation after
every epoch on the held-out events, AP from the training code's quick
evaluator):

{curve2}

{stage3_curve}{later_curves}Stage 1 (`rpool_face_m4.stage1-sgd.log.csv`):

{curve1}

## Detections on the bundled samples

{pictures}

## Limitations

- Trained on {n_train} pictures, a small fraction of WIDER FACE's training
  set; expect misses on small, blurred, occluded or profile faces.
- {large_faces}
- Monochrome input: colour is discarded before the network.
""".format(
        params=meta.get("params", 0), date=datetime.date.today().isoformat(),
        n_train_events=len(split["train_events"]), n_train=split["counts"]["train_images"], n_val_events=len(split["val_events"]), val_events=", ".join(split["val_events"]),
        s1_epochs=len(stage1), s1_hours=hours(stage1), s2_epochs=len(stage2), s2_hours=hours(stage2),
        s2_last_lr=float(stage2[-1]["lr"]),
        total_hours=hours(stage1) + hours(stage2) + hours(stage3) + sum(hours(r) for _, r in later),
        num_images=model["num_images"], title=title, model_file=os.path.basename(a.model),
        what=(" (the paper's Cortex-M4 face detector)" if title == "RNNPool-Face-M4" else ": " + description.rstrip(".")), anchors="/".join(map(str, anchors)),
        heads=HEAD_COUNT.get(len(anchors), str(len(anchors))), levels=levels, model_rel=model_rel,
        int8_rel=int8_rel, int8_file=os.path.basename(a.int8),
        later_recipe=later_recipe(later), later_curves=later_curves(later),
        stage3_recipe=stage3_recipe(stage3, last=not later), stage3_curve=stage3_curve(stage3),
        large_faces=(("The largest anchor is %d px; with the image pyramid's %d level(s), %s."
                      % (max(anchors), levels, "every face that fits the 240 px high input is within twice the "
                         "largest anchor at some level" if 2 * max(anchors) * 2 ** (levels - 1) >= 240 else
                         "a face up to about %d px is within twice the largest anchor at some level"
                         % (2 * max(anchors) * 2 ** (levels - 1)))) if later else
                     "Faces up to 128 px (sqrt of width × height, input pixels) are training "
                     "targets since stage 3, up to 96 px before; the largest anchor is 48 px, so "
                     "larger faces are found only partially." if stage3 else
                     "No face larger than 96 px (in input pixels) is a training target: no anchor "
                     "of the network covers it; such faces are found only partially."),
        num_faces=model["num_faces"], min_face=MIN_FACE, table=table, ratio=ratio,
        int8_bytes=os.path.getsize(a.int8), int8_ap=int8["ap"], float_ap=model["ap"], ap_delta=int8["ap"] - model["ap"],
        worst_layer=worst_layer(int8_meta)[0], worst_sqnr=worst_layer(int8_meta)[1],
        worst_head=worst_layer(int8_meta, True)[0], worst_head_sqnr=worst_layer(int8_meta, True)[1],
        int8_pyramid_ap=int8_pyramid["ap"], float_pyramid_ap=pyramid["ap"],
        goal="met." if goal_met else "%s. %s" % (
            "; ".join(["AP ≥ 0.60 %s (%.3f)" % ("met" if model["ap"] >= 0.60 else "not met", model["ap"]),
                       "≥ 1.5× Haar %s (%.2f×)" % ("met" if ratio >= 1.5 else "not met", ratio)]),
            "What would close the gap: more training pictures (WIDER FACE's 12,880 "
            "instead of these 1,550) and more CPU time; see the learning curves."),
        curve2=curve_table(stage2, max(1, len(stage2) // 12)) if stage2 else "(no epoch finished yet)",
        curve1=curve_table(stage1, 2),
        pictures="\n".join("![detections](%s)" % p for p in annotated))
    with open(a.card, "w") as f:
        f.write(card)
    print(table)
    print("\nratio to Haar %.2f; card written to %s" % (ratio, a.card))


if __name__ == "__main__":
    main()
