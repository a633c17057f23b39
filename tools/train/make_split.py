#!/usr/bin/python3
"""Writes tools/train/split.json: the WIDER FACE validation subset split by
event folder into training and held-out validation events.

Deterministic: the events are sorted by name and 7 are drawn with a fixed
seed; a draw is accepted only if its events hold 12-20 % of the pictures (so
the validation set is neither tiny nor wasteful), otherwise the next draw of
the same generator is tried. Re-running gives the same file.

    /usr/bin/python3 tools/train/make_split.py [--data DIR] [-o tools/train/split.json]
"""

import argparse
import json
import os
import random
from collections import Counter

HERE = os.path.dirname(os.path.abspath(__file__))
# ../shared beside the repository, as the README lays it out
DEFAULT_DATA = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "shared",
                                            "datasets", "wider-face-val-subset"))
SEED = 2020          # the paper's year; any fixed number would do
N_VAL_EVENTS = 7


def read_events(labels_path):
    """{event: number of pictures} from labels.txt."""
    counts = Counter()
    with open(labels_path) as f:
        for line in f:
            if line.startswith("#"):
                counts[line[1:].strip().split("/")[0]] += 1
    return counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=DEFAULT_DATA)
    ap.add_argument("-o", "--out", default=os.path.join(HERE, "split.json"))
    args = ap.parse_args()

    counts = read_events(os.path.join(args.data, "labels.txt"))
    events = sorted(counts)
    total = sum(counts.values())
    rng = random.Random(SEED)
    for attempt in range(1000):
        val = sorted(rng.sample(events, N_VAL_EVENTS))
        frac = sum(counts[e] for e in val) / total
        if 0.12 <= frac <= 0.20:
            break
    else:
        raise SystemExit("no acceptable draw")
    train = [e for e in events if e not in val]
    doc = {
        "dataset": "wider-face-val-subset (WIDER FACE validation, 44 event folders)",
        "rule": "split by event folder; %d events drawn with random.Random(%d).sample over the "
                "sorted event names, first draw whose events hold 12-20%% of the pictures "
                "(draw #%d)" % (N_VAL_EVENTS, SEED, attempt + 1),
        "val_events": val,
        "train_events": train,
        "counts": {"val_images": sum(counts[e] for e in val),
                   "train_images": sum(counts[e] for e in train)},
    }
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print("validation events (%d pictures, %.1f%%): %s"
          % (doc["counts"]["val_images"], 100 * frac, ", ".join(val)))
    print("wrote", args.out)


if __name__ == "__main__":
    main()
