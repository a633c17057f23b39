#!/usr/bin/python3
"""Trains RNNPool-Face-M4 (monochrome 320x240) on the WIDER FACE subset.

    cd /work/main
    /usr/bin/python3 tools/train/train.py --threads 1 --workers 1          # new run
    /usr/bin/python3 tools/train/train.py --threads 1 --workers 1 --resume # go on
    /usr/bin/python3 tools/train/train.py --bench 30 --threads 2           # pictures/s

Recipe: see README.md. Checkpoints go to --out (tools/train/checkpoints):
rpool_face_m4.last.pt (everything a resume needs; rewritten atomically every
--save-every-min minutes and at the end of each epoch), rpool_face_m4.best.pt
(model only, lowest validation loss), rpool_face_m4.log.csv (one row per
epoch).
"""

import os
import sys

# --------------------------------------------------------------- runtime
# Must happen before torch is imported. Debian's torch calls whatever
# libblas.so.3 the system alternative names; the reference BLAS there is
# about 8x slower than OpenBLAS for the small matrix products of the RNNs.
# When Debian's libopenblas0-pthread is installed we put it first on the
# library path of this process only (re-exec), without touching the system
# alternative. OpenMP threads sleep instead of spinning while they wait: on
# a shared machine, spinning threads make 2 threads slower than 1.
OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread"


def _bootstrap_env():
    argv = " ".join(sys.argv[1:])
    if os.environ.get("RNNPOOL_TRAIN_ENV") == "1" or "--blas=system" in argv or "--blas system" in argv:
        return
    env = dict(os.environ, RNNPOOL_TRAIN_ENV="1")
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    # Every step allocates and frees tensors of tens of megabytes. By default
    # glibc returns them to the kernel, and the next step page-faults them
    # back in, which took half of the step time. Keep freed memory (up to the
    # 32 MB mmap threshold glibc allows) and back big blocks by huge pages.
    tun = "glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=33554432:" \
          "glibc.malloc.trim_threshold=4294967296:glibc.malloc.top_pad=268435456"
    env["GLIBC_TUNABLES"] = tun + (":" + env["GLIBC_TUNABLES"] if env.get("GLIBC_TUNABLES") else "")
    if os.path.isdir(OPENBLAS_DIR):
        env["LD_LIBRARY_PATH"] = OPENBLAS_DIR + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


if __name__ == "__main__":
    _bootstrap_env()

import argparse  # noqa: E402
import csv  # noqa: E402
import math  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

warnings.filterwarnings("ignore", message="scatter_reduce")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import data as D  # noqa: E402
import loss as L  # noqa: E402
import net as N  # noqa: E402
from evaluate import validate  # noqa: E402
from rnnpool_ref.detect import prior_boxes  # noqa: E402

NAME = "rpool_face_m4"
LOG_FIELDS = ["epoch", "step", "lr", "train_loss", "train_loss_l", "train_loss_c",
              "val_loss", "val_loss_l", "val_loss_c", "val_ap50", "pics_per_s",
              "epoch_min", "wall_h"]
# Options that define the run; on --resume they come from the checkpoint.
RUN_KEYS = ["data", "split", "epochs", "batch", "optimizer", "lr", "momentum", "weight_decay",
            "warmup_epochs", "min_lr", "clip", "min_face", "max_face", "anchor_prob", "webcam_prob", "seed", "init",
            "webcam_halvings", "arch", "train_only", "loss_heads",
            "dense_negatives", "anchor_sizes", "loc_weight", "distill", "distill_weight"]
