"""EECS 598 A3's accuracy tasks on the real CIFAR-10, with cvnn's answers to its helper
functions (cvnn.classifiers.fc_net.create_solver_instance, cvnn.classifiers.cnn.
create_convolutional_solver_instance), run the way the notebooks run them.

    python benchmarks/eecs598_targets.py two_layer   # solver.train(): >= 50% validation
    python benchmarks/eecs598_targets.py conv60      # solver.train(time_limit=60): >= 71%
    python benchmarks/eecs598_targets.py conv60 3    # three runs (the machine's load moves it)

Data: get_CIFAR10_data (49,000 training / 1,000 validation images, mean-subtracted, float32),
found as everywhere in cvnn ($CVNN_DATA, ./datasets, ../shared/datasets/cifar10). Threads:
cvnn's default (all cores). Prints the validation accuracy of the parameters the Solver keeps
(the best it checked), the epochs run and the seconds taken.
"""
import sys
import time

import numpy as np

from cvnn.classifiers.cnn import create_convolutional_solver_instance
from cvnn.classifiers.fc_net import create_solver_instance
from cvnn.data_utils import get_CIFAR10_data


def load():
    data = get_CIFAR10_data(num_test=0, dtype=np.float32)
    return {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val")}


def run(name, make, target, time_limit, runs):
    data = load()
    for r in range(runs):
        np.random.seed(r)
        solver = make(data, np.float32, "cpu")
        solver.verbose = False
        t = time.perf_counter()
        solver.train(time_limit=time_limit)
        took = time.perf_counter() - t
        acc = solver.check_accuracy(data["X_val"], data["y_val"])
        print("%s run %d: validation %.4f (target >= %.2f: %s), %d epochs done, %.1f s"
              % (name, r + 1, acc, target, "met" if acc >= target else "MISSED", solver.epoch,
                 took), flush=True)


def main():
    what = sys.argv[1] if len(sys.argv) > 1 else "conv60"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    if what == "two_layer":
        run("create_solver_instance (TwoLayerNet)", create_solver_instance, 0.50, None, runs)
    elif what == "conv60":
        run("create_convolutional_solver_instance (DeepConvNet, 60 s)",
            create_convolutional_solver_instance, 0.71, 60, runs)
    else:
        raise SystemExit("usage: eecs598_targets.py two_layer|conv60 [runs]")


if __name__ == "__main__":
    main()
