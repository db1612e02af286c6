"""Training throughput of a fully connected net with batch normalization, cvnn vs PyTorch (CPU).

The network is CS231n's FullyConnectedNet([100, 100], normalization='batchnorm'):
affine(3072->100) - BN - ReLU - affine(100->100) - BN - ReLU - affine(100->10) - softmax loss,
trained with Adam (lr 1e-3) on the same random minibatch in float32, with the same thread count
for both libraries. One iteration is forward + backward + the optimizer update of every
parameter. Reported: images per second, the median over --repeats runs of --iters iterations
each (after warm-up), and the ratio cvnn / PyTorch. Run it with cvnn installed (`pip install .`)
or from the project root with PYTHONPATH=. set.

    python benchmarks/bench_fc_train.py [--threads 1 2] [--batch-size 100] [--iters 50] [--repeats 5]
"""
import argparse
import statistics
import time

import numpy as np

import cvnn
from cvnn import optim
from cvnn.classifiers.fc_net import FullyConnectedNet

D, H, C = 3 * 32 * 32, 100, 10


def cvnn_step_fn(X, y, seed=0):
    np.random.seed(seed)
    model = FullyConnectedNet([H, H], input_dim=D, num_classes=C, normalization="batchnorm",
                              weight_scale=1e-2, dtype=np.float32)
    return adam_step(model, X, y)


def adam_step(model, X, y):
    """One training iteration of a cvnn model: loss, gradients and cvnn.optim.adam (lr 1e-3)."""
    configs = {p: {"learning_rate": 1e-3} for p in model.params}

    def step():
        loss, grads = model.loss(X, y)
        for p, w in model.params.items():
            model.params[p], configs[p] = optim.adam(w, grads[p], configs[p])
        return loss
    return step


def torch_step_fn(X, y, seed=0):
    import torch
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Linear(D, H), torch.nn.BatchNorm1d(H, eps=1e-5, momentum=0.1), torch.nn.ReLU(),
        torch.nn.Linear(H, H), torch.nn.BatchNorm1d(H, eps=1e-5, momentum=0.1), torch.nn.ReLU(),
        torch.nn.Linear(H, C))
    return torch_adam_step(net, X.reshape(len(X), -1), y)


def torch_adam_step(net, X, y):
    """The same iteration for a PyTorch module: cross-entropy loss, backward, Adam (lr 1e-3)."""
    import torch
    net.train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    loss_fn = torch.nn.CrossEntropyLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(Xt), yt)
        loss.backward()
        opt.step()
        return loss.detach().item()
    return step


def measure(step, batch, iters, repeats, warmup=5):
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        for _ in range(iters):
            step()
        rates.append(batch * iters / (time.perf_counter() - t))
    return statistics.median(rates), rates


def setup(description, argv, batch_size, iters):
    """The options every training benchmark takes, a random CIFAR-sized float32 minibatch with
    labels, and PyTorch (None with --no-torch or when it is not installed)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to test")
    ap.add_argument("--batch-size", type=int, default=batch_size, help="minibatch size")
    ap.add_argument("--iters", type=int, default=iters, help="iterations per timed run")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs; the median is reported")
    ap.add_argument("--no-torch", action="store_true", help="measure cvnn only")
    args = ap.parse_args(argv)

    rng = np.random.default_rng(0)
    X = rng.standard_normal((args.batch_size, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, C, args.batch_size).astype(np.int64)
    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            print("PyTorch is not installed: measuring cvnn only")
    return args, X, y, torch


def main(argv=None):
    args, X, y, torch = setup(__doc__.split("\n\n")[0], argv, batch_size=100, iters=50)
    print("FullyConnectedNet([100, 100], batchnorm), Adam, float32, batch %d, %d iterations x %d "
          "runs (median); cvnn ISA %s" % (args.batch_size, args.iters, args.repeats, cvnn.get_isa()))
    print("| threads | cvnn img/s | PyTorch %s img/s | cvnn / PyTorch |"
          % (torch.__version__ if torch else "-"))
    print("|---|---|---|---|")
    for n in args.threads:
        got = cvnn.set_num_threads(n)
        ours, _ = measure(cvnn_step_fn(X, y), args.batch_size, args.iters, args.repeats)
        if torch is not None:
            torch.set_num_threads(n)
            theirs, _ = measure(torch_step_fn(X, y), args.batch_size, args.iters, args.repeats)
            print("| %d | %.0f | %.0f | %.2f |" % (got, ours, theirs, ours / theirs))
        else:
            print("| %d | %.0f | - | - |" % (got, ours))


if __name__ == "__main__":
    main()
