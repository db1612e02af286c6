"""Convolutional classifiers: CS231n's ThreeLayerConvNet, EECS 598's DeepConvNet (with
kaiming_initializer) and the seed project's generic ConvNet; also EECS 598 A3's static-method
layer classes (Conv, MaxPool, FastConv, FastMaxPool, SpatialBatchNorm, Conv_ReLU,
Conv_ReLU_Pool, Conv_BatchNorm_ReLU, Conv_BatchNorm_ReLU_Pool) over the same functions.

Every model is a ``params`` dict plus ``loss(X, y=None)``: with y None it returns the class
scores (N, num_classes) in test mode; otherwise (loss, grads) with grads keyed like params,
in train mode (batch norm uses batch statistics, dropout is on). X is cast to the model's
dtype. ``save(path)`` writes an .npz (parameters, batch-norm running statistics and the
constructor's arguments as JSON; no pickle; the format of the fully connected models) and
``load(path, dtype=None)`` reads one back.
"""
import json
import re

import numpy as np

from ..fast_layers import (conv_backward_fast, conv_forward_fast, max_pool_backward_fast,
                           max_pool_forward_fast)
from ..layer_utils import (affine_relu_backward, affine_relu_forward, conv_bn_relu_backward,
                           conv_bn_relu_forward, conv_bn_relu_pool_backward,
                           conv_bn_relu_pool_forward, conv_relu_backward, conv_relu_forward,
                           conv_relu_pool_backward, conv_relu_pool_forward)
from .. import layers
from .._checkpoint import model_state, set_model_state
from .._device import check_device
from ._base import _NpzModel, _regularize
from ..layers import (affine_backward, affine_forward, relu_backward, relu_forward,
                      softmax_loss, spatial_batchnorm_backward, spatial_batchnorm_forward)


class _ConvModel(_NpzModel):
    """What the conv models share: save/load through _NpzModel (the same pickle-free .npz as
    the fully connected models, with batch-norm running statistics named as model_state names
    them and the constructor's arguments in the metadata), and the start of every loss()."""

    def _prepare(self, X, y):
        """X cast to the model's dtype; batch norm and dropout set to train or test mode."""
        mode = "test" if y is None else "train"
        for bp in getattr(self, "bn_params", []):
            bp["mode"] = mode
        if getattr(self, "dropout_param", None):
            self.dropout_param["mode"] = mode
        return np.asarray(X).astype(self.dtype, copy=False)

    def _state_arrays(self):
        return model_state(self)

    def _set_state_arrays(self, arrays):
        set_model_state(self, arrays, self.dtype)

    def _meta(self):
        meta = super()._meta()
        meta["config"] = self._config
        return meta

    def _read(self, fname):
        arrays, meta = super()._read(fname)
        if meta is None and "config" in arrays:
            # the first conv models' layout: 'config' JSON, 'param/<name>' and
            # 'bn/<i>/running_mean' (statistics only once trained)
            meta = json.loads(str(arrays.pop("config")))
            arrays = {_legacy_name(k): v for k, v in arrays.items()}
            for k, v in self._state_arrays().items():
                if "_running_" in k:
                    arrays.setdefault(k, v)
        return arrays, meta


def _legacy_name(k):
    """'param/W1' -> 'W1', 'bn/0/running_mean' -> 'bn1_running_mean' (model_state's names)"""
    if k.startswith("param/"):
        return k[len("param/"):]
    m = re.match(r"bn/(\d+)/(\w+)$", k)
    return "bn%d_%s" % (int(m.group(1)) + 1, m.group(2)) if m else k


def kaiming_initializer(Din, Dout, K=None, relu=True, device="cpu", dtype=np.float32):
    """Kaiming (He) initialization for linear and convolution layers (EECS 598).

    Parameters
    ----------
    Din, Dout : int, input and output dimensions (channels for a convolution)
    K : int or None; None for a linear layer, else the kernel size of a K x K convolution
    relu : bool; True uses gain 2 (Kaiming), False gain 1 (Xavier)
    device : EECS 598's argument; must be the CPU ('cpu')
    dtype : numpy float dtype

    Returns
    -------
    weight : ndarray, shape (Din, Dout) for a linear layer or (Dout, Din, K, K) for a
        convolution, drawn from N(0, gain / fan_in) with fan_in = Din (* K * K), using
        np.random so np.random.seed makes it reproducible
    """
    check_device(device, "kaiming_initializer")
    gain = 2.0 if relu else 1.0
    if K is None:
        w = np.random.randn(Din, Dout) * np.sqrt(gain / Din)
    else:
        w = np.random.randn(Dout, Din, K, K) * np.sqrt(gain / (Din * K * K))
    return w.astype(dtype)


