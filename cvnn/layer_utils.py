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


from .layers import (batchnorm_backward_alt, batchnorm_forward,  # noqa: E402
                     layernorm_backward, layernorm_forward)


def _affine_norm_relu_forward(norm_forward, x, w, b, gamma, beta, norm_param):
    a, fc_cache = affine_forward(x, w, b)
    an, norm_cache = norm_forward(a, gamma, beta, norm_param)
    out, relu_cache = relu_forward(an)
    return out, (fc_cache, norm_cache, relu_cache)


def _affine_norm_relu_backward(norm_backward, dout, cache):
    fc_cache, norm_cache, relu_cache = cache
    da, dgamma, dbeta = norm_backward(relu_backward(dout, relu_cache), norm_cache)
    dx, dw, db = affine_backward(da, fc_cache)
    return dx, dw, db, dgamma, dbeta


def affine_bn_relu_forward(x, w, b, gamma, beta, bn_param):
    """Convenience layer: affine transform, batch normalization, ReLU.

    Parameters
    ----------
    x : ndarray, shape (N, d_1, ..., d_k), input to the affine layer
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)
    gamma, beta : ndarray, shape (M,), batch normalization scale and shift
    bn_param : dict of batchnorm_forward ('mode' required; running averages written back)

    Returns
    -------
    out : ndarray, shape (N, M), output from the ReLU
    cache : tuple (fc_cache, bn_cache, relu_cache) to give to the backward pass
    """
    return _affine_norm_relu_forward(batchnorm_forward, x, w, b, gamma, beta, bn_param)


def affine_bn_relu_backward(dout, cache):
    """Backward pass for the affine-batchnorm-relu convenience layer (batch norm through
    batchnorm_backward_alt).

    Parameters
    ----------
    dout : ndarray, shape (N, M), upstream derivatives
    cache : tuple from affine_bn_relu_forward

    Returns
    -------
    dx, dw, db, dgamma, dbeta : gradients with the shapes of x, w, b, gamma and beta
    """
    return _affine_norm_relu_backward(batchnorm_backward_alt, dout, cache)


def affine_ln_relu_forward(x, w, b, gamma, beta, ln_param):
    """Convenience layer: affine transform, layer normalization, ReLU.

    Parameters
    ----------
    x : ndarray, shape (N, d_1, ..., d_k), input to the affine layer
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)
    gamma, beta : ndarray, shape (M,), layer normalization scale and shift
    ln_param : dict of layernorm_forward ('eps', default 1e-5)

    Returns
    -------
    out : ndarray, shape (N, M), output from the ReLU
    cache : tuple (fc_cache, ln_cache, relu_cache) to give to the backward pass
    """
    return _affine_norm_relu_forward(layernorm_forward, x, w, b, gamma, beta, ln_param)


def affine_ln_relu_backward(dout, cache):
    """Backward pass for the affine-layernorm-relu convenience layer.

    Parameters
    ----------
    dout : ndarray, shape (N, M), upstream derivatives
    cache : tuple from affine_ln_relu_forward

    Returns
    -------
    dx, dw, db, dgamma, dbeta : gradients with the shapes of x, w, b, gamma and beta
    """
    return _affine_norm_relu_backward(layernorm_backward, dout, cache)


# Names students use for the same sandwiches (API.md section 8): AKSoo 2017 and jind11 (whose
# affine_norm_relu takes the same arguments in the same order: x, w, b, gamma, beta, bn_param).
affine_batchnorm_relu_forward = affine_bn_relu_forward
affine_batchnorm_relu_backward = affine_bn_relu_backward
affine_norm_relu_forward = affine_bn_relu_forward
affine_norm_relu_backward = affine_bn_relu_backward
affine_layernorm_relu_forward = affine_ln_relu_forward
affine_layernorm_relu_backward = affine_ln_relu_backward
