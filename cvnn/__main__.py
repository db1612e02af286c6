"""cvnn's command line: ``python -m cvnn <command>`` (also installed as ``cvnn``).

Commands
--------
info      print the build configuration (ISA path, threads, versions)
download  fetch and extract CIFAR-10 (official archive, MD5-checked)
train     train a classifier on CIFAR-10 with the Solver and report validation and test
          accuracy; writes a checkpoint, the model, the loss/accuracy curves (PNG) and a
          results JSON into --out

Run ``python -m cvnn train --help`` for every option.
"""
import argparse
import json
import os
import sys
import time

import numpy as np


def _parse_dims(text):
    try:
        dims = [int(t) for t in text.replace(",", " ").split()]
    except ValueError:
        raise argparse.ArgumentTypeError("expected sizes like 1024,512, got %r" % text)
    if not dims or any(d < 1 for d in dims):
        raise argparse.ArgumentTypeError("sizes must be positive integers, got %r" % text)
    return dims


def _parse_pools(text):
    try:
        pools = sorted(set(int(t) for t in text.replace(",", " ").split()))
    except ValueError:
        raise argparse.ArgumentTypeError("expected layer indices like 0,1,2, got %r" % text)
    if any(p < 0 for p in pools):
        raise argparse.ArgumentTypeError("layer indices must be >= 0, got %r" % text)
    return pools


