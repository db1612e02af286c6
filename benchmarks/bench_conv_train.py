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
import numpy as np

import cvnn
from cvnn.classifiers.cnn import ThreeLayerConvNet

from bench_fc_train import adam_step, measure, setup, torch_adam_step

F, K, H, C = 32, 7, 500, 10
EPOCH = 49000


def cvnn_step_fn(X, y, seed=0):
    np.random.seed(seed)
    model = ThreeLayerConvNet(num_filters=F, filter_size=K, hidden_dim=H, num_classes=C,
                              weight_scale=1e-3, reg=0.0, dtype=np.float32)
    return adam_step(model, X, y)


def torch_step_fn(X, y, seed=0):
    import torch
    torch.manual_seed(seed)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, F, K, padding=(K - 1) // 2), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(F * 16 * 16, H), torch.nn.ReLU(), torch.nn.Linear(H, C))
    return torch_adam_step(net, X, y)


def main(argv=None):
    args, X, y, torch = setup(__doc__.split("\n\n")[0], argv, batch_size=50, iters=20)
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
