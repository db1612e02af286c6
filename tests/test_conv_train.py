"""Training conv nets on the real CIFAR-10: a short version of CS231n's ThreeLayerConvNet run
(the full one epoch reaches >= 40% training accuracy, CS231n's bar; see the README for the
command), so a kernel that computes but learns wrongly fails here."""
import numpy as np
import pytest

from cvnn.classifiers.cnn import ThreeLayerConvNet
from cvnn.data_utils import get_CIFAR10_data
from cvnn.solver import Solver


@pytest.mark.slow
def test_three_layer_convnet_learns_cifar10_quickly(cifar10_dir):
    # CS231n's settings (batch 50, Adam lr 1e-3, 32 7x7 filters, hidden 500, reg 1e-3, weight
    # scale 1e-3) on 300 iterations: a third of the epoch; chance is 10%.
    data = get_CIFAR10_data(num_training=15000, num_validation=1000, num_test=10,
                            cifar10_dir=str(cifar10_dir))
    np.random.seed(0)
    model = ThreeLayerConvNet(weight_scale=0.001, hidden_dim=500, reg=0.001)
    solver = Solver(model, {k: data[k] for k in ("X_train", "y_train", "X_val", "y_val")},
                    num_epochs=1, batch_size=50, update_rule="adam",
                    optim_config={"learning_rate": 1e-3}, verbose=False)
    solver.train()
    assert len(solver.loss_history) == 300
    assert np.mean(solver.loss_history[-50:]) < 1.9 < np.mean(solver.loss_history[:5])
    assert solver.train_acc_history[-1] >= 0.35, solver.train_acc_history
    assert solver.val_acc_history[-1] >= 0.35, solver.val_acc_history
