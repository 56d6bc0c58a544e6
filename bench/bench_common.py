"""What the Python peers share with each other and with ferlab-bench-engine: the repeat rule
(warm-up, then at least min_runs runs and min_seconds seconds) and the JSON line format."""
import json
import time


def repeat_runs(once, warmup, min_runs, min_seconds):
    for _ in range(warmup):
        once()
    runs, start = [], time.perf_counter()
    while len(runs) < min_runs or time.perf_counter() - start < min_seconds:
        t = time.perf_counter()
        once()
        runs.append(time.perf_counter() - t)
    return runs


def status_kb(field):
    """A "VmRSS"/"VmHWM" line of /proc/self/status, in kB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def emit(side, network, measure, **fields):
    print(json.dumps(dict(side=side, network=network, measure=measure, **fields)), flush=True)
