"""The CS231n layer set. Each function checks its Python-level arguments, calls a C kernel in
``cvnn._C`` and builds the cache; caches are tuples that only go back to their own backward.

Every function accepts float32 and float64 inputs (the dtype of the main input decides) and
labels of any integer dtype.
"""
import numpy as np

from . import _C


def affine_forward(x, w, b):
    """Computes the forward pass for an affine (fully connected) layer.

    The input x has shape (N, d_1, ..., d_k) and contains a minibatch of N examples, where
    each example x[i] has shape (d_1, ..., d_k). It is reshaped into a vector of dimension
    D = d_1 * ... * d_k, and then transformed to an output vector of dimension M.

    Parameters
    ----------
    x : ndarray, shape (N, d_1, ..., d_k)
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, M)
    cache : tuple (x, w, b)
    """
    out = _C.affine_forward(x, w, b)
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Computes the backward pass for an affine layer.

    Parameters
    ----------
    dout : ndarray, shape (N, M), upstream derivative
    cache : tuple (x, w, b) from affine_forward

    Returns
    -------
    dx : ndarray, shape (N, d_1, ..., d_k), gradient with respect to x
    dw : ndarray, shape (D, M), gradient with respect to w
    db : ndarray, shape (M,), gradient with respect to b
    """
    x, w, b = cache
    return _C.affine_backward(dout, x, w)


def relu_forward(x):
    """Computes the forward pass for a layer of rectified linear units (ReLUs).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray, same shape as x
    cache : x
    """
    return _C.relu_forward(x), x


def relu_backward(dout, cache):
    """Computes the backward pass for a layer of ReLUs.

    Parameters
    ----------
    dout : ndarray of any shape, upstream derivatives
    cache : x, the input of relu_forward, same shape as dout

    Returns
    -------
    dx : ndarray, gradient with respect to x
    """
    return _C.relu_backward(dout, cache)


def svm_loss(x, y):
    """Computes the loss and gradient for multiclass SVM classification.

    Parameters
    ----------
    x : ndarray, shape (N, C), where x[i, j] is the score for the jth class of the ith input
    y : ndarray, shape (N,), labels, where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns
    -------
    loss : float
    dx : ndarray, shape (N, C), gradient of the loss with respect to x
    """
    return _C.svm_loss(x, y)


def softmax_loss(x, y):
    """Computes the loss and gradient for softmax classification.

    Parameters
    ----------
    x : ndarray, shape (N, C), where x[i, j] is the score for the jth class of the ith input
    y : ndarray, shape (N,), labels, where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns
    -------
    loss : float
    dx : ndarray, shape (N, C), gradient of the loss with respect to x
    """
    return _C.softmax_loss(x, y)


def _check_float(x, fn, name="x"):
    """The main input's dtype must be float32 or float64, as the C entry points demand; used
    where a layer returns before reaching C (test-mode dropout)."""
    dt = np.asarray(x).dtype
    if dt not in (np.float32, np.float64):
        raise TypeError("%s: %s must be float32 or float64, got %s" % (fn, name, dt))


def _check_eps(eps, fn):
    eps = float(eps)
    if not eps >= 0.0 or eps == np.inf:
        raise ValueError("%s: eps must be a finite number >= 0, got %r" % (fn, eps))
    return eps


def batchnorm_forward(x, gamma, beta, bn_param):
    """Forward pass for batch normalization.

    During training the sample mean and (uncorrected, biased) sample variance are computed
    from minibatch statistics and used to normalize the incoming data. During training we also
    keep an exponentially decaying running mean of the mean and variance of each feature, and
    these averages are used to normalize data at test time:

        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var

    The running averages start as zeros of shape (D,) in x's dtype, and the updated ones are
    written back into bn_param (as new arrays) on every call.

    Parameters
    ----------
    x : ndarray, shape (N, D), float32 or float64
    gamma : ndarray, shape (D,), scale parameter
    beta : ndarray, shape (D,), shift parameter
    bn_param : dict with the keys
        - mode: 'train' or 'test'; required (KeyError when missing)
        - eps: constant for numeric stability (default 1e-5)
        - momentum: constant for the running mean / variance (default 0.9)
        - running_mean: ndarray, shape (D,), running mean of the features
        - running_var: ndarray, shape (D,), running variance of the features

    Returns
    -------
    out : ndarray, shape (N, D), x's dtype
    cache : tuple (x, gamma, beta, mean, istd, mode) for the backward pass, where mean and
        istd = 1 / sqrt(var + eps) are float64 arrays of shape (D,): the batch's statistics in
        train mode, the running ones in test mode.

    Raises
    ------
    KeyError if bn_param has no 'mode'; ValueError for another mode, for shapes that do not
    match (naming both sizes), for eps < 0, and for an empty batch in train mode (the batch
    statistics are undefined); TypeError for a non-float x.
    """
    mode = bn_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError('Invalid forward batchnorm mode "%s"' % mode)
    eps = _check_eps(bn_param.get("eps", 1e-5), "batchnorm_forward")
    momentum = float(bn_param.get("momentum", 0.9))
    xa = np.asarray(x)
    D = xa.shape[1] if xa.ndim == 2 else 0
    running_mean = bn_param.get("running_mean")
    running_var = bn_param.get("running_var")
    if running_mean is None:
        running_mean = np.zeros(D, dtype=xa.dtype)
    if running_var is None:
        running_var = np.zeros(D, dtype=xa.dtype)
    out, mean, istd, new_mean, new_var = _C.batchnorm_forward(
        x, gamma, beta, running_mean, running_var, mode == "train", eps, momentum)
    if mode == "train":
        running_mean, running_var = new_mean, new_var
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, (x, gamma, beta, mean, istd, mode)


def batchnorm_backward(dout, cache):
    """Backward pass for batch normalization, following the computation graph of the forward
    pass node by node (xmu, var, sqrtvar, ivar, xhat; see csrc/kernels/norm.inc).

    Parameters
    ----------
    dout : ndarray, shape (N, D), upstream derivatives
    cache : tuple from batchnorm_forward

    Returns
    -------
    dx : ndarray, shape (N, D), gradient with respect to x
    dgamma : ndarray, shape (D,), gradient with respect to gamma
    dbeta : ndarray, shape (D,), gradient with respect to beta

    In test mode the statistics were constants, so dx = dout * gamma / sqrt(running_var + eps).
    """
    x, gamma, _, mean, istd, mode = cache
    return _C.batchnorm_backward(dout, x, gamma, mean, istd, mode == "train", False)


def batchnorm_backward_alt(dout, cache):
    """Alternative backward pass for batch normalization: the same gradients as
    batchnorm_backward from the simplified closed form

        dx = gamma * istd / N * (N * dout - sum(dout) - xhat * sum(dout * xhat))

    with sums over the batch. Inputs and outputs are those of batchnorm_backward.
    """
    x, gamma, _, mean, istd, mode = cache
    return _C.batchnorm_backward(dout, x, gamma, mean, istd, mode == "train", True)


def layernorm_forward(x, gamma, beta, ln_param):
    """Forward pass for layer normalization.

    Each data point is normalized over its D features (mean and biased variance per sample),
    then scaled by gamma and shifted by beta, as in batch normalization. Train and test time
    behave the same, so no running averages are kept.

    Parameters
    ----------
    x : ndarray, shape (N, D), float32 or float64
    gamma : ndarray, shape (D,), scale parameter
    beta : ndarray, shape (D,), shift parameter
    ln_param : dict with the key
        - eps: constant for numeric stability (default 1e-5)

    Returns
    -------
    out : ndarray, shape (N, D), x's dtype
    cache : tuple (x, gamma, beta, mean, istd) where mean and istd = 1 / sqrt(var + eps) are
        float64 arrays of shape (N,), one per sample
    """
    eps = _check_eps(ln_param.get("eps", 1e-5), "layernorm_forward")
    out, mean, istd = _C.layernorm_forward(x, gamma, beta, eps)
    return out, (x, gamma, beta, mean, istd)


def layernorm_backward(dout, cache):
    """Backward pass for layer normalization.

    Parameters
    ----------
    dout : ndarray, shape (N, D), upstream derivatives
    cache : tuple from layernorm_forward

    Returns
    -------
    dx : ndarray, shape (N, D), gradient with respect to x
    dgamma : ndarray, shape (D,), gradient with respect to gamma
    dbeta : ndarray, shape (D,), gradient with respect to beta
    """
    x, gamma, _, mean, istd = cache
    return _C.layernorm_backward(dout, x, gamma, mean, istd)


def dropout_forward(x, dropout_param):
    """Forward pass for inverted dropout.

    Note that p is the probability of KEEPING a neuron output (CS231n 2018 and later). In train
    mode each element is kept with probability p and the kept ones are scaled by 1/p, so the
    expected output equals x and test time needs no rescaling.

    Parameters
    ----------
    x : ndarray of any shape, float32 or float64
    dropout_param : dict with the keys
        - p: dropout parameter; each neuron output is kept with probability p, 0 < p <= 1
        - mode: 'test' or 'train'; in test mode the input is returned unchanged
        - seed: seed for NumPy's global random generator (optional). With it the call does
          np.random.seed(seed), and in train mode the mask is built from
          np.random.rand(*x.shape), so results are reproducible and equal CS231n's.

    Returns
    -------
    out : ndarray, same shape and dtype as x (x itself in test mode)
    cache : tuple (dropout_param, mask); mask (x's shape and dtype, values 0 or 1/p) is the
        dropout mask in train mode and None in test mode
    """
    p, mode = dropout_param["p"], dropout_param["mode"]
    if isinstance(p, (bool, np.bool_)) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError("dropout_forward: p must be a number, got %s" % type(p).__name__)
    if not 0.0 < float(p) <= 1.0:
        raise ValueError("dropout_forward: p (keep probability) must be in (0, 1], got %r" % p)
    if mode not in ("train", "test"):
        raise ValueError('Invalid forward dropout mode "%s"' % mode)
    _check_float(x, "dropout_forward")
    if "seed" in dropout_param:
        np.random.seed(dropout_param["seed"])
    if mode == "train":
        u = np.random.rand(*np.shape(x))
        out, mask = _C.dropout_forward(x, u, float(p))
    else:
        out, mask = x, None
    return out, (dropout_param, mask)


def dropout_backward(dout, cache):
    """Backward pass for inverted dropout.

    Parameters
    ----------
    dout : ndarray of any shape, upstream derivatives
    cache : tuple (dropout_param, mask) from dropout_forward

    Returns
    -------
    dx : ndarray, dout's shape: dout * mask in train mode, dout itself in test mode
    """
    _, mask = cache
    if mask is None:
        return dout
    return _C.dropout_backward(dout, mask)


# ---- convolution, max pooling and the spatial norms (NCHW) ----------------------------------


def _conv_args(conv_param):
    return conv_param["stride"], conv_param["pad"]


def _pool_args(pool_param):
    return pool_param["pool_height"], pool_param["pool_width"], pool_param["stride"]


def conv_forward_naive(x, w, b, conv_param):
    """A naive implementation of the forward pass for a convolutional layer: the direct loops,
    in C (cvnn.fast_layers.conv_forward_fast is the im2col + GEMM version).

    The input consists of N data points, each with C channels, height H and width W. We
    convolve each input with F different filters, where each filter spans all C channels and
    has height HH and width WW. The input is zero-padded by 'pad' pixels on every side; x is
    not modified.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input data
    w : ndarray, shape (F, C, HH, WW), filter weights
    b : ndarray, shape (F,), biases
    conv_param : dict with 'stride' (int >= 1, the step between receptive fields in both
        directions) and 'pad' (int >= 0, the zero padding on each side)

    Returns
    -------
    out : ndarray, shape (N, F, H', W'), with H' = 1 + (H + 2 * pad - HH) // stride and
        W' = 1 + (W + 2 * pad - WW) // stride (rows and columns that no window reaches are
        skipped, as PyTorch does)
    cache : tuple (x, w, b, conv_param)

    Raises
    ------
    ValueError if the kernel is larger than the padded input, stride < 1, pad < 0, or the
    channels of x and w differ.
    """
    stride, pad = _conv_args(conv_param)
    out = _C.conv_forward_naive(x, w, b, stride, pad, "conv_forward_naive")
    return out, (x, w, b, conv_param)


def conv_backward_naive(dout, cache):
    """A naive implementation of the backward pass for a convolutional layer (direct loops).

    Parameters
    ----------
    dout : ndarray, shape (N, F, H', W'), upstream derivatives
    cache : tuple (x, w, b, conv_param) as given by conv_forward_naive

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), gradient with respect to x
    dw : ndarray, shape (F, C, HH, WW), gradient with respect to w
    db : ndarray, shape (F,), gradient with respect to b
    """
    x, w, b, conv_param = cache
    stride, pad = _conv_args(conv_param)
    return _C.conv_backward_naive(dout, x, w, stride, pad, "conv_backward_naive")


def max_pool_forward_naive(x, pool_param):
    """A naive implementation of the forward pass for a max-pooling layer.

    No padding. Each window's output is its maximum (a NaN in the window wins, as in PyTorch).

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input data
    pool_param : dict with 'pool_height', 'pool_width' (the window) and 'stride' (the step
        between adjacent windows), each an int >= 1

    Returns
    -------
    out : ndarray, shape (N, C, H', W'), with H' = 1 + (H - pool_height) // stride and
        W' = 1 + (W - pool_width) // stride
    cache : tuple (x, pool_param)

    Raises
    ------
    ValueError if the window is larger than the input or a parameter is < 1.
    """
    ph, pw, stride = _pool_args(pool_param)
    out = _C.max_pool_forward(x, ph, pw, stride, False, "max_pool_forward_naive")
    return out, (x, pool_param)


def max_pool_backward_naive(dout, cache):
    """A naive implementation of the backward pass for a max-pooling layer.

    Each window passes its gradient to its maximum (the first one in row-major order on ties);
    where windows overlap, an element that is the maximum of several receives the sum.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H', W'), upstream derivatives
    cache : tuple (x, pool_param) as in the forward pass

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), gradient with respect to x
    """
    x, pool_param = cache
    ph, pw, stride = _pool_args(pool_param)
    return _C.max_pool_backward(dout, x, ph, pw, stride, None, None, "max_pool_backward_naive")


def spatial_batchnorm_forward(x, gamma, beta, bn_param):
    """Computes the forward pass for spatial batch normalization, directly on NCHW.

    Each channel is normalised over the N*H*W values it has in the batch (train mode) or with
    the running statistics (test mode), then scaled by gamma and shifted by beta.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input data
    gamma : ndarray, shape (C,), scale parameter
    beta : ndarray, shape (C,), shift parameter
    bn_param : dict with keys
        - mode: 'train' or 'test'; required
        - eps: constant for numeric stability (default 1e-5)
        - momentum: constant for the running mean / variance (default 0.9)
        - running_mean: ndarray, shape (C,), running mean of the features (created as zeros)
        - running_var: ndarray, shape (C,), running (biased) variance (created as zeros)
        In train mode the running statistics are updated as
        running = momentum * running + (1 - momentum) * batch statistic, and written back.

    Returns
    -------
    out : ndarray, shape (N, C, H, W), output data
    cache : tuple (x, gamma, beta, mean, var, eps, train) for the backward pass
    """
    mode = bn_param["mode"]
    if mode not in ("train", "test"):
        raise ValueError('spatial_batchnorm_forward: invalid batchnorm mode "%s"' % (mode,))
    eps = bn_param.get("eps", 1e-5)
    momentum = bn_param.get("momentum", 0.9)
    x_arr = np.asarray(x)
    if x_arr.ndim != 4:
        raise ValueError("spatial_batchnorm_forward: x must be 4-D (N, C, H, W), got %d-D"
                         % x_arr.ndim)
    C = x_arr.shape[1]
    dt = x_arr.dtype if x_arr.dtype in (np.float32, np.float64) else np.float64
    running_mean = bn_param.get("running_mean", np.zeros(C, dtype=dt))
    running_var = bn_param.get("running_var", np.zeros(C, dtype=dt))
    if mode == "train":
        out, mean, var = _C.spatial_batchnorm_forward(x, gamma, beta, None, None, eps)
        running_mean = momentum * running_mean + (1 - momentum) * mean
        running_var = momentum * running_var + (1 - momentum) * var
    else:
        out, mean, var = _C.spatial_batchnorm_forward(x, gamma, beta, running_mean,
                                                      running_var, eps)
    bn_param["running_mean"] = running_mean
    bn_param["running_var"] = running_var
    return out, (x, gamma, beta, mean, var, eps, mode == "train")


def spatial_batchnorm_backward(dout, cache):
    """Computes the backward pass for spatial batch normalization.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W), upstream derivatives
    cache : values from the forward pass

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), gradient with respect to the inputs
    dgamma : ndarray, gamma's shape ((C,)), gradient with respect to the scale parameter
    dbeta : ndarray, beta's shape ((C,)), gradient with respect to the shift parameter
    """
    x, gamma, beta, mean, var, eps, train = cache
    dx, dgamma, dbeta = _C.spatial_norm_backward(dout, x, gamma, mean, var, eps, 0, train)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(np.shape(beta))


def spatial_groupnorm_forward(x, gamma, beta, G, gn_param):
    """Computes the forward pass for spatial group normalization.

    In contrast to layer normalization, group normalization splits each entry in the data into
    G contiguous pieces of C // G channels, which it then normalizes independently (the same
    in train and test). Per-channel scaling and shifting follow.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input data
    gamma : ndarray, shape (1, C, 1, 1), scale parameter
    beta : ndarray, shape (1, C, 1, 1), shift parameter
    G : int, number of groups to split into; must divide C
    gn_param : dict with 'eps' (default 1e-5), the constant for numeric stability

    Returns
    -------
    out : ndarray, shape (N, C, H, W)
    cache : tuple (x, gamma, beta, G, mean, var, eps) for the backward pass; mean and var
        have shape (N, G)
    """
    eps = gn_param.get("eps", 1e-5)
    out, mean, var = _C.spatial_groupnorm_forward(x, gamma, beta, G, eps)
    return out, (x, gamma, beta, G, mean, var, eps)


def spatial_groupnorm_backward(dout, cache):
    """Computes the backward pass for spatial group normalization.

    Parameters
    ----------
    dout : ndarray, shape (N, C, H, W), upstream derivatives
    cache : values from the forward pass

    Returns
    -------
    dx : ndarray, shape (N, C, H, W), gradient with respect to the inputs
    dgamma : ndarray, gamma's shape ((1, C, 1, 1)), gradient with respect to the scale
    dbeta : ndarray, beta's shape ((1, C, 1, 1)), gradient with respect to the shift
    """
    x, gamma, beta, G, mean, var, eps = cache
    dx, dgamma, dbeta = _C.spatial_norm_backward(dout, x, gamma, mean, var, eps, G, True)
    return dx, dgamma.reshape(np.shape(gamma)), dbeta.reshape(np.shape(beta))