class ThreeLayerConvNet(_ConvModel):
    """A three-layer convolutional network with the following architecture:

    conv - relu - 2x2 max pool - affine - relu - affine - softmax

    The network operates on minibatches of data of shape (N, C, H, W) consisting of N images,
    each with height H and width W and with C input channels. The convolution has stride 1 and
    pads (filter_size - 1) // 2 (the spatial size is kept for odd filter sizes).

    Parameters
    ----------
    input_dim : tuple (C, H, W), size of input data
    num_filters : int, number of filters in the convolutional layer
    filter_size : int, width and height of the filters
    hidden_dim : int, number of units in the fully connected hidden layer
    num_classes : int, number of scores to produce from the final affine layer
    weight_scale : float, standard deviation of the random initial weights (biases are 0)
    reg : float, L2 regularization strength; the loss adds 0.5 * reg * sum(W ** 2) over W1-W3
    dtype : numpy float dtype for computation (float64 for gradient checks)
    device, input_dims : EECS 598's arguments: device must be the CPU; input_dims, when given,
        is used for input_dim

    Attributes
    ----------
    params : dict with W1 (F, C, fs, fs), b1 (F,), W2 (F * H' * W', hidden_dim), b2,
        W3 (hidden_dim, num_classes), b3
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=32, filter_size=7, hidden_dim=100,
                 num_classes=10, weight_scale=1e-3, reg=0.0, dtype=np.float32, device="cpu",
                 input_dims=None):
        check_device(device, "ThreeLayerConvNet")
        if input_dims is not None:  # EECS 598's name
            input_dim = input_dims
        self._config = dict(input_dim=list(input_dim), num_filters=num_filters,
                            filter_size=filter_size, hidden_dim=hidden_dim,
                            num_classes=num_classes, weight_scale=weight_scale, reg=reg,
                            dtype=np.dtype(dtype).name)
        self.params = {}
        self.reg = reg
        self.dtype = np.dtype(dtype).type
        C, H, W = input_dim
        pad = (filter_size - 1) // 2
        Hc, Wc = H + 2 * pad - filter_size + 1, W + 2 * pad - filter_size + 1
        if Hc < 2 or Wc < 2:
            raise ValueError("ThreeLayerConvNet: the %dx%d input is too small for a %dx%d "
                             "filter followed by 2x2 pooling" % (H, W, filter_size, filter_size))
        Hp, Wp = 1 + (Hc - 2) // 2, 1 + (Wc - 2) // 2
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(num_filters * Hp * Wp, hidden_dim)
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros(num_classes)
        for k, v in self.params.items():
            self.params[k] = v.astype(self.dtype)

    def loss(self, X, y=None):
        """Evaluate loss and gradient for the three-layer convolutional network.

        Parameters
        ----------
        X : ndarray, shape (N, C, H, W)
        y : ndarray, shape (N,), labels in [0, num_classes), or None

        Returns
        -------
        scores : ndarray (N, num_classes) if y is None; otherwise
        loss : float and grads : dict of gradients, keyed like params
        """
        X = self._prepare(X, y)
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        W3, b3 = self.params["W3"], self.params["b3"]
        filter_size = W1.shape[2]
        conv_param = {"stride": 1, "pad": (filter_size - 1) // 2}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

        h1, c1 = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        h2, c2 = affine_relu_forward(h1, W2, b2)
        scores, c3 = affine_forward(h2, W3, b3)
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh2, grads["W3"], grads["b3"] = affine_backward(dscores, c3)
        dh1, grads["W2"], grads["b2"] = affine_relu_backward(dh2, c2)
        # the first layer's input is the data: no gradient for it
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dh1, c1, need_dx=False)
        loss = _regularize(loss, grads, self.params, ("W1", "W2", "W3"), self.reg)
        return loss, grads


class DeepConvNet(_ConvModel):
    """A convolutional network of arbitrary depth, with optional spatial batch normalization
    (EECS 598):

    {conv - [batchnorm?] - relu - [pool?]} x (L - 1) - linear

    Every convolution is 3x3 with padding 1 and stride 1, keeping the spatial size; every pool
    is 2x2 with stride 2, halving it. The loss is softmax; the L2 penalty is
    reg * sum(W ** 2) over the weights (EECS 598's convention, without CS231n's 0.5).

    Parameters
    ----------
    input_dims : tuple (C, H, W)
    num_filters : list of length L - 1, the filters of each macro layer
    max_pools : list of the (zero-based) macro layers followed by max pooling
    batchnorm : bool, spatial batch normalization after each convolution
    num_classes : int
    weight_scale : float (standard deviation of the random weights) or 'kaiming' (Kaiming
        initialization, kaiming_initializer)
    reg : float, L2 regularization strength
    weight_initializer : callable(Din, Dout, K, relu, dtype) -> weights, used in place of
        kaiming_initializer when weight_scale is 'kaiming'; None for kaiming_initializer
    dtype : numpy float dtype
    device : EECS 598's argument; must be the CPU ('cpu')

    Attributes
    ----------
    params : W1..WL, b1..bL, and gamma1..gamma{L-1}, beta1.. with batchnorm
    bn_params : list of L - 1 dicts for spatial_batchnorm_forward (empty without batchnorm)
    """

    def __init__(self, input_dims=(3, 32, 32), num_filters=(8, 8, 8, 8, 8),
                 max_pools=(0, 1, 2, 3, 4), batchnorm=False, num_classes=10,
                 weight_scale=1e-3, reg=0.0, weight_initializer=None, dtype=np.float32,
                 device="cpu"):
        check_device(device, "DeepConvNet")
        self._config = dict(input_dims=list(input_dims), num_filters=list(num_filters),
                            max_pools=list(max_pools), batchnorm=bool(batchnorm),
                            num_classes=num_classes,
                            weight_scale=weight_scale if isinstance(weight_scale, str) else float(weight_scale),
                            reg=reg, dtype=np.dtype(dtype).name)
        self.params = {}
        self.num_layers = len(num_filters) + 1
        self.max_pools = list(max_pools)
        self.batchnorm = batchnorm
        self.reg = reg
        self.dtype = np.dtype(dtype).type
        if isinstance(weight_scale, str) and weight_scale != "kaiming":
            raise ValueError("DeepConvNet: weight_scale must be a number or 'kaiming', got %r"
                             % (weight_scale,))
        init = weight_initializer or kaiming_initializer
        C, H, W = input_dims
        for i, F in enumerate(num_filters):
            if weight_scale == "kaiming":
                w = init(C, F, K=3, relu=True, dtype=self.dtype)
            else:
                w = np.random.randn(F, C, 3, 3) * weight_scale
            self.params["W%d" % (i + 1)] = w
            self.params["b%d" % (i + 1)] = np.zeros(F)
            if batchnorm:
                self.params["gamma%d" % (i + 1)] = np.ones(F)
                self.params["beta%d" % (i + 1)] = np.zeros(F)
            if i in self.max_pools:
                if H < 2 or W < 2:
                    raise ValueError("DeepConvNet: layer %d pools a %dx%d input" % (i, H, W))
                H, W = H // 2, W // 2
            C = F
        L = self.num_layers
        if weight_scale == "kaiming":
            w = init(C * H * W, num_classes, K=None, relu=False, dtype=self.dtype)
        else:
            w = np.random.randn(C * H * W, num_classes) * weight_scale
        self.params["W%d" % L] = w
        self.params["b%d" % L] = np.zeros(num_classes)
        for k, v in self.params.items():
            self.params[k] = np.asarray(v).astype(self.dtype)
        self.bn_params = [{"mode": "train"} for _ in num_filters] if batchnorm else []

    def loss(self, X, y=None):
        """Evaluate loss and gradient for the deep convolutional network.

        Parameters
        ----------
        X : ndarray, shape (N, C, H, W)
        y : ndarray, shape (N,), or None for the scores (test mode)

        Returns
        -------
        scores : ndarray (N, num_classes) if y is None; otherwise (loss, grads)
        """
        X = self._prepare(X, y)
        conv_param = {"stride": 1, "pad": 1}
        pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}
        p = self.params
        caches = []
        h = X
        for i in range(self.num_layers - 1):
            W, b = p["W%d" % (i + 1)], p["b%d" % (i + 1)]
            pool = i in self.max_pools
            if self.batchnorm:
                g, be = p["gamma%d" % (i + 1)], p["beta%d" % (i + 1)]
                if pool:
                    h, c = conv_bn_relu_pool_forward(h, W, b, g, be, conv_param,
                                                     self.bn_params[i], pool_param)
                else:
                    h, c = conv_bn_relu_forward(h, W, b, g, be, conv_param, self.bn_params[i])
            elif pool:
                h, c = conv_relu_pool_forward(h, W, b, conv_param, pool_param)
            else:
                h, c = conv_relu_forward(h, W, b, conv_param)
            caches.append(c)
        L = self.num_layers
        scores, c_last = affine_forward(h, p["W%d" % L], p["b%d" % L])
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh, grads["W%d" % L], grads["b%d" % L] = affine_backward(dscores, c_last)
        for i in reversed(range(L - 1)):
            k = i + 1
            pool = i in self.max_pools
            if self.batchnorm:
                bwd = conv_bn_relu_pool_backward if pool else conv_bn_relu_backward
                dh, grads["W%d" % k], grads["b%d" % k], grads["gamma%d" % k], grads["beta%d" % k] = \
                    bwd(dh, caches[i], need_dx=i > 0)  # the data needs no gradient
            else:
                bwd = conv_relu_pool_backward if pool else conv_relu_backward
                dh, grads["W%d" % k], grads["b%d" % k] = bwd(dh, caches[i], need_dx=i > 0)
        # EECS 598's reg * sum(W**2): the 0.5 * reg' convention with reg' = 2 * reg
        loss = _regularize(loss, grads, p, ["W%d" % k for k in range(1, L + 1)], 2 * self.reg)
        return loss, grads


# ---- EECS 598 A3's helper functions, answered with settings measured on CIFAR-10 ----

def find_overfit_parameters():
    """EECS 598 A3: (weight_scale, learning_rate) with which the notebook's DeepConvNet
    (num_filters [8, 16, 32, 64], max_pools [0, 1, 2, 3], reg 1e-5, no batch norm) reaches 100%
    training accuracy on 50 CIFAR-10 images within 30 epochs of Adam, batch 10 (asserted by
    tests/test_cnn.py). Measured: 100% by epoch 12-13 for seeds 0-2 (weight scales 0.03 and
    0.2, and learning rate 1e-3, also reach it, later)."""
    return 1e-1, 3e-3


def create_convolutional_solver_instance(data_dict, dtype=np.float32, device="cpu"):
    """EECS 598 A3: a Solver whose ``train(time_limit=60)`` brings a DeepConvNet to at least
    71% validation accuracy on CIFAR-10 within 60 seconds (EECS 598 sets this task on a GPU;
    here two CPU cores).

    The network is the fastest good one measured on the 2-core EPYC: four 3x3 conv layers of
    14, 28, 56 and 112 filters (multiples of the GEMM's 14-row register block; 16/32/64/128
    filters waste most of a 2-row edge panel and train an epoch slower), spatial batch norm,
    a 2x2 pool after each, Kaiming initialization, Adam (lr 3e-3), batch 128, lr decay 0.8 per
    epoch; 60 seconds on two cores are about 4 epochs. See the README's accuracy table for the
    measured figures and the command.

    Parameters
    ----------
    data_dict : dict with X_train (N, 3, H, W), y_train, X_val, y_val
    dtype : numpy float dtype of the model
    device : must be the CPU

    Returns
    -------
    solver : cvnn.solver.Solver, not trained yet
    """
    from ..solver import Solver
    check_device(device, "create_convolutional_solver_instance")
    model = DeepConvNet(input_dims=tuple(np.shape(data_dict["X_train"])[1:]), num_classes=10,
                        num_filters=[14, 28, 56, 112], max_pools=[0, 1, 2, 3], batchnorm=True,
                        weight_scale="kaiming", reg=1e-5, dtype=dtype)
    return Solver(model, data_dict, num_epochs=8, batch_size=128, update_rule="adam",
                  optim_config={"learning_rate": 3e-3}, lr_decay=0.8, print_every=100,
                  device=device)


def _pair(v, name):
    if np.ndim(v) == 0:
        return int(v), int(v)
    v = list(v)
    if len(v) != 2:
        raise ValueError("ConvNet: %s must be an int or a pair, got %r" % (name, v))
    return int(v[0]), int(v[1])


class ConvNet(_ConvModel):
    """A generic convolutional network (the seed project's), with the architecture

    {conv - [spatial batchnorm] - relu - [pool]} x N - {affine - [batchnorm] - relu -
    [dropout]} x M - affine - softmax

    Parameters
    ----------
    input_dim : (C, H, W)
    num_filters : list; each positive entry is a conv - [sbn] - relu block with that many
        filters, each 0 a max pool (pool_size x pool_size, stride pool_stride) at that point
    filter_size : int or (Hc, Wc), the kernels of every convolution
    hidden_dim : list of M hidden sizes of the fully connected part
    num_classes : int
    filter_stride : int, stride of the convolutions
    pad : None for "same" padding ((Hc - 1) // 2 rows and (Wc - 1) // 2 columns on each side),
        or an int
    pool_size, pool_stride : int, the max pools
    weight_scale : float, standard deviation of the random initial weights
    reg : float, L2 strength; the loss adds 0.5 * reg * sum(W ** 2) over the weights
    dtype : numpy float dtype
    seed : int or None, seeds dropout (for gradient checks)
    use_batchnorm : bool, batch normalization after every convolution and hidden affine layer
    dropout : float in [0, 1), the probability of DROPPING a unit (the seed project's
        convention); 0 disables dropout. cvnn's dropout layer receives keep = 1 - dropout.

    Attributes
    ----------
    params : W1.., b1.. numbered through the conv layers and then the affine layers, with
        gamma/beta of the same number for every batch-normalized layer
    bn_params : list of dicts, one per conv and hidden affine layer when use_batchnorm
    """

    def __init__(self, input_dim=(3, 32, 32), num_filters=(16, 16), filter_size=7,
                 hidden_dim=(20, 20), num_classes=10, filter_stride=1, pad=None, pool_size=2,
                 pool_stride=2, weight_scale=1e-3, reg=0.0, dtype=np.float32, seed=None,
                 use_batchnorm=False, dropout=0.0):
        self._config = dict(input_dim=list(input_dim), num_filters=list(num_filters),
                            filter_size=list(_pair(filter_size, "filter_size")),
                            hidden_dim=list(hidden_dim), num_classes=num_classes,
                            filter_stride=filter_stride, pad=pad, pool_size=pool_size,
                            pool_stride=pool_stride, weight_scale=weight_scale, reg=reg,
                            dtype=np.dtype(dtype).name, seed=seed,
                            use_batchnorm=bool(use_batchnorm), dropout=dropout)
        if not 0.0 <= dropout < 1.0:
            raise ValueError("ConvNet: dropout (%r) is the drop probability, in [0, 1)" % (dropout,))
        self.reg = reg
        self.dtype = np.dtype(dtype).type
        self.use_batchnorm = use_batchnorm
        self.use_dropout = dropout > 0
        Hc, Wc = _pair(filter_size, "filter_size")
        if pad is None:
            self.pad_hw = ((Hc - 1) // 2, (Wc - 1) // 2)
        else:
            self.pad_hw = (int(pad), int(pad))
        self.conv_param = {"stride": filter_stride, "pad": 0}
        self.pool_param = {"pool_height": pool_size, "pool_width": pool_size, "stride": pool_stride}
        self.params = {}
        self.ops = []  # ('conv', layer number) or ('pool', None)
        C, H, W = input_dim
        k = 0
        for F in num_filters:
            if F == 0:
                if H < pool_size or W < pool_size:
                    raise ValueError("ConvNet: a %dx%d pool on a %dx%d input" % (pool_size, pool_size, H, W))
                H, W = 1 + (H - pool_size) // pool_stride, 1 + (W - pool_size) // pool_stride
                self.ops.append(("pool", None))
                continue
            k += 1
            ph, pw = self.pad_hw
            if Hc > H + 2 * ph or Wc > W + 2 * pw:
                raise ValueError("ConvNet: the %dx%d filter of layer %d is larger than its padded "
                                 "%dx%d input" % (Hc, Wc, k, H + 2 * ph, W + 2 * pw))
            self.params["W%d" % k] = weight_scale * np.random.randn(F, C, Hc, Wc)
            self.params["b%d" % k] = np.zeros(F)
            if use_batchnorm:
                self.params["gamma%d" % k] = np.ones(F)
                self.params["beta%d" % k] = np.zeros(F)
            H = 1 + (H + 2 * ph - Hc) // filter_stride
            W = 1 + (W + 2 * pw - Wc) // filter_stride
            C = F
            self.ops.append(("conv", k))
        self.num_conv = k
        D = C * H * W
        for Hd in hidden_dim:
            k += 1
            self.params["W%d" % k] = weight_scale * np.random.randn(D, Hd)
            self.params["b%d" % k] = np.zeros(Hd)
            if use_batchnorm:
                self.params["gamma%d" % k] = np.ones(Hd)
                self.params["beta%d" % k] = np.zeros(Hd)
            D = Hd
        k += 1
        self.params["W%d" % k] = weight_scale * np.random.randn(D, num_classes)
        self.params["b%d" % k] = np.zeros(num_classes)
        self.num_layers = k
        for name, v in self.params.items():
            self.params[name] = v.astype(self.dtype)
        self.bn_params = [{"mode": "train"} for _ in range(k - 1)] if use_batchnorm else []
        self.dropout_param = {}
        if self.use_dropout:
            self.dropout_param = {"mode": "train", "p": 1.0 - dropout}
            if seed is not None:
                self.dropout_param["seed"] = seed

    def _conv(self, h, k):
        """conv with "same" padding that may differ between rows and columns"""
        W, b = self.params["W%d" % k], self.params["b%d" % k]
        ph, pw = self.pad_hw
        if ph == pw:
            out, c = conv_forward_fast(h, W, b, dict(self.conv_param, pad=ph))
            return out, (None, c)
        hp = np.pad(h, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
        out, c = conv_forward_fast(hp, W, b, self.conv_param)
        return out, ((ph, pw), c)

    @staticmethod
    def _conv_backward(dout, cache, need_dx=True):
        pads, c = cache
        dx, dw, db = conv_backward_fast(dout, c, need_dx=need_dx)
        if pads is not None and dx is not None:
            ph, pw = pads
            dx = dx[:, :, ph:dx.shape[2] - ph, pw:dx.shape[3] - pw]
        return dx, dw, db

    def loss(self, X, y=None):
        """Evaluate loss and gradient for the network.

        Parameters
        ----------
        X : ndarray, shape (N, C, H, W)
        y : ndarray, shape (N,), or None for the scores (test mode)

        Returns
        -------
        scores : ndarray (N, num_classes) if y is None; otherwise (loss, grads)
        """
        X = self._prepare(X, y)
        p = self.params
        caches = []
        h = X
        for op, k in self.ops:
            if op == "pool":
                h, c = max_pool_forward_fast(h, self.pool_param)
                caches.append(c)
                continue
            h, c_conv = self._conv(h, k)
            c_bn = None
            if self.use_batchnorm:
                h, c_bn = spatial_batchnorm_forward(h, p["gamma%d" % k], p["beta%d" % k],
                                                    self.bn_params[k - 1])
            h, c_relu = relu_forward(h)
            caches.append((c_conv, c_bn, c_relu))
        fc_caches = []
        for k in range(self.num_conv + 1, self.num_layers):
            h, c_aff = affine_forward(h, p["W%d" % k], p["b%d" % k])
            c_bn = c_drop = None
            if self.use_batchnorm:
                h, c_bn = layers.batchnorm_forward(h, p["gamma%d" % k], p["beta%d" % k],
                                                   self.bn_params[k - 1])
            h, c_relu = relu_forward(h)
            if self.use_dropout:
                h, c_drop = layers.dropout_forward(h, self.dropout_param)
            fc_caches.append((c_aff, c_bn, c_relu, c_drop))
        L = self.num_layers
        scores, c_last = affine_forward(h, p["W%d" % L], p["b%d" % L])
        if y is None:
            return scores

        loss, dscores = softmax_loss(scores, y)
        grads = {}
        dh, grads["W%d" % L], grads["b%d" % L] = affine_backward(dscores, c_last)
        for k, (c_aff, c_bn, c_relu, c_drop) in zip(range(L - 1, self.num_conv, -1), reversed(fc_caches)):
            if c_drop is not None:
                dh = layers.dropout_backward(dh, c_drop)
            dh = relu_backward(dh, c_relu)
            if c_bn is not None:
                dh, grads["gamma%d" % k], grads["beta%d" % k] = layers.batchnorm_backward(dh, c_bn)
            dh, grads["W%d" % k], grads["b%d" % k] = affine_backward(dh, c_aff)
        for (op, k), c in zip(reversed(self.ops), reversed(caches)):
            if op == "pool":
                dh = max_pool_backward_fast(dh, c)
                continue
            c_conv, c_bn, c_relu = c
            dh = relu_backward(dh, c_relu)
            if c_bn is not None:
                dh, grads["gamma%d" % k], grads["beta%d" % k] = spatial_batchnorm_backward(dh, c_bn)
            # the first layer's input is the data: no gradient for it
            dh, grads["W%d" % k], grads["b%d" % k] = self._conv_backward(dh, c_conv, need_dx=k > 1)
            if k == 1:
                break  # nothing before the first conv has parameters
        loss = _regularize(loss, grads, p, ["W%d" % k for k in range(1, L + 1)], self.reg)
        return loss, grads


# ---- EECS 598 A3's static-method layer classes, as thin adapters over the CS231n functions --


def _layer(name, forward, backward, doc):
    return type(name, (), {"forward": staticmethod(forward), "backward": staticmethod(backward),
                           "__doc__": doc, "__module__": __name__})


Conv = _layer("Conv", layers.conv_forward_naive, layers.conv_backward_naive,
              "Conv.forward(x, w, b, conv_param) / Conv.backward(dout, cache): the naive "
              "convolution (layers.conv_forward_naive).")
MaxPool = _layer("MaxPool", layers.max_pool_forward_naive, layers.max_pool_backward_naive,
                 "MaxPool.forward(x, pool_param) / MaxPool.backward(dout, cache): naive max "
                 "pooling.")
FastConv = _layer("FastConv", conv_forward_fast, conv_backward_fast,
                  "FastConv.forward(x, w, b, conv_param) / FastConv.backward(dout, cache): "
                  "im2col + GEMM in C (EECS 598 wraps torch's conv2d here).")
FastMaxPool = _layer("FastMaxPool", max_pool_forward_fast, max_pool_backward_fast,
                     "FastMaxPool.forward(x, pool_param) / FastMaxPool.backward(dout, cache).")
SpatialBatchNorm = _layer("SpatialBatchNorm", spatial_batchnorm_forward,
                          spatial_batchnorm_backward,
                          "SpatialBatchNorm.forward(x, gamma, beta, bn_param) / "
                          ".backward(dout, cache) -> (dx, dgamma, dbeta).")
Conv_ReLU = _layer("Conv_ReLU", conv_relu_forward, conv_relu_backward,
                   "Conv_ReLU.forward(x, w, b, conv_param) / .backward(dout, cache).")
Conv_ReLU_Pool = _layer("Conv_ReLU_Pool", conv_relu_pool_forward, conv_relu_pool_backward,
                        "Conv_ReLU_Pool.forward(x, w, b, conv_param, pool_param) / "
                        ".backward(dout, cache).")
Conv_BatchNorm_ReLU = _layer("Conv_BatchNorm_ReLU", conv_bn_relu_forward, conv_bn_relu_backward,
                             "Conv_BatchNorm_ReLU.forward(x, w, b, gamma, beta, conv_param, "
                             "bn_param) / .backward(dout, cache) -> (dx, dw, db, dgamma, dbeta).")
Conv_BatchNorm_ReLU_Pool = _layer(
    "Conv_BatchNorm_ReLU_Pool", conv_bn_relu_pool_forward, conv_bn_relu_pool_backward,
    "Conv_BatchNorm_ReLU_Pool.forward(x, w, b, gamma, beta, conv_param, bn_param, pool_param) "
    "/ .backward(dout, cache) -> (dx, dw, db, dgamma, dbeta).")