def _keep(text):
    p = float(text)
    if not 0 < p <= 1:
        raise argparse.ArgumentTypeError("the keep probability must be in (0, 1], got %s" % text)
    return p


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Show '(default: ...)' only where there is a default the help does not already give."""

    def _get_help_string(self, action):
        if action.default in (None, False) or "default" in (action.help or ""):
            return action.help
        return super()._get_help_string(action)


# ---- models: name -> (builder, help). Another model family adds an entry here. ----

def _build_fc(args, input_dim, num_classes, dtype):
    from .classifiers.fc_net import FullyConnectedNet
    norm = "batchnorm" if args.normalization is None else args.normalization
    keep = 0.8 if args.dropout_keep is None else args.dropout_keep
    return FullyConnectedNet(args.hidden_dims or [512, 256], input_dim=input_dim,
                             num_classes=num_classes, dropout_keep_ratio=keep,
                             normalization=None if norm == "none" else norm,
                             reg=args.reg, weight_scale=args.weight_scale or 1e-2, dtype=dtype)


def _build_twolayer(args, input_dim, num_classes, dtype):
    from .classifiers.fc_net import TwoLayerNet
    hidden = args.hidden_dims or [100]
    if len(hidden) != 1:
        raise SystemExit("train: --model twolayer takes one hidden size, got %s" % hidden)
    if args.normalization not in (None, "none") or args.dropout_keep not in (None, 1):
        raise SystemExit("train: --model twolayer has no normalization or dropout; use --model fc")
    return TwoLayerNet(input_dim=input_dim, hidden_dim=hidden[0], num_classes=num_classes,
                       weight_scale=args.weight_scale or 1e-3, reg=args.reg, dtype=dtype)


def _image_dims(input_dim):
    """(C, H, W) of CIFAR-10 images given the flat input size the trainer passes."""
    if isinstance(input_dim, tuple):
        return input_dim
    return (3, 32, 32) if input_dim == 3 * 32 * 32 else (input_dim, 1, 1)


def _no_fc_options(args, name):
    if args.hidden_dims is not None or args.normalization is not None or args.dropout_keep is not None:
        raise SystemExit("train: --model %s takes no --hidden-dims, --normalization or "
                         "--dropout-keep (those are fc options)" % name)


def _build_conv(args, input_dim, num_classes, dtype):
    from .classifiers.cnn import DeepConvNet
    _no_fc_options(args, "conv")
    filters = args.num_filters or [32, 64, 128]
    pools = list(range(len(filters))) if args.max_pools is None else args.max_pools
    if any(p >= len(filters) for p in pools):
        raise SystemExit("train: --max-pools indices must be below the number of conv layers "
                         "(%d), got %s" % (len(filters), pools))
    if 32 >> len(pools) < 1:
        raise SystemExit("train: --max-pools: %d pools shrink 32x32 images below 1 pixel" % len(pools))
    return DeepConvNet(input_dims=_image_dims(input_dim), num_filters=filters, max_pools=pools,
                       batchnorm=not args.no_batchnorm, num_classes=num_classes,
                       weight_scale=args.weight_scale or "kaiming", reg=args.reg, dtype=dtype)


def _build_threelayer(args, input_dim, num_classes, dtype):
    from .classifiers.cnn import ThreeLayerConvNet
    _no_fc_options(args, "threelayer")
    filters = args.num_filters or [32]
    if len(filters) != 1 or args.max_pools is not None or args.no_batchnorm:
        raise SystemExit("train: --model threelayer takes one --num-filters value and no "
                         "--max-pools or --no-batchnorm")
    return ThreeLayerConvNet(input_dim=_image_dims(input_dim), num_filters=filters[0],
                             filter_size=args.filter_size, hidden_dim=args.hidden_dim,
                             num_classes=num_classes, weight_scale=args.weight_scale or 1e-3,
                             reg=args.reg, dtype=dtype)


MODELS = {
    "conv": (_build_conv, "DeepConvNet: {conv3x3-[spatial batchnorm]-relu-[2x2 max pool]} x "
             "len(num_filters) - affine, Kaiming init"),
    "threelayer": (_build_threelayer, "ThreeLayerConvNet (CS231n): conv-relu-2x2 pool-affine-relu-affine"),
    "fc": (_build_fc, "FullyConnectedNet: {affine-[norm]-relu-[dropout]} x len(hidden) - affine"),
    "twolayer": (_build_twolayer, "TwoLayerNet: affine-relu-affine (one hidden size)"),
}


def build_parser():
    p = argparse.ArgumentParser(prog="python -m cvnn", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", metavar="{info,download,train}")
    sub.required = True

    sub.add_parser("info", help="print the build configuration (cvnn.show_config())")

    d = sub.add_parser("download", help="download and extract CIFAR-10 (needs internet)",
                       description="Download the official CIFAR-10 archive, check its MD5 and "
                       "extract it. Offline: copy the archive into DEST by hand and run this "
                       "again; it is then used without a download.")
    d.add_argument("--dest", default="datasets", help="folder to extract into (default: %(default)s)")
    d.add_argument("--layout", choices=["python", "binary"], default="python",
                   help="'python' (cifar-10-batches-py, as CS231n) or 'binary' "
                   "(cifar-10-batches-bin); default: %(default)s")
    d.add_argument("--url", default=None, help="download from this mirror instead of the official URL")
    d.add_argument("--md5", default=None, help="expected MD5 of the archive at --url")
    d.add_argument("--force", action="store_true", help="download and extract again")

    t = sub.add_parser(
        "train", help="train a classifier on CIFAR-10",
        formatter_class=_HelpFormatter,
        description="Train a classifier on CIFAR-10 with cvnn's Solver, then print its "
        "validation and test accuracy. The defaults train a [512, 256] fully connected net "
        "with batch normalization and dropout (keep 0.8) using Adam for 12 epochs (about 55% "
        "validation accuracy). "
        "--model conv trains a DeepConvNet; a good start on 2 cores is --model conv "
        "--num-filters 32,64,128 --batch-size 128 --lr 2e-3 --lr-decay 0.85 --reg 1e-4 "
        "--time-limit 1800. "
        "Into --out go: checkpoint.npz/.json (resumable Solver state), model.npz (the best "
        "parameters, FullyConnectedNet.load reads it), curves.png (loss and train/val "
        "accuracy) and results.json.")
    t.add_argument("--model", choices=sorted(MODELS), default="fc",
                   help="model family: " + "; ".join("%s = %s" % (k, v[1]) for k, v in sorted(MODELS.items())))
    t.add_argument("--hidden-dims", type=_parse_dims, default=None,
                   help="hidden layer sizes, e.g. 512,256 (default: 512,256 for fc, 100 for twolayer)")
    t.add_argument("--normalization", choices=["batchnorm", "layernorm", "none"], default=None,
                   help="normalization after each hidden affine layer (fc only; default batchnorm)")
    t.add_argument("--dropout-keep", type=_keep, default=None,
                   help="dropout KEEP probability after each hidden ReLU, 1 disables it "
                   "(fc only; default 0.8)")
    t.add_argument("--num-filters", type=_parse_dims, default=None,
                   help="filters of each convolution, e.g. 32,64,128 (conv and threelayer only; "
                   "default: 32,64,128 for conv, 32 for threelayer)")
    t.add_argument("--max-pools", type=_parse_pools, default=None,
                   help="zero-based conv layers followed by a 2x2 max pool, e.g. 0,1,2 (conv "
                   "only; default: after every conv layer)")
    t.add_argument("--no-batchnorm", action="store_true",
                   help="no spatial batch normalization after each convolution (conv only)")
    t.add_argument("--filter-size", type=int, default=7,
                   help="convolution size (threelayer only)")
    t.add_argument("--hidden-dim", type=int, default=500,
                   help="hidden affine size (threelayer only)")
    t.add_argument("--weight-scale", type=float, default=None,
                   help="std of the initial weights (default: the model's, 1e-2 fc, 1e-3 twolayer and "
                   "threelayer, Kaiming for conv)")
    t.add_argument("--reg", type=float, default=0.0, help="L2 strength: loss += 0.5*reg*sum(W**2)")
    t.add_argument("--update-rule", choices=["sgd", "sgd_momentum", "rmsprop", "adam"],
                   default="adam", help="optimizer (cvnn.optim)")
    t.add_argument("--lr", type=float, default=1e-3, help="initial learning rate")
    t.add_argument("--lr-decay", type=float, default=0.9,
                   help="the learning rate is multiplied by this after every epoch")
    t.add_argument("--batch-size", type=int, default=200, help="minibatch size")
    t.add_argument("--epochs", type=int, default=12, help="number of epochs")
    t.add_argument("--num-train", type=int, default=49000,
                   help="training images (the next 1000 are the validation set)")
    t.add_argument("--num-test", type=int, default=1000,
                   help="test images to report the accuracy on (the first ones of the test "
                   "batch, as CS231n; at most 10000)")
    t.add_argument("--time-limit", type=float, default=None,
                   help="stop training after about this many seconds (then evaluate as usual)")
    t.add_argument("--seed", type=int, default=0, help="seed of NumPy's global RNG (init, batches, dropout)")
    t.add_argument("--data", default=None,
                   help="folder holding cifar-10-batches-py or -bin (default: $CVNN_DATA, ./datasets, ...)")
    t.add_argument("--no-download", action="store_true",
                   help="when no CIFAR-10 is found, stop with instructions instead of downloading "
                   "the official archive (MD5-checked) into ./datasets")
    t.add_argument("--out", default="runs/cifar10",
                   help="folder for the checkpoint, model, curves.png and results.json")
    t.add_argument("--threads", type=int, default=None,
                   help="threads for cvnn's kernels (default: cvnn's current setting)")
    t.add_argument("--dtype", choices=["float32", "float64"], default="float32",
                   help="dtype of the data, parameters and computation")
    t.add_argument("--print-every", type=int, default=100, help="print the loss every N iterations")
    t.add_argument("--quiet", action="store_true", help="no per-iteration output or progress bar")
    return p


def resolve_data(data, allow_download, download=None):
    """The CIFAR-10 folder to train on: `data` when given, else the first one found where
    cvnn looks ($CVNN_DATA, ./datasets, ...); when none is found and downloads are allowed,
    the official archive is fetched into ./datasets and checked against its MD5."""
    from .data_utils import MISSING_HELP, download_CIFAR10, find_cifar10

    if data is not None:
        return data
    try:
        return find_cifar10()
    except FileNotFoundError:
        if not allow_download:
            raise SystemExit("train: " + MISSING_HELP)
    print("CIFAR-10 not found locally: downloading the official archive into ./datasets "
          "(MD5-checked; about 170 MB)")
    try:
        return (download or download_CIFAR10)(dest="datasets")
    except (OSError, ValueError) as exc:
        raise SystemExit("train: could not download CIFAR-10 (%s). %s" % (exc, MISSING_HELP))


def cmd_train(args):
    import cvnn
    from .data_utils import get_CIFAR10_data
    from .solver import Solver

    if args.batch_size < 1 or args.epochs < 1 or args.num_train < 1 or args.num_test < 1:
        raise SystemExit("train: --batch-size, --epochs, --num-train and --num-test must be positive")
    if args.threads is not None:
        if args.threads < 1:
            raise SystemExit("train: --threads must be >= 1")
        cvnn.set_num_threads(args.threads)
    dtype = np.dtype(args.dtype).type
    np.random.seed(args.seed)
    model = MODELS[args.model][0](args, 3 * 32 * 32, 10, dtype)  # checks options before loading
    t0 = time.perf_counter()
    data = get_CIFAR10_data(num_training=args.num_train, num_test=args.num_test,
                            cifar10_dir=resolve_data(args.data, not args.no_download), dtype=dtype)
    print("Loaded CIFAR-10 in %.1f s: %d train, %d val, %d test images"
          % (time.perf_counter() - t0, len(data["y_train"]), len(data["y_val"]), len(data["y_test"])))
    os.makedirs(args.out, exist_ok=True)
    solver = Solver(model, {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val")},
                    update_rule=args.update_rule, optim_config={"learning_rate": args.lr},
                    lr_decay=args.lr_decay, batch_size=args.batch_size, num_epochs=args.epochs,
                    num_val_samples=None, print_every=args.print_every, verbose=not args.quiet,
                    progress=not args.quiet and sys.stderr.isatty())  # no bar in log files
    t1 = time.perf_counter()
    solver.train(time_limit=args.time_limit)
    train_time = time.perf_counter() - t1

    val_acc = solver.check_accuracy(data["X_val"], data["y_val"])
    test_acc = solver.check_accuracy(data["X_test"], data["y_test"])
    ckpt = solver.save_checkpoint(os.path.join(args.out, "checkpoint"))
    model_path = os.path.join(args.out, "model.npz")
    model.save(model_path)
    import matplotlib
    matplotlib.use("Agg")
    from .plots import plot_training_curves
    png = os.path.join(args.out, "curves.png")
    plot_training_curves(solver, png, title="%s %s" % (args.model, " ".join(
        "%s=%s" % kv for kv in sorted(vars(args).items()) if kv[0] in ("hidden_dims", "num_filters", "lr", "normalization", "dropout_keep"))))
    results = {"val_acc": val_acc, "test_acc": test_acc, "epochs_done": solver.epoch,
               "iterations": len(solver.loss_history), "train_seconds": round(train_time, 1),
               "args": {k: v for k, v in vars(args).items() if k != "func"},
               "command": " ".join(sys.argv)}
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    print("Trained %d epochs (%d iterations) in %.1f s" % (solver.epoch, len(solver.loss_history), train_time))
    print("Wrote %s, %s, %s" % (ckpt, model_path, png))
    print("Validation accuracy: %.4f" % val_acc)
    print("Test accuracy: %.4f" % test_acc)  # on --num-test images
    return 0


def cmd_download(args):
    from .data_utils import download_CIFAR10
    try:
        out = download_CIFAR10(dest=args.dest, layout=args.layout, url=args.url, md5=args.md5,
                               force=args.force)
    except (ConnectionError, ValueError) as exc:
        print("download: %s" % exc, file=sys.stderr)
        return 1
    print("CIFAR-10 is in %s" % out)
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.command == "info":
        import cvnn
        cvnn.show_config()
        return 0
    if args.command == "download":
        return cmd_download(args)
    return cmd_train(args)


if __name__ == "__main__":
    sys.exit(main())