# What a checkpoint written before an option existed ran with.
RUN_DEFAULTS = {"optimizer": "sgd", "webcam_prob": 0.0, "arch": N.ARCH, "loc_weight": 1.0, "distill_weight": 1.0}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="train RNNPool-Face-M4 (320x240 monochrome)")
    ap.add_argument("--data", default=D.DEFAULT_DATA)
    ap.add_argument("--split", default=os.path.join(HERE, "split.json"))
    ap.add_argument("--out", default=os.path.join(HERE, "checkpoints"))
    ap.add_argument("--epochs", type=int, default=None,
                    help="length of the cosine schedule (default 200); with --resume it "
                         "re-sets the horizon of a run, e.g. to anneal sooner")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=2e-3,
                    help="peak learning rate (see README: 1e-2 as in EdgeML stalled here)")
    ap.add_argument("--optimizer", choices=["sgd", "adam"], default="sgd",
                    help="sgd (momentum) or adam (AdamW: decoupled weight decay)")
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--init", metavar="CKPT",
                    help="start a new run from the model weights of CKPT (optimizer state is not taken)")
    ap.add_argument("--max-steps", type=int, default=0,
                    help="stop after this many steps of this process (experiments); 0: run to the end")
    ap.add_argument("--weight-decay", type=float, default=5e-4,
                    help="on conv and RNN weights (not on BN, biases, L2Norm scales)")
    ap.add_argument("--warmup-epochs", type=float, default=5)
    ap.add_argument("--min-lr", type=float, default=1e-5, help="end of the cosine")
    ap.add_argument("--clip", type=float, default=20.0, help="gradient-norm clip (0: none)")
    ap.add_argument("--min-face", type=float, default=6.0,
                    help="faces smaller than this (sqrt(w*h), input pixels) are ignored")
    ap.add_argument("--max-face", type=float, default=96.0,
                    help="faces larger than this (input pixels) are ignored; crops keep faces below it")
    ap.add_argument("--anchor-prob", type=float, default=0.5,
                    help="probability of data-anchor sampling (else random crop)")
    ap.add_argument("--loc-weight", type=float, default=1.0,
                    help="weight of the box-regression loss against the classification loss (S3FD: 1)")
    ap.add_argument("--anchor-sizes", default=None, metavar="S[,S]",
                    help="face sizes data-anchor sampling aims at (default 8,16,32,48, RPool_Face_M4's anchors; "
                         "e.g. 8,16,32,48,96 for the webcam architecture's fifth head)")
    ap.add_argument("--webcam-prob", type=float, default=0.0,
                    help="probability of a webcam frame's coarse pyramid level (data.py's webcam_frame)")
    ap.add_argument("--webcam-halvings", default=None,
                    help="halvings a webcam sample may get, e.g. 0,1,2 (default: 1 or 2, the pyramid's coarse levels)")
    ap.add_argument("--arch", default=N.ARCH, help="rnnpool_ref architecture (RPool_Face_M4, RPool_Face_M4_Webcam)")
    ap.add_argument("--train-only", default=None, metavar="PREFIXES",
                    help="comma-separated state-dict prefixes to train (e.g. mob.4.,loc.4.,conf.4.); the rest "
                         "is frozen, BatchNorm statistics included; --init may then lack those keys")
    ap.add_argument("--loss-heads", default=None, metavar="K[,K]",
                    help="the loss counts only these heads' priors (0-based), every negative among them "
                         "(for a head trained alone with --train-only)")
    ap.add_argument("--dense-negatives", default=None, metavar="K[,K]",
                    help="every negative prior of these heads counts in the loss; the hardest-negative mining "
                         "runs over the other heads' priors (a large-anchor head learns background everywhere)")
    ap.add_argument("--distill", default=None, metavar="CKPT",
                    help="learning without forgetting: the heads this network shares with CKPT's (its first "
                         "priors) are also trained to answer as CKPT's network does (loss.py's distill_loss)")
    ap.add_argument("--distill-weight", type=float, default=1.0,
                    help="weight of the --distill terms against the detection loss")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1, help="torch compute threads")
    ap.add_argument("--workers", type=int, default=1, help="DataLoader worker processes")
    ap.add_argument("--save-every-min", type=float, default=5.0)
    ap.add_argument("--resume", action="store_true", help="continue from <out>/%s.last.pt" % NAME)
    ap.add_argument("--bench", type=int, default=0, metavar="STEPS",
                    help="time STEPS training steps (after 3 warm-up steps), print pictures/s, exit")
    ap.add_argument("--chunk", type=int, default=0,
                    help="FastGRNN rows per block (default 4096)")
    ap.add_argument("--log-every", type=int, default=10, help="steps between progress lines")
    ap.add_argument("--blas", choices=["auto", "system"], default="auto",
                    help="auto: use OpenBLAS for this process when installed")
    return ap.parse_args(argv)


# --------------------------------------------------------------- helpers

def make_optimizer(net, a):
    groups = param_groups(net, a.weight_decay)
    if a.optimizer == "adam":
        return torch.optim.AdamW(groups, lr=a.lr)
    return torch.optim.SGD(groups, lr=a.lr, momentum=a.momentum)


def proc_steps_done(global_step, ckpt):
    return global_step - (ckpt["global_step"] if ckpt is not None else 0)


