"""Sandwich layers: common layer sequences as one forward/backward pair (CS231n names)."""
from .layers import affine_backward, affine_forward, relu_backward, relu_forward


def affine_relu_forward(x, w, b):
    """Convenience layer that performs an affine transform followed by a ReLU.

    Parameters
    ----------
    x : ndarray, shape (N, d_1, ..., d_k), input to the affine layer
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, M), output from the ReLU
    cache : tuple (fc_cache, relu_cache) to give to the backward pass
    """
    a, fc_cache = affine_forward(x, w, b)
    out, relu_cache = relu_forward(a)
    return out, (fc_cache, relu_cache)


def affine_relu_backward(dout, cache):
    """Backward pass for the affine-relu convenience layer.

    Returns
    -------
    dx, dw, db : gradients with the shapes of x, w and b
    """
    fc_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return affine_backward(da, fc_cache)
