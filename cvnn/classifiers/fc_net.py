"""Fully connected classifiers with CS231n's API: TwoLayerNet and FullyConnectedNet.

A model is a ``params`` dict (str -> ndarray) plus ``loss(X, y=None)``: with ``y=None`` it runs
in test mode and returns the class scores, otherwise it returns ``(loss, grads)`` with ``grads``
holding the same keys as ``params``. The loss is the softmax loss plus ``0.5 * reg * sum(W**2)``
over the weight matrices (biases and the normalization's gamma/beta are not regularized), so
the gradient of the penalty is ``reg * W``, as the notebooks' constants assume.

``save(fname)`` / ``load(fname)`` use a pickle-free ``.npz`` file.
"""
import numpy as np

from .. import layers
from .._checkpoint import model_state, set_model_state
from .._device import check_device
from ._base import _NpzModel, _regularize
from ..layer_utils import affine_relu_backward, affine_relu_forward

__all__ = ["TwoLayerNet", "FullyConnectedNet", "create_solver_instance",
           "get_three_layer_network_params", "get_five_layer_network_params"]


class TwoLayerNet(_NpzModel):
    """A two-layer fully connected network with ReLU and a softmax loss:
    affine - relu - affine - softmax.

    Parameters
    ----------
    input_dim : int, size D of the input (3*32*32 for CIFAR-10 images)
    hidden_dim : int, size H of the hidden layer
    num_classes : int, number C of classes
    weight_scale : float, standard deviation of the normal weight initialization
    reg : float, L2 regularization strength (penalty 0.5 * reg * sum(W**2))
    dtype : numpy float type of the parameters and of the computation (an addition to
        CS231n's signature; float64 as CS231n's randn initialization, float32 trains faster)
    device : EECS 598's argument; must be the CPU ('cpu')

    Attributes
    ----------
    params : dict with W1 (D, H), b1 (H,), W2 (H, C), b2 (C,)
    """

    def __init__(self, input_dim=3 * 32 * 32, hidden_dim=100, num_classes=10, weight_scale=1e-3,
                 reg=0.0, dtype=np.float64, device="cpu"):
        check_device(device, "TwoLayerNet")
        self.reg = reg
        self.dtype = dtype
        self.params = {
            "W1": (weight_scale * np.random.randn(input_dim, hidden_dim)).astype(dtype),
            "b1": np.zeros(hidden_dim, dtype=dtype),
            "W2": (weight_scale * np.random.randn(hidden_dim, num_classes)).astype(dtype),
            "b2": np.zeros(num_classes, dtype=dtype),
        }

    def loss(self, X, y=None):
        """Compute the loss and gradient for a minibatch of data.

        Parameters
        ----------
        X : ndarray, shape (N, d_1, ..., d_k) with D = d_1 * ... * d_k; cast to the model's dtype
        y : ndarray of int, shape (N,), labels in [0, C); None for test mode

        Returns
        -------
        If y is None: scores, ndarray (N, C), the class scores.
        Otherwise: loss (float) and grads, a dict with the keys and shapes of params.
        """
        X = np.asarray(X).astype(self.dtype, copy=False)
        W1, b1, W2, b2 = (self.params[k] for k in ("W1", "b1", "W2", "b2"))
        hidden, cache1 = affine_relu_forward(X, W1, b1)
        scores, cache2 = layers.affine_forward(hidden, W2, b2)
        if y is None:
            return scores
        loss, dscores = layers.softmax_loss(scores, y)
        grads = {}
        dhidden, grads["W2"], grads["b2"] = layers.affine_backward(dscores, cache2)
        _, grads["W1"], grads["b1"] = affine_relu_backward(dhidden, cache1)
        loss = _regularize(loss, grads, self.params, ("W1", "W2"), self.reg)
        return loss, grads


