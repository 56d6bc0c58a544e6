#!/usr/bin/python3
"""Time to accuracy of a ferlab run, from its own records (the epochs table: seconds of training
per epoch, validation accuracy), optionally beside bench/peer_fer2013.py's JSON lines for the same
spec. Prints Markdown: the curve per epoch and, for each side, the best validation accuracy within
the budget and the training time each side needed to reach the other's best.

    /usr/bin/python3 bench/time_to_accuracy.py build/fer2013/runs.db --run 1 \
        [--peer peer.jsonl] [--budget-minutes 60]

Time is training time on both sides: the epoch loops over the training split, without the
validation pass or data decoding.
"""
import argparse
import json
import sqlite3
import sys


def ferlab_curve(db, run):
    rows = sqlite3.connect(db).execute(
        "SELECT t.epoch, t.seconds, v.accuracy FROM epochs t JOIN epochs v "
        "ON v.run_id = t.run_id AND v.epoch = t.epoch AND v.split = 'val' "
        "WHERE t.run_id = ? AND t.split = 'train' ORDER BY t.epoch", (run,)).fetchall()
    if not rows:
        sys.exit(f"{db}: run {run} has no epochs with a validation accuracy")
    curve, total = [], 0.0
    for epoch, seconds, accuracy in rows:
        total += seconds
        curve.append((epoch, total, accuracy))
    return curve


def peer_curve(path):
    curve = []
    with open(path) as lines:
        for line in lines:
            event = json.loads(line)
            if event.get("event") == "epoch":
                curve.append((event["epoch"], event["train_seconds"], event["val_acc"]))
    return curve


def best_within(curve, seconds):
    inside = [c for c in curve if c[1] <= seconds]
    return max(inside, key=lambda c: c[2]) if inside else None


def time_to(curve, accuracy):
    for epoch, seconds, acc in curve:
        if acc >= accuracy:
            return epoch, seconds
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("db")
    ap.add_argument("--run", type=int, default=1)
    ap.add_argument("--peer", help="bench/peer_fer2013.py output (JSON lines)")
    ap.add_argument("--budget-minutes", type=float, default=60)
    args = ap.parse_args()
    ours = ferlab_curve(args.db, args.run)
    theirs = peer_curve(args.peer) if args.peer else []

    print("| epoch | ferlab training min | ferlab val acc % |"
          + (" PyTorch training min | PyTorch val acc % |" if theirs else ""))
    print("| ---: | ---: | ---: |" + (" ---: | ---: |" if theirs else ""))
    peer_by_epoch = {c[0]: c for c in theirs}
    for epoch, seconds, accuracy in ours:
        line = f"| {epoch} | {seconds / 60:.1f} | {100 * accuracy:.2f} |"
        if theirs:
            p = peer_by_epoch.get(epoch)
            line += f" {p[1] / 60:.1f} | {100 * p[2]:.2f} |" if p else " - | - |"
        print(line)
    print()
    budget = args.budget_minutes * 60
    for name, curve in (("ferlab", ours), ("PyTorch", theirs)):
        if not curve:
            continue
        best = best_within(curve, budget)
        if best:
            print(f"- {name}: best val accuracy within {args.budget_minutes:g} min of training "
                  f"{100 * best[2]:.2f}% (epoch {best[0]}, {best[1] / 60:.1f} min); "
                  f"{len(curve)} epochs recorded, {curve[-1][1] / 60:.1f} min in all")
    if theirs:
        target = max(c[2] for c in theirs)
        mine, peer = time_to(ours, target), time_to(theirs, target)
        if mine and peer:
            print(f"- to reach PyTorch's best val accuracy ({100 * target:.2f}%): ferlab "
                  f"{mine[1] / 60:.1f} min (epoch {mine[0]}), PyTorch {peer[1] / 60:.1f} min "
                  f"(epoch {peer[0]}): {peer[1] / mine[1]:.2f}x less time")


if __name__ == "__main__":
    main()
