#!/usr/bin/env python3
"""Write the labels of the held-out events (split.json's val_events) in the
dataset's labels.txt format, for `rnnpool eval --labels`.

    /usr/bin/python3 tools/train/heldout_labels.py -o /tmp/heldout_labels.txt

`--events train` writes the training events' labels instead: pictures to tune
detection settings on, so that the held-out pictures never choose them.
"""
import argparse
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_LABELS = os.path.join(HERE, "..", "..", "..", "shared", "datasets", "wider-face-val-subset", "labels.txt")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", default=DEFAULT_LABELS, help="the dataset's labels.txt")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--events", choices=("val", "train"), default="val")
    args = parser.parse_args()
    with open(os.path.join(HERE, "split.json")) as f:
        held_out = set(json.load(f)["val_events" if args.events == "val" else "train_events"])
    keep, lines, pictures = False, [], 0
    with open(args.labels) as f:
        for line in f:
            if line.startswith("#"):
                keep = line[1:].strip().split("/")[0] in held_out
                pictures += keep
            if keep:
                lines.append(line)
    with open(args.output, "w") as f:
        f.writelines(lines)
    kind = "held-out" if args.events == "val" else "training"
    print(f"{pictures} pictures from {len(held_out)} {kind} events -> {args.output}")


if __name__ == "__main__":
    main()
