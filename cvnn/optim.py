"""First-order update rules (CS231n ``optim.py``), the arithmetic done by C kernels.

Every rule has the interface::

    next_w, config = update(w, dw, config=None)

Parameters
----------
w : ndarray, float32 or float64, any shape: the current weights
dw : ndarray, same shape as w: the gradient of the loss with respect to w
config : dict or None: hyperparameters (learning rate, momentum, ...) and, for rules with
    memory, the optimizer state (``velocity``, ``cache``, ``m``, ``v``, ``t``). Missing
    hyperparameters get CS231n's defaults; missing state starts at zeros of w's shape.

Returns
-------
next_w : ndarray, w's shape and dtype: the updated weights (a new array; w is not changed)
config : the same dict, holding the state to pass to the next call

State arrays are kept in w's dtype and C order and are updated in place from one call to the
next (a state array of another dtype or layout is converted once and replaced in config).
"""
import numpy as np

from . import _C

__all__ = ["sgd", "sgd_momentum", "rmsprop", "adam"]


def _weights(w, fn):
    w = np.asarray(w)
    if w.dtype not in (np.float32, np.float64):
        raise TypeError("%s: w must be float32 or float64, got %s" % (fn, w.dtype))
    return w


def _state(config, key, w, fn):
    """config[key] as a C-contiguous writeable array of w's dtype and shape (zeros if absent);
    stored back into config, so the C kernel's in-place update is what the caller sees."""
    s = config.get(key)
    if s is None:
        s = np.zeros(w.shape, dtype=w.dtype)
    else:
        s = np.asarray(s)
        if s.shape != w.shape:
            raise ValueError("%s: config['%s'] has shape %s but w has shape %s"
                             % (fn, key, s.shape, w.shape))
        if (s.dtype != w.dtype or not s.flags.c_contiguous or not s.flags.writeable
                or not s.flags.aligned or np.may_share_memory(s, w)):
            s = np.array(s, dtype=w.dtype, order="C", copy=True)
    config[key] = s
    return s


def sgd(w, dw, config=None):
    """Vanilla stochastic gradient descent: ``next_w = w - learning_rate * dw``.

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    w = _weights(w, "sgd")
    return _C.optim_sgd(w, dw, float(config["learning_rate"])), config


def sgd_momentum(w, dw, config=None):
    """Stochastic gradient descent with momentum::

        v = momentum * v - learning_rate * dw
        next_w = w + v

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    - momentum: scalar between 0 and 1 giving the momentum value (default 0.9);
      momentum = 0 reduces to sgd.
    - velocity: ndarray of w's shape holding a moving average of the gradients (zeros at
      first).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("momentum", 0.9)
    w = _weights(w, "sgd_momentum")
    v = _state(config, "velocity", w, "sgd_momentum")
    next_w = _C.optim_sgd_momentum(w, dw, v, float(config["learning_rate"]),
                                   float(config["momentum"]))
    return next_w, config


def rmsprop(w, dw, config=None):
    """RMSProp: a moving average of squared gradients sets per-parameter learning rates::

        cache = decay_rate * cache + (1 - decay_rate) * dw**2
        next_w = w - learning_rate * dw / (sqrt(cache) + epsilon)

    config format:
    - learning_rate: scalar learning rate (default 1e-2).
    - decay_rate: scalar between 0 and 1, the decay rate of the squared gradient cache
      (default 0.99).
    - epsilon: small scalar avoiding division by zero (default 1e-8).
    - cache: moving average of second moments of the gradients (zeros at first).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-2)
    config.setdefault("decay_rate", 0.99)
    config.setdefault("epsilon", 1e-8)
    w = _weights(w, "rmsprop")
    cache = _state(config, "cache", w, "rmsprop")
    next_w = _C.optim_rmsprop(w, dw, cache, float(config["learning_rate"]),
                              float(config["decay_rate"]), float(config["epsilon"]))
    return next_w, config


def adam(w, dw, config=None):
    """Adam: moving averages of the gradient and its square, with bias correction::

        t = t + 1                                   (incremented before use)
        m = beta1 * m + (1 - beta1) * dw
        v = beta2 * v + (1 - beta2) * dw**2
        next_w = w - learning_rate * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + epsilon)

    config format:
    - learning_rate: scalar learning rate (default 1e-3).
    - beta1: decay rate for the moving average of the first moment (default 0.9).
    - beta2: decay rate for the moving average of the second moment (default 0.999).
    - epsilon: small scalar avoiding division by zero (default 1e-8).
    - m: moving average of the gradient (zeros at first).
    - v: moving average of the squared gradient (zeros at first).
    - t: iteration number (0 at first).
    """
    if config is None:
        config = {}
    config.setdefault("learning_rate", 1e-3)
    config.setdefault("beta1", 0.9)
    config.setdefault("beta2", 0.999)
    config.setdefault("epsilon", 1e-8)
    config.setdefault("t", 0)
    w = _weights(w, "adam")
    m = _state(config, "m", w, "adam")
    v = _state(config, "v", w, "adam")
    if v is m:  # the same array passed as both: give v its own copy
        v = config["v"] = m.copy()
    t = int(config["t"]) + 1
    next_w = _C.optim_adam(w, dw, m, v, float(config["learning_rate"]), float(config["beta1"]),
                           float(config["beta2"]), float(config["epsilon"]), t)
    config["t"] = t
    return next_w, config
