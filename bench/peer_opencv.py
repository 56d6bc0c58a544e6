#!/usr/bin/python3
"""OpenCV DNN peer of ferlab-bench-engine: inference of the reference networks exported to
ONNX by peer_torch.py --export, read by cv2.dnn.readNetFromONNX (the default OpenCV backend,
which fuses batchnorm and activations into the convolutions). Same JSON lines as the others.
"""
import argparse
import os

import cv2
import numpy as np

from bench_common import emit, repeat_runs


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--models", required=True, metavar="DIR", help="holds <network>.onnx")
    p.add_argument("--networks", default="seed-cnn,vgg")
    p.add_argument("--measures", default="latency,throughput")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seconds", type=float, default=4)
    p.add_argument("--min-runs", type=int, default=3)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--latency-runs", type=int, default=200)
    a = p.parse_args()

    cv2.setNumThreads(a.threads)
    rng = np.random.default_rng(1)
    for name in a.networks.split(","):
        net = cv2.dnn.readNetFromONNX(os.path.join(a.models, name + ".onnx"))
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        for measure in a.measures.split(","):
            batch = {"latency": 1, "throughput": 256}[measure]
            blob = rng.random((batch, 1, 48, 48), dtype=np.float32)

            def infer():
                net.setInput(blob)
                net.forward()
            runs = (repeat_runs(infer, 20, a.latency_runs, 0) if batch == 1
                    else repeat_runs(infer, a.warmup, a.min_runs, a.seconds))
            emit("opencv", name, measure, batch=batch, runs=runs)


if __name__ == "__main__":
    main()
