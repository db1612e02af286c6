"""GEMM benchmark: cvnn's packed GEMM (cvnn._C.gemm, C = A @ B) against NumPy's BLAS
(numpy.matmul), at 1 and 2 threads, float32 and float64, square sizes and the shapes that
CS231n conv nets produce through im2col. Prints the CPU, the measured FMA peak, which BLAS NumPy
uses, and a Markdown table: GFLOP/s (median of >= 5 runs), cvnn/NumPy (the median of the
runs' ratios: the two libraries are timed alternately, run by run) and % of measured peak.

    python benchmarks/bench_gemm.py                 # a few minutes
    python benchmarks/bench_gemm.py --quick         # under a minute
    python benchmarks/bench_gemm.py --threads 2 --dtype float32
    python benchmarks/bench_gemm.py --threads 2 --dtype float64 --sizes 1024,2048 --reps 11
    python benchmarks/bench_gemm.py --cpu-time      # 1-thread rows on CPU time (loaded machine)

NumPy's BLAS threads are set through threadpoolctl when installed, else through the OpenBLAS
entry points found in the loaded library (ctypes), else in a subprocess started with
OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS. Timings on a shared machine are noisy:
the load average is printed before and after.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SQUARES = [16, 32, 64, 128, 256, 512, 1024, 2048]
QUICK_SQUARES = [64, 256, 1024]
# (label, M, N, K, transB): im2col GEMMs of the CS231n conv nets, W (F, C*HH*WW) @ cols
CONV = [
    ("conv 7x7x3->32, N=50 32x32 fwd", 32, 50 * 32 * 32, 147, False),
    ("conv 7x7x3->32, N=50 32x32 dW", 32, 147, 50 * 32 * 32, True),
    ("conv 3x3x64->64, N=32 32x32 fwd", 64, 32 * 32 * 32, 576, False),
]


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    import platform
    return platform.processor() or "unknown"


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "n/a"


class NumpyBlas:
    """Which BLAS NumPy links, its kernel ('core') name, and a way to set its threads."""

    def __init__(self):
        self.info = {}
        try:
            cfg = np.show_config(mode="dicts")
            self.info = dict(cfg.get("Build Dependencies", {}).get("blas", {}))
        except Exception:  # older NumPy: no dicts mode
            pass
        self.corename = None
        self.how = None
        self._set = None
        try:
            import threadpoolctl
            infos = [i for i in threadpoolctl.threadpool_info() if i.get("user_api") == "blas"]
            if infos:
                self.corename = infos[0].get("architecture")
                self._set = lambda n: threadpoolctl.threadpool_limits(n, user_api="blas")
                self.how = "threadpoolctl"
        except ImportError:
            pass
        lib = self._find_openblas()
        if lib is not None:
            for name in ("scipy_openblas_get_corename64_", "openblas_get_corename64_",
                         "openblas_get_corename"):
                if hasattr(lib, name) and self.corename is None:
                    fn = getattr(lib, name)
                    fn.restype = ctypes.c_char_p
                    self.corename = fn().decode()
            for name in ("scipy_openblas_set_num_threads64_", "openblas_set_num_threads64_",
                         "openblas_set_num_threads"):
                if hasattr(lib, name) and self._set is None:
                    fn = getattr(lib, name)
                    fn.argtypes = [ctypes.c_int]
                    self._set = fn
                    self.how = "ctypes %s" % name
        if self._set is None:
            self.how = "subprocess with OPENBLAS_NUM_THREADS"

    @staticmethod
    def _find_openblas():
        np.ones((4, 4)) @ np.ones((4, 4))  # make sure the BLAS is loaded
        try:
            with open("/proc/self/maps") as f:
                paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
        except OSError:
            return None
        for p in sorted(paths):
            if p.endswith(".so") or ".so." in p:
                try:
                    return ctypes.CDLL(p)
                except OSError:
                    pass
        return None

    def can_set_threads(self):
        return self._set is not None

    def set_threads(self, n):
        self._set(n)


SETTLE = 0.3  # seconds of idle time before timing a library, see main()


def median_time(fn, reps, clock=time.perf_counter, min_seconds=0.02):
    """Median over `reps` runs of the time of one call; each run repeats the call enough times
    to last about min_seconds (small sizes). clock: wall (perf_counter) or the calling thread's
    CPU time (thread_time), which other processes on a loaded machine do not inflate; it is
    only meaningful when all the work runs in the calling thread (1 thread)."""
    fn()
    t0 = clock()
    fn()
    one = max(clock() - t0, 1e-7)
    inner = max(1, int(min_seconds / one))
    times = []
    for _ in range(reps):
        t0 = clock()
        for _ in range(inner):
            fn()
        times.append((clock() - t0) / inner)
    return statistics.median(times)


def make(M, N, K, transB, dtype, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((M, K)).astype(dtype)
    b = rng.standard_normal((N, K) if transB else (K, N)).astype(dtype)
    return a, b, np.empty((M, N), dtype)


def numpy_gflops(case, dtype, reps, clock=time.perf_counter):
    _, M, N, K, tb = case
    a, b, c = make(M, N, K, tb, dtype)
    bb = b.T if tb else b
    t = median_time(lambda: np.matmul(a, bb, out=c), reps, clock)
    return 2.0 * M * N * K / t * 1e-9


def numpy_in_subprocess(cases, dtype, threads, reps):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), OMP_NUM_THREADS=str(threads),
               MKL_NUM_THREADS=str(threads))
    arg = json.dumps({"cases": cases, "dtype": np.dtype(dtype).name, "reps": reps})
    res = subprocess.run([sys.executable, __file__, "--numpy-worker", arg], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="fewer sizes and runs")
    p.add_argument("--threads", default="1,2", help="comma-separated thread counts (default 1,2)")
    p.add_argument("--dtype", default="float32,float64", help="float32, float64 or both")
    p.add_argument("--reps", type=int, default=None, help="runs per median (default 7, quick 5)")
    p.add_argument("--sizes", default=None,
                   help="comma-separated square sizes to run instead of the default list, "
                        "without the conv shapes (e.g. 1024,2048)")
    p.add_argument("--cpu-time", action="store_true",
                   help="time 1-thread rows on the thread's CPU time (robust to machine load)")
    p.add_argument("--numpy-worker", default=None, help=argparse.SUPPRESS)
    args = p.parse_args()

    if args.numpy_worker is not None:  # child process: NumPy timings only
        job = json.loads(args.numpy_worker)
        dt = np.dtype(job["dtype"]).type
        print(json.dumps([numpy_gflops(tuple(c), dt, job["reps"]) for c in job["cases"]]))
        return

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    import cvnn
    from cvnn import _C

    threads = [int(t) for t in args.threads.split(",")]
    dtypes = [np.dtype(d).type for d in args.dtype.split(",")]
    reps = args.reps or (5 if args.quick else 7)
    squares = QUICK_SQUARES if args.quick else SQUARES
    if args.sizes:
        cases = [("%d" % n, n, n, n, False) for n in map(int, args.sizes.split(","))]
    else:
        cases = [("%d" % n, n, n, n, False) for n in squares] + list(CONV)

    blas = NumpyBlas()
    print("CPU:            %s (%d logical CPUs)" % (cpu_model(), os.cpu_count() or 0))
    print("load average:   %s (before)" % loadavg())
    print("cvnn:           %s, ISA path %s, OpenMP %s" % (cvnn.__version__, _C.get_isa(),
                                                          "yes" if _C.have_openmp() else "no"))
    for name, blk in _C.gemm_blocking().items():
        print("  %s blocks:  MR=%d NR=%d MC=%d KC=%d NC=%d" % (name, blk["MR"], blk["NR"], blk["MC"],
                                                             blk["KC"], blk["NC"]))
    print("NumPy:          %s, BLAS %s %s" % (np.__version__, blas.info.get("name", "?"),
                                             blas.info.get("version", "")))
    if "openblas configuration" in blas.info:
        print("  build config: %s" % blas.info["openblas configuration"])
    print("  kernel (core) detected at run time: %s" % (blas.corename or "unknown"))
    print("  threads set via: %s" % blas.how)
    print("timing:         %s" % ("1-thread rows on thread CPU time, 2-thread rows on wall time"
                                  if args.cpu_time else "wall time"))

    peak = {}
    for dt in dtypes:
        for t in threads:
            peak[dt, t] = _C.fma_peak(dt, t)
            print("FMA peak %s, %d thread(s): %.1f GFLOP/s (measured, %s)"
                  % (np.dtype(dt).name, t, peak[dt, t], _C.get_isa()))
    print()

    rows = []
    for dt in dtypes:
        for t in threads:
            cvnn.set_num_threads(t)
            clock = time.thread_time if args.cpu_time and t == 1 else time.perf_counter
            if blas.can_set_threads():
                blas.set_threads(t)
                ref = None
            else:
                ref = numpy_in_subprocess(cases, dt, t, reps)
            for i, (label, M, N, K, tb) in enumerate(cases):
                a, b, c = make(M, N, K, tb, dt)
                flop = 2.0 * M * N * K
                cv = lambda: _C.gemm(False, tb, 1.0, a, b, 0.0, c)  # noqa: E731
                nf = lambda: np.matmul(a, b.T if tb else b, out=c)  # noqa: E731
                # Rounds of one NumPy timing then one cvnn timing, so that both see the same
                # machine load (on a shared machine it changes within seconds); the ratio is
                # the median of the rounds' ratios. Before each timing the other library's
                # idle workers get SETTLE seconds: after a call OpenBLAS's and libgomp's
                # workers spin for a while, and on two cores they would steal a thread.
                g_cv, g_np, ratio = [], [], []
                for _ in range(reps):
                    if ref is None:
                        time.sleep(SETTLE)
                        g_np.append(flop / median_time(nf, 1, clock) * 1e-9)
                    time.sleep(SETTLE)
                    g_cv.append(flop / median_time(cv, 1, clock) * 1e-9)
                    ratio.append(g_cv[-1] / (g_np[-1] if ref is None else ref[i]))
                g = statistics.median(g_cv)
                g_n = statistics.median(g_np) if ref is None else ref[i]
                shape = label if label.isdigit() else "%s: (%dx%d)@(%dx%d)" % (label, M, K, K, N)
                rows.append((shape, np.dtype(dt).name, t, g, g_n, statistics.median(ratio),
                             100.0 * g / peak[dt, t]))
                print("  %-52s %-7s %d thr  cvnn %7.1f  numpy %7.1f  ratio %.2f  %5.1f%% peak"
                      % rows[-1], flush=True)
    print()
    print("load average:   %s (after)" % loadavg())
    print()
    print("| n / shape | dtype | threads | cvnn GFLOP/s | NumPy GFLOP/s | cvnn/NumPy | % of peak |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print("| %s | %s | %d | %.1f | %.1f | %.2f | %.0f%% |" % r)


if __name__ == "__main__":
    main()
