"""kNN distance benchmark on the real CIFAR-10.

    nice python benchmarks/bench_knn.py            # every variant, one subprocess each
    nice python benchmarks/bench_knn.py --quick    # 1,000 x 5,000 instead of 10,000 x 50,000
    nice python benchmarks/bench_knn.py numpy_full one_loop   # chosen variants only
    nice python benchmarks/bench_knn.py --float64  # float64 instead of float32 inputs

Variants (each in its own subprocess so peak memory is its own, from getrusage ru_maxrss):
  numpy_full   NumPy's sqrt(|a|^2 - 2 a.b + |b|^2) over the whole test set, written with
               in-place updates (one (num_test, num_train) float64 matrix, the BLAS product)
  cvnn_full    KNearestNeighbor.compute_distances_no_loops over the whole test set (the same
               full matrix, through cvnn's GEMM)
  cvnn_predict KNearestNeighbor.predict(k=10): distances in blocks of 256 test rows, never the
               full matrix; its "check" is the test accuracy (the full-data kNN target)
  two_loops / one_loop / no_loops on the 5000/500 subset of the notebooks
The inputs are the uint8 images converted to float32 (exact for pixel values; --float64 for
float64), the same for NumPy and cvnn. Memory is reported as the peak RSS and
the part above the RSS once the inputs were loaded (the peak counter is reset after
loading, via /proc/self/clear_refs).
"""
import json
import os
import resource
import subprocess
import sys
import time

import numpy as np


def rss_mb():
    """Peak resident set size in MB: VmHWM (resettable) on Linux, else ru_maxrss."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return rss_mb()


def reset_peak():
    """Start the peak-RSS count afresh (Linux >= 4.0: writing 5 to clear_refs resets VmHWM), so
    the peak of a variant excludes the loading of the data set."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def run_variant(name, quick, dtype):
    from cvnn.classifiers.k_nearest_neighbor import KNearestNeighbor
    from cvnn.data_utils import load_CIFAR10

    Xtr, ytr, Xte, yte = load_CIFAR10(dtype=np.uint8)
    if name in ("two_loops", "one_loop", "no_loops"):
        Xtr, ytr, Xte, yte = Xtr[:5000], ytr[:5000], Xte[:500], yte[:500]
    elif quick:
        Xtr, ytr, Xte, yte = Xtr[:5000], ytr[:5000], Xte[:1000], yte[:1000]
    a = Xte.reshape(len(Xte), -1).astype(dtype)
    b = Xtr.reshape(len(Xtr), -1).astype(dtype)
    del Xtr, Xte
    clf = KNearestNeighbor()
    clf.train(b, ytr)
    import gc
    gc.collect()
    reset_peak()
    base = current_rss_mb()
    t = time.perf_counter()
    if name == "numpy_full":
        d = a @ b.T
        d *= -2
        d += np.sum(a * a, axis=1)[:, None]
        d += np.sum(b * b, axis=1)[None, :]
        np.maximum(d, 0, out=d)
        np.sqrt(d, out=d)
        check = float(d[0, :5].sum())
    elif name == "cvnn_full":
        d = clf.compute_distances_no_loops(a)
        check = float(d[0, :5].sum())
    elif name == "cvnn_predict":
        pred = clf.predict(a, k=10)
        check = float(np.mean(pred == yte))
    else:
        d = getattr(clf, "compute_distances_" + name)(a)
        check = float(d[0, :5].sum())
    seconds = time.perf_counter() - t
    peak = rss_mb()
    return {"variant": name, "num_test": len(a), "num_train": len(b), "seconds": seconds,
            "peak_rss_mb": peak, "above_inputs_mb": peak - base, "check": check}


def main():
    dtype = np.float64 if "--float64" in sys.argv else np.float32
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        print(json.dumps(run_variant(sys.argv[2], "--quick" in sys.argv, dtype)))
        return
    print("inputs: uint8 CIFAR-10 images converted to %s" % np.dtype(dtype).name)
    variants = [a for a in sys.argv[1:] if not a.startswith("--")] or \
        ["cvnn_predict", "numpy_full", "two_loops", "one_loop", "no_loops", "cvnn_full"]
    results = []
    for v in variants:
        cmd = [sys.executable, os.path.abspath(__file__), "--child", v] + \
            [a for a in sys.argv[1:] if a in ("--quick", "--float64")]
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            print("%s failed:\n%s" % (v, out.stderr), file=sys.stderr)
            continue
        r = json.loads(out.stdout.strip().splitlines()[-1])
        results.append(r)
        print("%-13s %6d x %6d  %8.2f s  peak RSS %7.0f MB  (%7.0f MB above the inputs)  check %.6g"
              % (v, r["num_test"], r["num_train"], r["seconds"], r["peak_rss_mb"],
                 r["above_inputs_mb"], r["check"]), flush=True)
    by = {r["variant"]: r for r in results}
    if "numpy_full" in by and "cvnn_full" in by:
        print("cvnn_full / numpy_full time ratio: %.2f" % (by["cvnn_full"]["seconds"] / by["numpy_full"]["seconds"]))
    if "numpy_full" in by and "cvnn_predict" in by:
        print("cvnn_predict / numpy_full extra-memory ratio: %.3f"
              % (by["cvnn_predict"]["above_inputs_mb"] / max(by["numpy_full"]["above_inputs_mb"], 1.0)))


if __name__ == "__main__":
    main()
