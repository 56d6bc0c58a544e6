#!/usr/bin/python3
"""PyTorch peer of ferlab-bench-engine: the same reference networks, the same measures, the
same JSON lines (runs in seconds). Also exports the networks to ONNX for peer_opencv.py.

Debian's python3-torch is used (/usr/bin/python3), with OpenBLAS as libblas.so.3: the
reference BLAS Debian installs by default makes its dense layers several times slower.
"""
import argparse
import os
import sys

from bench_common import emit, repeat_runs, status_kb


def seed_cnn(nn):
    layers, c = [], 1
    for w in (32, 64, 128):
        layers += [nn.Conv2d(c, w, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(2)]
        c = w
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(4608, 256), nn.ReLU(inplace=True),
                         nn.Dropout(0.5), nn.Linear(256, 7))


def vgg(nn):
    layers, c = [], 1
    for w in (64, 128, 256, 512):
        for _ in range(2):
            # Bias kept before batchnorm: ferlab's vgg has it (10,464,455 parameters).
            layers += [nn.Conv2d(c, w, 3, padding=1), nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            c = w
        layers.append(nn.MaxPool2d(2))
    dense = []
    for i, o in ((4608, 1024), (1024, 1024)):
        dense += [nn.Linear(i, o), nn.ReLU(inplace=True), nn.Dropout(0.5)]
    return nn.Sequential(*layers, nn.Flatten(), *dense, nn.Linear(1024, 7))


NETWORKS = {"seed-cnn": seed_cnn, "vgg": vgg}


def macs(torch, model):
    """Multiply-accumulates per image of the conv and dense layers, from a traced forward."""
    total = [0]

    def hook(module, inputs, output):
        if isinstance(module, torch.nn.Conv2d):
            k = module.kernel_size[0] * module.kernel_size[1]
            total[0] += output[0].numel() * module.in_channels // module.groups * k
        elif isinstance(module, torch.nn.Linear):
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model.eval()(torch.rand(1, 1, 48, 48))
    for h in handles:
        h.remove()
    return total[0]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--networks", default="seed-cnn,vgg")
    p.add_argument("--measures", default="info,train,latency,throughput")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=4)
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--latency-runs", type=int, default=200)
    p.add_argument("--export", metavar="DIR", help="write <network>.onnx there and exit")
    a = p.parse_args()

    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(a.threads))  # before torch loads OpenBLAS
    baseline = status_kb("VmRSS")
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    side = "torch"

    for name in a.networks.split(","):
        model = NETWORKS[name](torch.nn)
        if a.export:
            torch.onnx.export(model.eval(), torch.rand(1, 1, 48, 48),
                              os.path.join(a.export, name + ".onnx"), opset_version=11,
                              input_names=["input"], output_names=["logits"],
                              dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
            continue
        for measure in a.measures.split(","):
            if measure == "info":
                params = sum(t.numel() for t in model.parameters() if t.requires_grad)
                emit(side, name, "info", parameters=params, macs=macs(torch, model),
                     threads=torch.get_num_threads(), blas=blas_library())
            elif measure in ("train", "memory"):
                batch = 64
                model.train()
                sgd = torch.optim.SGD(model.parameters(), lr=0.001, momentum=0.9)
                x = torch.rand(batch, 1, 48, 48)
                y = torch.arange(batch) % 7

                def step():
                    sgd.zero_grad(set_to_none=True)
                    F.cross_entropy(model(x), y).backward()
                    sgd.step()
                if measure == "memory":
                    repeat_runs(step, 1, 3, 0)
                    emit(side, name, "memory", batch=batch, baseline_kb=baseline,
                         peak_kb=status_kb("VmHWM"))
                else:
                    emit(side, name, "train", batch=batch,
                         runs=repeat_runs(step, a.warmup, a.min_runs, a.seconds))
            elif measure in ("latency", "throughput"):
                batch = 1 if measure == "latency" else 256
                model.eval()
                x = torch.rand(batch, 1, 48, 48)

                def infer():
                    with torch.inference_mode():
                        model(x)
                runs = (repeat_runs(infer, 20, a.latency_runs, 0) if batch == 1
                        else repeat_runs(infer, a.warmup, a.min_runs, a.seconds))
                emit(side, name, measure, batch=batch, runs=runs)
            else:
                sys.exit("peer_torch.py: unknown measure " + measure)


def blas_library():
    """The libblas.so.3 this process mapped (OpenBLAS expected, not the reference BLAS)."""
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "blas" in line:
                return os.path.realpath(line.split()[-1])
    return "none"


if __name__ == "__main__":
    main()
