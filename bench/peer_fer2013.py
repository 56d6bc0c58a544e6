#!/usr/bin/python3
"""PyTorch peer of a ferlab FER2013 spec (issue 7): reads the same spec file (vgg backbone, SGD or
Adam, cosine/step/constant schedule with warm-up, hflip/affine/rotate/random-erasing, label
smoothing), trains on Training, selects on PublicTest (val) and reports PrivateTest (test) of the
selected epoch, printing one JSON line per epoch with the cumulative wall time, so that
time-to-accuracy can be set beside ferlab's run (`ferlab runs`, epochs table).

    /usr/bin/python3 bench/peer_fer2013.py experiments/fer2013-fast.yaml \
        --data build/data/fer2013 [--epochs N] [--minutes M] > peer.jsonl

Debian's python3-torch and python3-opencv; 2 threads for the network and 2 loader workers, like
ferlab (its loader prepares batches in 2 threads). A spec with `conv_precision: bf16` runs under
PyTorch's CPU autocast to bfloat16 (its mixed precision: bf16 convolutions and linear layers,
f32 weights), as ferlab multiplies in bf16 there. Augmentations follow ferlab's plugins
(plugins/augmenters/*): same parameter meanings, reflect borders, erasing filled with noise.
"""
import argparse
import glob
import json
import math
import os
import sys
import time

import cv2
import numpy as np
import yaml

CLASSES = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]  # folder order


def load_split(root, folder):
    images, labels = [], []
    for label, name in enumerate(CLASSES):
        for path in sorted(glob.glob(os.path.join(root, folder, name, "*"))):
            images.append(cv2.imread(path, cv2.IMREAD_GRAYSCALE))
            labels.append(label)
    return np.stack(images), np.array(labels, dtype=np.int64)


def params_of(step):
    return {k: v for k, v in step.items() if k != "plugin"}