def lr_at(step, steps_per_epoch, a):
    warm = a.warmup_epochs * steps_per_epoch
    total = a.epochs * steps_per_epoch
    if step < warm:
        return a.lr * (step + 1) / warm
    t = min(1.0, (step - warm) / max(1.0, total - warm))
    return a.min_lr + (a.lr - a.min_lr) * 0.5 * (1 + math.cos(math.pi * t))


def param_groups(net, wd):
    decay, no_decay = [], []
    for name, p in net.named_parameters():      # shared cells appear once
        if not p.requires_grad:
            continue
        is_weight = (name.endswith(".W") or name.endswith(".U") or
                     (name.endswith(".weight") and p.dim() == 4))
        (decay if is_weight else no_decay).append(p)
    return [{"params": decay, "weight_decay": wd}, {"params": no_decay, "weight_decay": 0.0}]


def trainable_prefixes(a):
    return [p for p in (a.train_only or "").split(",") if p]


def head_mask(head_shapes, heads, option="--loss-heads"):
    """(P,) bool mask of the priors of the heads named in "K[,K]" (given as option); None for none."""
    if not heads:
        return None
    wanted = {int(k) for k in heads.split(",")}
    if not wanted <= set(range(len(head_shapes))):
        sys.exit("%s %s: the network has heads 0-%d" % (option, heads, len(head_shapes) - 1))
    return torch.cat([torch.full((h * w,), k in wanted, dtype=torch.bool) for k, (h, w) in enumerate(head_shapes)])


def load_teacher(path):
    """The --distill network, in inference mode, without gradients."""
    ck = torch.load(path, map_location="cpu")
    net = N.build_trainable(ck.get("arch", N.ARCH))
    net.load_state_dict(ck["model"])
    for p in net.parameters():
        p.requires_grad_(False)
    return net.eval()