class FullyConnectedNet(_NpzModel):
    """A fully connected network with any number of hidden layers, ReLU nonlinearities and a
    softmax loss, optionally with batch or layer normalization and dropout:

        {affine - [batch/layer norm] - relu - [dropout]} x (L - 1) - affine - softmax

    Parameters
    ----------
    hidden_dims : list of ints, the size of each hidden layer
    input_dim : int, size D of the input
    num_classes : int, number C of classes
    dropout_keep_ratio : float in (0, 1], the probability of KEEPING a unit (CS231n 2020+);
        1 disables dropout
    normalization : None, 'batchnorm' or 'layernorm'
    reg : float, L2 regularization strength (penalty 0.5 * reg * sum(W**2))
    weight_scale : float, standard deviation of the normal weight initialization
    dtype : np.float32 or np.float64; use float64 for numerical gradient checks
    seed : if not None, passed to the dropout layers, making them deterministic (for
        gradient checks)
    device : EECS 598's argument; must be the CPU ('cpu')

    Attributes
    ----------
    params : dict with W1..WL, b1..bL and, with normalization, gamma1..gamma(L-1) and
        beta1..beta(L-1); Wi has shape (dims[i-1], dims[i]) with dims = [D, *hidden_dims, C]
    num_layers : int, L = 1 + len(hidden_dims)
    bn_params : list of L-1 dicts ({'mode': 'train'} for batchnorm, {} for layernorm; the
        running statistics are stored in them), empty without normalization
    dropout_param : dict {'mode', 'p'[, 'seed']} when dropout is used, else {}
    use_dropout : bool
    """

    def __init__(self, hidden_dims, input_dim=3 * 32 * 32, num_classes=10, dropout_keep_ratio=1,
                 normalization=None, reg=0.0, weight_scale=1e-2, dtype=np.float32, seed=None,
                 device="cpu"):
        check_device(device, "FullyConnectedNet")
        if normalization not in (None, "batchnorm", "layernorm"):
            raise ValueError("FullyConnectedNet: normalization must be None, 'batchnorm' or "
                             "'layernorm', got %r" % (normalization,))
        if not 0 < dropout_keep_ratio <= 1:
            raise ValueError("FullyConnectedNet: dropout_keep_ratio (%r) must be in (0, 1]"
                             % (dropout_keep_ratio,))
        hidden_dims = [int(h) for h in hidden_dims]
        if any(h < 1 for h in hidden_dims):
            raise ValueError("FullyConnectedNet: hidden_dims %s must be positive" % hidden_dims)
        self.normalization = normalization
        self.use_dropout = dropout_keep_ratio != 1
        self.reg = reg
        self.num_layers = 1 + len(hidden_dims)
        self.dtype = dtype
        self.hidden_dims = hidden_dims
        self.params = {}

        dims = [input_dim] + hidden_dims + [num_classes]
        for i in range(1, self.num_layers + 1):
            self.params["W%d" % i] = weight_scale * np.random.randn(dims[i - 1], dims[i])
            self.params["b%d" % i] = np.zeros(dims[i])
            if normalization is not None and i < self.num_layers:
                self.params["gamma%d" % i] = np.ones(dims[i])
                self.params["beta%d" % i] = np.zeros(dims[i])

        # dropout and normalization keep their own parameter dicts, shared by every layer
        # (dropout) or one per layer (normalization), so the mode can be switched in loss()
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": dropout_keep_ratio}
            if seed is not None:
                self.dropout_param["seed"] = seed
        self.bn_params = []
        if normalization == "batchnorm":
            self.bn_params = [{"mode": "train"} for _ in range(self.num_layers - 1)]
        elif normalization == "layernorm":
            self.bn_params = [{} for _ in range(self.num_layers - 1)]

        for k, v in self.params.items():
            self.params[k] = v.astype(dtype)

    # -- save/load also carries the batchnorm running statistics (zeros before the first
    # training pass, which is what batchnorm_forward would start them at) --
    def _state_arrays(self):
        return model_state(self)

    def _set_state_arrays(self, arrays):
        set_model_state(self, arrays, self.dtype)

    def _meta(self):
        meta = super()._meta()
        meta.update(hidden_dims=self.hidden_dims, normalization=self.normalization,
                    dropout_keep_ratio=self.dropout_param.get("p", 1))
        return meta

    def loss(self, X, y=None):
        """Compute the loss and gradient for the fully connected net.

        Parameters
        ----------
        X : ndarray, shape (N, d_1, ..., d_k) with D = d_1 * ... * d_k; cast to the model's dtype
        y : ndarray of int, shape (N,), labels in [0, C); None for test mode (batchnorm uses its
            running statistics and dropout is off)

        Returns
        -------
        If y is None: scores, ndarray (N, C).
        Otherwise: loss (float) and grads, a dict with the keys and shapes of params.
        """
        X = np.asarray(X).astype(self.dtype, copy=False)
        mode = "test" if y is None else "train"
        if self.use_dropout:
            self.dropout_param["mode"] = mode
        if self.normalization == "batchnorm":
            for bn_param in self.bn_params:
                bn_param["mode"] = mode

        caches = []
        h = X
        for i in range(1, self.num_layers):
            h, fc_cache = layers.affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            norm_cache = None
            if self.normalization == "batchnorm":
                h, norm_cache = layers.batchnorm_forward(
                    h, self.params["gamma%d" % i], self.params["beta%d" % i], self.bn_params[i - 1])
            elif self.normalization == "layernorm":
                h, norm_cache = layers.layernorm_forward(
                    h, self.params["gamma%d" % i], self.params["beta%d" % i], self.bn_params[i - 1])
            h, relu_cache = layers.relu_forward(h)
            drop_cache = None
            if self.use_dropout:
                h, drop_cache = layers.dropout_forward(h, self.dropout_param)
            caches.append((fc_cache, norm_cache, relu_cache, drop_cache))
        L = self.num_layers
        scores, last_cache = layers.affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])
        if mode == "test":
            return scores

        loss, dscores = layers.softmax_loss(scores, y)
        grads = {}
        dh, grads["W%d" % L], grads["b%d" % L] = layers.affine_backward(dscores, last_cache)
        for i in range(L - 1, 0, -1):
            fc_cache, norm_cache, relu_cache, drop_cache = caches[i - 1]
            if self.use_dropout:
                dh = layers.dropout_backward(dh, drop_cache)
            dh = layers.relu_backward(dh, relu_cache)
            if self.normalization == "batchnorm":
                dh, grads["gamma%d" % i], grads["beta%d" % i] = layers.batchnorm_backward(dh, norm_cache)
            elif self.normalization == "layernorm":
                dh, grads["gamma%d" % i], grads["beta%d" % i] = layers.layernorm_backward(dh, norm_cache)
            dh, grads["W%d" % i], grads["b%d" % i] = layers.affine_backward(dh, fc_cache)
        loss = _regularize(loss, grads, self.params, ["W%d" % i for i in range(1, L + 1)], self.reg)
        return loss, grads


