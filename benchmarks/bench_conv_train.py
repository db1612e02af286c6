"""Training throughput of CS231n's ThreeLayerConvNet, cvnn vs PyTorch (CPU).

The network is ThreeLayerConvNet(num_filters=32, filter_size=7, hidden_dim=500) as in the
CS231n ConvolutionalNetworks notebook: conv 7x7 (32 filters, pad 3) - ReLU - 2x2 max pool -
affine(8192->500) - ReLU - affine(500->10) - softmax loss, trained with Adam (lr 1e-3) on the
same random minibatch of 50 CIFAR-sized images in float32, with the same thread count for both
libraries. One iteration is forward + backward + the optimizer update of every parameter.
Reported: images per second, the median over --repeats runs of --iters iterations each (after
warm-up), the seconds one 49,000-image epoch takes at that rate, and the ratio cvnn / PyTorch
of the throughputs (above 1: cvnn is faster). Run it with cvnn installed (`pip install .`) or
from the project root with PYTHONPATH=. set; on a shared machine use `nice` and
OMP_WAIT_POLICY=passive.

    python benchmarks/bench_conv_train.py [--threads 1 2] [--batch-size 50] [--iters 20] [--repeats 5]
"""
import argparse

import numpy as np

import cvnn
from cvnn import optim
from cvnn.classifiers.cnn import ThreeLayerConvNet

from bench_fc_train import measure

F, K, H, C = 32, 7, 500, 10
EPOCH = 49000


def cvnn_step_fn(X, y, seed=0):
    np.random.seed(seed)
    model = ThreeLayerConvNet(num_filters=F, filter_size=K, hidden_dim=H, num_classes=C,
                              weight_scale=1e-3, reg=0.0, dtype=np.float32)
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
        torch.nn.Conv2d(3, F, K, padding=(K - 1) // 2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(F * 16 * 16, H), torch.nn.ReLU(), torch.nn.Linear(H, C))
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


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--threads", type=int, nargs="+", default=[1, 2], help="thread counts to test")
    ap.add_argument("--batch-size", type=int, default=50, help="minibatch size (CS231n: 50)")
    ap.add_argument("--iters", type=int, default=20, help="iterations per timed run")
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
    print("ThreeLayerConvNet(32 filters 7x7, hidden 500), Adam, float32, batch %d, %d iterations "
          "x %d runs (median); cvnn ISA %s" % (args.batch_size, args.iters, args.repeats,
                                                cvnn.get_isa()))
    print("| threads | cvnn img/s | cvnn s/epoch | PyTorch %s img/s | PyTorch s/epoch | "
          "cvnn / PyTorch |" % (torch.__version__ if torch else "-"))
    print("|---|---|---|---|---|---|")
    for n in args.threads:
        got = cvnn.set_num_threads(n)
        ours, _ = measure(cvnn_step_fn(X, y), args.batch_size, args.iters, args.repeats, warmup=3)
        if torch is not None:
            torch.set_num_threads(n)
            theirs, _ = measure(torch_step_fn(X, y), args.batch_size, args.iters, args.repeats,
                                warmup=3)
            print("| %d | %.0f | %.0f | %.0f | %.0f | %.2f |"
                  % (got, ours, EPOCH / ours, theirs, EPOCH / theirs, ours / theirs))
        else:
            print("| %d | %.0f | %.0f | - | - | - |" % (got, ours, EPOCH / ours))


if __name__ == "__main__":
    main()