def atomic_save(obj, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        torch.save(obj, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def rng_state():
    return {"torch": torch.get_rng_state(), "numpy": np.random.get_state(),
            "python": random.getstate()}


def set_rng_state(s):
    torch.set_rng_state(s["torch"])
    np.random.set_state(s["numpy"])
    random.setstate(s["python"])


def write_log(path, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=LOG_FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow({k: r.get(k, "") for k in LOG_FIELDS})
    os.replace(tmp, path)


def fmt(v):
    return "%.4g" % v if isinstance(v, float) else str(v)


# --------------------------------------------------------------- main

def main():
    a = parse_args()
    torch.set_num_threads(a.threads)
    N.CHUNK = a.chunk or 4096
    os.makedirs(a.out, exist_ok=True)
    last_path = os.path.join(a.out, NAME + ".last.pt")
    best_path = os.path.join(a.out, NAME + ".best.pt")
    log_path = os.path.join(a.out, NAME + ".log.csv")

    ckpt = None
    if a.resume:
        if not os.path.exists(last_path):
            sys.exit("--resume: no checkpoint at %s" % last_path)
        ckpt = torch.load(last_path, map_location="cpu")
        horizon = a.epochs
        for k in RUN_KEYS:
            setattr(a, k, ckpt["args"].get(k, RUN_DEFAULTS.get(k)))
        if horizon is not None:
            if horizon <= ckpt["epoch"]:
                sys.exit("--epochs %d: the run is already at epoch %d" % (horizon, ckpt["epoch"]))
            print("schedule horizon %d -> %d epochs" % (a.epochs, horizon), flush=True)
            a.epochs = horizon
    elif a.epochs is None:
        a.epochs = 200

    net = N.build_trainable(a.arch, seed=a.seed)
    prefixes = trainable_prefixes(a)
    bad = N.freeze_all_but(net, prefixes)
    if bad:
        sys.exit("--train-only: no parameter starts with %r" % bad)
    opt = make_optimizer(net, a)
    teacher = load_teacher(a.distill) if a.distill else None
    train_items, val_items = D.load_split(a.split, a.data)
    ds = D.TrainSet(train_items, a.data, seed=a.seed, min_face=a.min_face, max_face=a.max_face,
                    anchor_prob=a.anchor_prob, webcam_prob=a.webcam_prob,
                    webcam_halvings=[int(v) for v in a.webcam_halvings.split(",")] if a.webcam_halvings else None,
                    anchor_sizes=[float(v) for v in a.anchor_sizes.split(",")] if a.anchor_sizes else D.ANCHORS)
    steps_per_epoch = len(ds) // a.batch

    epoch, step_in_epoch, global_step = 0, 0, 0
    best_val = float("inf")
    log_rows = []
    acc = {"l": 0.0, "c": 0.0, "n": 0, "pics": 0, "secs": 0.0}
    wall_prev = 0.0
    if ckpt is not None:
        net.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        epoch, step_in_epoch, global_step = ckpt["epoch"], ckpt["step_in_epoch"], ckpt["global_step"]
        best_val, log_rows, acc = ckpt["best_val"], ckpt["log"], ckpt["epoch_acc"]
        wall_prev = ckpt.get("wall_s", 0.0)
        set_rng_state(ckpt["rng"])
        write_log(log_path, log_rows)
        print("resumed from %s: epoch %d, step %d of %d, global step %d"
              % (last_path, epoch, step_in_epoch, steps_per_epoch, global_step), flush=True)
    else:
        if a.init:
            init = torch.load(a.init, map_location="cpu")["model"]
            missing, unexpected = net.load_state_dict(init, strict=not prefixes)
            # with --train-only, only the trained parts may be new
            new = [k for k in missing if not any(k.startswith(p) for p in prefixes)]
            if new or unexpected:
                sys.exit("--init %s: missing %s, unexpected %s" % (a.init, new, unexpected))
            print("weights from %s%s" % (a.init, " (new: %s)" % ", ".join(missing) if missing else ""), flush=True)
        torch.manual_seed(a.seed)
        np.random.seed(a.seed)
        random.seed(a.seed)

    print("train: %s; validation: %s (events %s)" % (
        D.describe(ds.items, a.min_face), D.describe(val_items, a.min_face),
        ", ".join(sorted({p.split('/')[0] for p, _ in val_items}))), flush=True)
    print("batch %d, %d steps/epoch, %d epochs, lr %g (warm-up %g epochs, cosine to %g), "
          "threads %d, workers %d" % (a.batch, steps_per_epoch, a.epochs, a.lr, a.warmup_epochs,
                                      a.min_lr, a.threads, a.workers), flush=True)

    val = None if a.bench else D.load_val(val_items, a.data)
    priors = None
    t_start = time.time()
    last_save = time.time()

    def state(epoch_, step_, acc_):
        return {"model": net.state_dict(), "optimizer": opt.state_dict(),
                "epoch": epoch_, "step_in_epoch": step_, "global_step": global_step,
                "best_val": best_val, "log": log_rows, "epoch_acc": dict(acc_),
                "rng": rng_state(), "args": {k: getattr(a, k) for k in RUN_KEYS},
                "wall_s": wall_prev + time.time() - t_start, "arch": a.arch}

    N.set_train_mode(net, prefixes)
    proc_steps = 0
    while epoch < a.epochs:
        sampler = D.EpochSampler(len(ds), a.seed, epoch, start=step_in_epoch * a.batch)
        loader = torch.utils.data.DataLoader(
            ds, batch_size=a.batch, sampler=sampler, num_workers=a.workers, collate_fn=D.collate,
            drop_last=True, worker_init_fn=D.worker_init, persistent_workers=False,
            prefetch_factor=4 if a.workers else 2)
        t_int = t_prev = time.time()
        pics_int = 0
        for x, faces, ignores in loader:
            lr = lr_at(global_step, steps_per_epoch, a)
            for g in opt.param_groups:
                g["lr"] = lr
            if teacher is not None:     # first: FastGRNN's buffers must hold the network's own forward
                with torch.no_grad():
                    t_loc, t_conf = N.forward_train(teacher, x)
            loc, conf = N.forward_train(net, x)
            if priors is None:
                priors = prior_boxes(net.head_shapes, tuple(x.shape[2:]), net.config)
                only = head_mask(net.head_shapes, a.loss_heads)
                dense = head_mask(net.head_shapes, a.dense_negatives, "--dense-negatives")
                if teacher is not None and list(teacher.head_shapes) != list(net.head_shapes[:len(teacher.head_shapes)]):
                    sys.exit("--distill %s: its heads %s are not this network's first heads %s"
                             % (a.distill, teacher.head_shapes, net.head_shapes))
            labels, loc_t = L.match(faces, ignores, priors)
            ll, lc, npos = L.multibox_loss(loc, conf, labels, loc_t, only, dense)
            loss = a.loc_weight * ll + lc
            dist = 0.0
            if teacher is not None:
                dl, dc = L.distill_loss(loc, conf, t_loc, t_conf, npos)
                dist = a.distill_weight * (dl + dc)
                loss = loss + dist
            opt.zero_grad(set_to_none=True)
            if not torch.isfinite(loss):
                print("step %d: non-finite loss, step skipped" % global_step, flush=True)
            else:
                loss.backward()
                if a.clip > 0:
                    torch.nn.utils.clip_grad_norm_(net.parameters(), a.clip)
                opt.step()
                acc["l"] += float(ll)
                acc["c"] += float(lc)
                acc["n"] += 1
            global_step += 1
            step_in_epoch += 1
            acc["pics"] += len(x)
            acc["secs"] += time.time() - t_prev     # includes waiting for data
            t_prev = time.time()
            pics_int += len(x)

            if a.bench:
                proc_steps += 1
                if proc_steps == 3:
                    bench_t0, bench_cpu0, bench_n = time.time(), time.process_time(), 0
                elif proc_steps > 3:
                    bench_n += len(x)
                    if bench_n >= a.bench * a.batch:
                        dt = time.time() - bench_t0
                        cpu = time.process_time() - bench_cpu0
                        print("BENCH threads %d workers %d batch %d: %.2f pictures/s wall "
                              "(%d pictures in %.1f s; main process CPU %.1f s = %.2f pictures per CPU-s; "
                              "load average %.2f)" % (a.threads, a.workers, a.batch, bench_n / dt,
                                                      bench_n, dt, cpu, bench_n / cpu,
                                                      os.getloadavg()[0]), flush=True)
                        return
                continue

            if global_step % a.log_every == 0:
                dt = time.time() - t_int
                print("epoch %d step %d/%d (global %d) lr %.5f loss %.4f (loc %.4f conf %.4f%s) "
                      "pos %d | %.1f pictures/s" % (epoch, step_in_epoch, steps_per_epoch, global_step,
                                                   lr, float(loss), float(ll), float(lc),
                                                   " distill %.4f" % float(dist) if teacher is not None else "",
                                                   npos, pics_int / dt), flush=True)
                t_int, pics_int = time.time(), 0
            if a.max_steps and proc_steps_done(global_step, ckpt) >= a.max_steps:
                print("stopped after --max-steps %d" % a.max_steps, flush=True)
                return
            if time.time() - last_save >= a.save_every_min * 60:
                atomic_save(state(epoch, step_in_epoch, acc), last_path)
                last_save = time.time()

        # ---- end of epoch: validation, log, checkpoints
        v = validate(net, val, min_face=a.min_face, max_face=a.max_face)
        N.set_train_mode(net, prefixes)
        n = max(acc["n"], 1)
        row = {"epoch": epoch, "step": global_step, "lr": fmt(lr_at(global_step - 1, steps_per_epoch, a)),
               "train_loss": fmt((acc["l"] + acc["c"]) / n), "train_loss_l": fmt(acc["l"] / n),
               "train_loss_c": fmt(acc["c"] / n), "val_loss": fmt(v["loss"]),
               "val_loss_l": fmt(v["loss_l"]), "val_loss_c": fmt(v["loss_c"]),
               "val_ap50": fmt(v["ap"]), "pics_per_s": fmt(acc["pics"] / max(acc["secs"], 1e-9)),
               "epoch_min": fmt(acc["secs"] / 60),
               "wall_h": fmt((wall_prev + time.time() - t_start) / 3600)}
        log_rows.append(row)
        print("== epoch %d: train loss %s, val loss %s (loc %s conf %s), val AP50 %s, %s pictures/s"
              % (epoch, row["train_loss"], row["val_loss"], row["val_loss_l"], row["val_loss_c"],
                 row["val_ap50"], row["pics_per_s"]), flush=True)
        if v["loss"] < best_val:
            best_val = v["loss"]
            atomic_save({"model": net.state_dict(), "epoch": epoch, "global_step": global_step,
                         "val": v, "arch": a.arch,
                         "args": {k: getattr(a, k) for k in RUN_KEYS}}, best_path)
        epoch += 1
        step_in_epoch = 0
        acc = {"l": 0.0, "c": 0.0, "n": 0, "pics": 0, "secs": 0.0}
        atomic_save(state(epoch, 0, acc), last_path)
        last_save = time.time()
        write_log(log_path, log_rows)
    print("done: %d epochs" % a.epochs, flush=True)


if __name__ == "__main__":
    main()