# ---- EECS 598 A3's helper functions, answered with settings measured on CIFAR-10 ----

def create_solver_instance(data_dict, dtype=np.float32, device="cpu"):
    """EECS 598 A3: a Solver that trains a TwoLayerNet to at least 50% validation accuracy
    on CIFAR-10 with ``solver.train()``.

    The settings are those of the README's TwoLayerNet row (hidden 256, Adam 2e-4, decay 0.95,
    reg 0.01, batch 200, 10 epochs): 51.9% validation on the 49,000/1,000 split in 25 s on
    two cores (benchmarks/eecs598_targets.py two_layer).

    Parameters
    ----------
    data_dict : dict with X_train, y_train, X_val, y_val (images of any shape; flattened)
    dtype : numpy float dtype of the model
    device : must be the CPU

    Returns
    -------
    solver : cvnn.solver.Solver, not trained yet
    """
    from ..solver import Solver
    check_device(device, "create_solver_instance")
    input_dim = int(np.prod(np.shape(data_dict["X_train"])[1:]))
    model = TwoLayerNet(input_dim=input_dim, hidden_dim=256, weight_scale=1e-3, reg=0.01,
                        dtype=dtype)
    return Solver(model, data_dict, update_rule="adam", optim_config={"learning_rate": 2e-4},
                  lr_decay=0.95, num_epochs=10, batch_size=200, print_every=100, device=device)


def get_three_layer_network_params():
    """EECS 598 A3 (CS231n's FullyConnectedNets overfit cell): (weight_scale, learning_rate)
    with which FullyConnectedNet([100, 100]) reaches 100% training accuracy on 50 CIFAR-10
    images within 20 epochs of SGD, batch 25 (asserted by tests/test_fc_net.py)."""
    return 1e-2, 1e-2


def get_five_layer_network_params():
    """As get_three_layer_network_params, for FullyConnectedNet([100, 100, 100, 100])."""
    return 7e-2, 2e-3