def make_augment(steps):
    """Per-image augmentation matching ferlab's hflip, affine, rotate and random-erasing."""
    def apply(image, rng):
        for step in steps:
            kind, p = step["plugin"], params_of(step)
            h, w = image.shape
            cx, cy = (w - 1) / 2.0, (h - 1) / 2.0
            if kind == "hflip":
                if rng.random() < p.get("p", 0.5):
                    image = image[:, ::-1]
            elif kind == "affine":
                if rng.random() >= p.get("p", 1.0):
                    continue
                shift = p.get("shift", 0.1)
                lo, hi = p.get("scale", [0.9, 1.1])
                dx, dy = rng.uniform(-shift, shift) * w, rng.uniform(-shift, shift) * h
                s = rng.uniform(lo, hi)
                k = math.tan(math.radians(rng.uniform(-p.get("shear", 10), p.get("shear", 10))))
                m = np.array([[s, s * k, 0], [0, s, 0]], dtype=np.float64)
                m[0, 2] = cx + dx - (m[0, 0] * cx + m[0, 1] * cy)
                m[1, 2] = cy + dy - (m[1, 0] * cx + m[1, 1] * cy)
                image = cv2.warpAffine(np.ascontiguousarray(image), m, (w, h),
                                       flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
            elif kind == "rotate":
                if rng.random() >= p.get("p", 1.0):
                    continue
                m = cv2.getRotationMatrix2D((cx, cy), rng.uniform(-p["degrees"], p["degrees"]), 1)
                image = cv2.warpAffine(np.ascontiguousarray(image), m, (w, h),
                                       flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
            elif kind == "random-erasing":
                if rng.random() >= p.get("p", 0.5):
                    continue
                a_lo, a_hi = p.get("area", [0.02, 0.33])
                r_lo, r_hi = p.get("aspect", [0.3, 3.3])
                for _ in range(10):
                    area = rng.uniform(a_lo, a_hi) * h * w
                    aspect = math.exp(rng.uniform(math.log(r_lo), math.log(r_hi)))
                    eh, ew = round(math.sqrt(area * aspect)), round(math.sqrt(area / aspect))
                    if 1 <= eh <= h and 1 <= ew <= w:
                        y, x = rng.integers(0, h - eh + 1), rng.integers(0, w - ew + 1)
                        image = image.copy()
                        image[y:y + eh, x:x + ew] = rng.integers(0, 256, (eh, ew))
                        break
            else:
                sys.exit(f"peer_fer2013: augmenter '{kind}' has no PyTorch twin here")
        return image
    return apply


def vgg(nn, p):
    layers, c = [], 1
    for w in p.get("widths", [64, 128, 256, 512]):
        for _ in range(p.get("convs", 2)):
            layers.append(nn.Conv2d(c, w, 3, padding=1))
            if p.get("batchnorm", True):
                layers.append(nn.BatchNorm2d(w))
            layers.append(nn.ReLU(inplace=True))
            c = w
        layers.append(nn.MaxPool2d(2))
    side, dense = 48 // 2 ** len(p.get("widths", [1] * 4)), []
    features = c * side * side
    for units in p.get("dense", [1024, 1024]):
        dense += [nn.Linear(features, units), nn.ReLU(inplace=True)]
        if p.get("dropout", 0.5) > 0:
            dense.append(nn.Dropout(p.get("dropout", 0.5)))
        features = units
    return nn.Sequential(*layers, nn.Flatten(), *dense, nn.Linear(features, len(CLASSES)))


def lr_at(epoch, base, epochs, schedule):
    warmup = schedule.get("warmup_epochs", 0)
    if epoch < warmup:
        return base / 10 + (base - base / 10) * epoch / warmup
    name = schedule.get("name", "constant")
    if name == "cosine":
        t = min(1.0, (epoch - warmup) / max(1, epochs - warmup))
        low = schedule.get("min_lr", 0.0)
        return low + (base - low) * (1 + math.cos(math.pi * t)) / 2
    if name == "step":
        return base * schedule.get("gamma", 0.1) ** (epoch // max(1, schedule.get("step_size", 30)))
    if name == "constant":
        return base
    sys.exit(f"peer_fer2013: schedule '{name}' has no PyTorch twin here")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("spec")
    ap.add_argument("--data", default=os.environ.get("FERLAB_FER2013", "build/data/fer2013"))
    ap.add_argument("--epochs", type=int, help="stop after this many epochs (schedule unchanged)")
    ap.add_argument("--minutes", type=float, help="stop after the epoch that passes this budget")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    import torch
    from torch import nn
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    spec = yaml.safe_load(open(args.spec))
    backbone = spec["model"]["backbone"]
    if backbone["plugin"] != "vgg":
        sys.exit("peer_fer2013: only the vgg backbone has a PyTorch twin here")
    train_opts = spec["train"]
    epochs, batch = train_opts["epochs"], train_opts.get("batch", 64)
    opt = train_opts["optimizer"]
    model = vgg(nn, params_of(backbone))
    bf16 = backbone.get("conv_precision", "f32") == "bf16"

    def autocast():
        return torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16)
    if opt["name"] == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=opt["lr"],
                                    momentum=opt.get("momentum", 0.0),
                                    nesterov=opt.get("nesterov", False),
                                    weight_decay=opt.get("weight_decay", 0.0))
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=opt["lr"],
                                     weight_decay=opt.get("weight_decay", 0.0))
    loss_fn = nn.CrossEntropyLoss(label_smoothing=train_opts.get("label_smoothing", 0.0))

    start = time.perf_counter()
    train_x, train_y = load_split(args.data, "train")
    val_x, val_y = load_split(args.data, "validation")
    test_x, test_y = load_split(args.data, "test")
    print(json.dumps({"event": "loaded", "seconds": time.perf_counter() - start,
                      "precision": "bf16 autocast" if bf16 else "f32",
                      "train": len(train_y), "val": len(val_y), "test": len(test_y)}), flush=True)
    augment = make_augment(spec.get("augment", []))

    class Train(torch.utils.data.Dataset):
        def __init__(self):
            self.epoch = 0

        def __len__(self):
            return len(train_y)

        def __getitem__(self, i):
            rng = np.random.default_rng([args.seed, self.epoch, i])
            image = augment(train_x[i], rng).astype(np.float32) / 255.0
            return torch.from_numpy(np.ascontiguousarray(image))[None], train_y[i]

    dataset = Train()

    def predict(x):
        model.eval()
        out = []
        with torch.no_grad():
            for i in range(0, len(x), 256):
                chunk = torch.from_numpy(x[i:i + 256].astype(np.float32) / 255.0)[:, None]
                with autocast():
                    logits = model(chunk)
                out.append(torch.softmax(logits.float(), 1))
        return torch.cat(out).numpy()

    def hflip_predict(x):
        return predict(x) + predict(x[:, :, ::-1].copy())

    best, best_state, trained = -1.0, None, 0.0
    for epoch in range(epochs if args.epochs is None else min(epochs, args.epochs)):
        dataset.epoch = epoch
        loader = torch.utils.data.DataLoader(dataset, batch_size=batch, shuffle=True,
                                             num_workers=2, drop_last=False,
                                             generator=torch.Generator().manual_seed(epoch))
        rate = lr_at(epoch, opt["lr"], epochs, train_opts.get("schedule", {}))
        for group in optimizer.param_groups:
            group["lr"] = rate
        model.train()
        tick, seen, correct, total_loss = time.perf_counter(), 0, 0, 0.0
        for x, y in loader:
            optimizer.zero_grad(set_to_none=True)
            with autocast():
                logits = model(x)
            loss = loss_fn(logits.float(), y)
            loss.backward()
            optimizer.step()
            seen += len(y)
            total_loss += loss.item() * len(y)
            correct += (logits.argmax(1) == y).sum().item()
        seconds = time.perf_counter() - tick
        trained += seconds
        val_acc = float((predict(val_x).argmax(1) == val_y).mean())
        if val_acc > best:
            best, best_state = val_acc, {k: v.clone() for k, v in model.state_dict().items()}
        print(json.dumps({"event": "epoch", "epoch": epoch + 1, "lr": rate,
                          "train_loss": total_loss / seen, "train_acc": correct / seen,
                          "val_acc": val_acc, "seconds": seconds, "train_seconds": trained,
                          "images_per_s": seen / seconds}), flush=True)
        if args.minutes and trained > args.minutes * 60:
            break
    model.load_state_dict(best_state)
    print(json.dumps({"event": "final", "split": "test", "selected_on": "val.accuracy",
                      "best_val_acc": best,
                      "test_acc": float((predict(test_x).argmax(1) == test_y).mean()),
                      "test_acc_hflip": float((hflip_predict(test_x).argmax(1) == test_y).mean()),
                      "train_seconds": trained}), flush=True)


if __name__ == "__main__":
    main()
