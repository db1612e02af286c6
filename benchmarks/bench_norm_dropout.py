"""Times cvnn's batchnorm, layernorm and dropout against the plain NumPy versions a CS231n
student writes (vectorised, float64 intermediates as NumPy gives them). Prints a Markdown table
of medians over repeats. Speed is never asserted in tests; the machine may be shared, so read
the numbers as rough.

    python benchmarks/bench_norm_dropout.py [--repeats 21] [--threads 1]
"""
import argparse
import time

import numpy as np

import cvnn
from cvnn.layers import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                         dropout_backward, dropout_forward, layernorm_backward,
                         layernorm_forward)


def np_bn_forward(x, gamma, beta, eps=1e-5):
    mu = x.mean(axis=0)
    var = x.var(axis=0)
    xhat = (x - mu) / np.sqrt(var + eps)
    return gamma * xhat + beta, (xhat, gamma, var, eps)


def np_bn_backward_alt(dout, cache):
    xhat, gamma, var, eps = cache
    N = dout.shape[0]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dx = gamma / np.sqrt(var + eps) / N * (N * dout - dbeta - xhat * dgamma)
    return dx, dgamma, dbeta


def np_ln_forward(x, gamma, beta, eps=1e-5):
    out, cache = np_bn_forward(x.T, gamma[:, None], beta[:, None], eps)
    return out.T, cache


def np_dropout_forward(x, p):
    mask = (np.random.rand(*x.shape) < p) / p
    return x * mask, mask


def median_ms(f, repeats):
    f()
    ts = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        ts.append(time.perf_counter() - t)
    return 1e3 * float(np.median(ts))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=21)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    cvnn.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    print("| op | shape | dtype | cvnn ms | NumPy ms |")
    print("|---|---|---|---|---|")
    for (N, D) in [(100, 500), (128, 1024), (4096, 64)]:
        for dt in (np.float32, np.float64):
            x = (5 * rng.standard_normal((N, D)) + 12).astype(dt)
            g = rng.standard_normal(D).astype(dt)
            b = rng.standard_normal(D).astype(dt)
            dout = rng.standard_normal((N, D)).astype(dt)
            _, c = batchnorm_forward(x, g, b, {"mode": "train"})
            _, nc = np_bn_forward(x, g, b)
            _, lc = layernorm_forward(x, g, b, {})
            _, dc = dropout_forward(x, {"mode": "train", "p": 0.5})
            rows = [
                ("batchnorm_forward train", lambda: batchnorm_forward(x, g, b, {"mode": "train"}),
                 lambda: np_bn_forward(x, g, b)),
                ("batchnorm_backward", lambda: batchnorm_backward(dout, c), None),
                ("batchnorm_backward_alt", lambda: batchnorm_backward_alt(dout, c),
                 lambda: np_bn_backward_alt(dout, nc)),
                ("layernorm_forward", lambda: layernorm_forward(x, g, b, {}),
                 lambda: np_ln_forward(x, g, b)),
                ("layernorm_backward", lambda: layernorm_backward(dout, lc), None),
                ("dropout_forward p=0.5", lambda: dropout_forward(x, {"mode": "train", "p": 0.5}),
                 lambda: np_dropout_forward(x, 0.5)),
                ("dropout_backward", lambda: dropout_backward(dout, dc), lambda: dout * dc[1]),
            ]
            for name, fc, fn in rows:
                tc = median_ms(fc, args.repeats)
                tn = "%.3f" % median_ms(fn, args.repeats) if fn else "-"
                print("| %s | (%d, %d) | %s | %.3f | %s |" % (name, N, D, np.dtype(dt).name, tc, tn))


if __name__ == "__main__":
    main()
