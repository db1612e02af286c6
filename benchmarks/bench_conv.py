"""Convolution, max pooling and spatial batch norm: cvnn against PyTorch on the CPU.

Same shapes, float32, the same thread count for both (cvnn.set_num_threads and
torch.set_num_threads), the median of several runs after a warm-up. Forward+backward is one
forward and the backward for dx, dw and db (PyTorch: autograd with every input requiring a
gradient). GFLOP/s counts 2*N*F*C*HH*WW*Ho*Wo for the forward and twice that for the backward.

    PYTHONPATH=. python benchmarks/bench_conv.py    # every case (from the project root)
    python benchmarks/bench_conv.py --quick         # the CS231n shape only
    python benchmarks/bench_conv.py --threads 1 --repeats 9

On a machine shared with other jobs, run with OMP_WAIT_POLICY=passive: both libraries use
libgomp, whose default spinning makes every 2-thread region wait for a descheduled thread (on
a 2-core machine with load ~12 we measured 36 ms instead of 1 ms for the CS231n forward).
"""
import os
import argparse
import statistics
import time

import numpy as np

import cvnn
from cvnn.fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                              max_pool_forward_fast)
from cvnn.layers import spatial_batchnorm_backward, spatial_batchnorm_forward

# (label, x shape, F, kernel, stride, pad, target for cvnn forward / forward+backward in ms)
CONV_CASES = [
    ("CS231n notebook", (100, 3, 31, 31), 25, 3, 2, 1, (1.0, 3.0)),
    ("3x3 64->64 @32x32", (128, 64, 32, 32), 64, 3, 1, 1, None),
    ("3x3 128->128 @16x16", (128, 128, 16, 16), 128, 3, 1, 1, None),
    ("3x3 256->256 @8x8", (128, 256, 8, 8), 256, 3, 1, 1, None),
]


def median_ms(fn, repeats):
    fn()  # warm-up: workspace growth, page faults, thread pool start
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


def conv_case(label, xs, F, k, s, pad, target, repeats, torch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(xs, dtype=np.float32)
    w = rng.standard_normal((F, xs[1], k, k), dtype=np.float32) * 0.1
    b = rng.standard_normal(F, dtype=np.float32)
    p = {"stride": s, "pad": pad}
    out, cache = conv_forward_fast(x, w, b, p)
    dout = rng.standard_normal(out.shape, dtype=np.float32)
    Ho, Wo = out.shape[2:]
    gflop = 2.0 * xs[0] * F * xs[1] * k * k * Ho * Wo / 1e9

    def cv_fb():
        o, c = conv_forward_fast(x, w, b, p)
        conv_backward_fast(dout, c)
    f_ms = median_ms(lambda: conv_forward_fast(x, w, b, p), repeats)
    fb_ms = median_ms(cv_fb, repeats)
    row = {"label": label, "f": f_ms, "fb": fb_ms, "gflop": gflop, "target": target}
    if torch is not None:
        xt, wt, bt = (torch.from_numpy(a.copy()).requires_grad_(True) for a in (x, w, b))
        dt = torch.from_numpy(dout)

        def t_f():
            with torch.no_grad():
                torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=pad)

        def t_fb():
            for t in (xt, wt, bt):
                t.grad = None
            torch.nn.functional.conv2d(xt, wt, bt, stride=s, padding=pad).backward(dt)
        row["tf"] = median_ms(t_f, repeats)
        row["tfb"] = median_ms(t_fb, repeats)
    return row


def other_cases(repeats, torch):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((128, 64, 32, 32), dtype=np.float32)
    pp = {"pool_height": 2, "pool_width": 2, "stride": 2}
    out, cache = max_pool_forward_fast(x, pp)
    d = np.ones_like(out)

    def pool_fb():
        o, c = max_pool_forward_fast(x, pp)
        max_pool_backward_fast(d, c)
    row = {"label": "max pool 2x2 (128,64,32,32)", "fb": median_ms(pool_fb, repeats)}
    g, be = np.ones(64, np.float32), np.zeros(64, np.float32)

    def sbn_fb():
        o, c = spatial_batchnorm_forward(x, g, be, {"mode": "train"})
        spatial_batchnorm_backward(x, c)
    row2 = {"label": "spatial BN (128,64,32,32)", "fb": median_ms(sbn_fb, repeats)}
    if torch is not None:
        xt = torch.from_numpy(x.copy()).requires_grad_(True)
        dt = torch.from_numpy(d)

        def t_pool():
            xt.grad = None
            torch.nn.functional.max_pool2d(xt, 2, 2).backward(dt)
        row["tfb"] = median_ms(t_pool, repeats)
        gt = torch.ones(64, requires_grad=True)
        bt = torch.zeros(64, requires_grad=True)
        dx = torch.from_numpy(x)

        def t_sbn():
            for t in (xt, gt, bt):
                t.grad = None
            torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True).backward(dx)
        row2["tfb"] = median_ms(t_sbn, repeats)
    return [row, row2]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--threads", type=int, default=None, help="threads for both (default: cvnn's)")
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--quick", action="store_true", help="only the CS231n shape")
    args = ap.parse_args()
    if args.threads:
        cvnn.set_num_threads(args.threads)
    nt = cvnn.get_num_threads()
    try:
        import torch
        torch.set_num_threads(nt)
    except ImportError:
        torch = None
    print("cvnn %s, ISA %s, %d thread(s); PyTorch %s; float32; median of %d runs; "
          "OMP_WAIT_POLICY=%s" % (cvnn.__version__, cvnn.get_isa(), nt,
                                  torch.__version__ if torch else "absent", args.repeats,
                                  os.environ.get("OMP_WAIT_POLICY", "(unset)")))
    print()
    print("| case | cvnn fwd ms | cvnn fwd+bwd ms | GFLOP/s fwd / fwd+bwd | torch fwd ms | "
          "torch fwd+bwd ms | cvnn/torch fwd+bwd | target |")
    print("|---|---|---|---|---|---|---|---|")
    cases = CONV_CASES[:1] if args.quick else CONV_CASES
    for c in cases:
        r = conv_case(*c, repeats=args.repeats if c[1][0] < 128 else max(3, args.repeats // 2),
                      torch=torch)
        gf = "%.1f / %.1f" % (r["gflop"] / r["f"] * 1e3, 3 * r["gflop"] / r["fb"] * 1e3)
        tf = "%.2f" % r["tf"] if "tf" in r else "-"
        tfb = "%.2f" % r["tfb"] if "tfb" in r else "-"
        ratio = "%.2fx" % (r["fb"] / r["tfb"]) if "tfb" in r else "-"
        if r["target"]:
            tgt = "fwd <= %g ms %s, fwd+bwd <= %g ms %s" % (
                r["target"][0], "met" if r["f"] <= r["target"][0] else "MISSED",
                r["target"][1], "met" if r["fb"] <= r["target"][1] else "MISSED")
        else:
            tgt = "<= 1.5x torch: %s" % ("met" if "tfb" in r and r["fb"] <= 1.5 * r["tfb"] else "MISSED")
        print("| %s | %.2f | %.2f | %s | %s | %s | %s | %s |"
              % (r["label"], r["f"], r["fb"], gf, tf, tfb, ratio, tgt))
    if not args.quick:
        for r in other_cases(args.repeats, torch):
            tfb = "%.2f" % r["tfb"] if "tfb" in r else "-"
            ratio = "%.2fx" % (r["fb"] / r["tfb"]) if "tfb" in r else "-"
            print("| %s | - | %.2f | - | - | %s | %s | - |" % (r["label"], r["fb"], tfb, ratio))


if __name__ == "__main__":
    main()
