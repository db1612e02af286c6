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


# ---- convolutional sandwiches (all on the fast convolution and pooling) ---------------------
from .fast_layers import (conv_backward_fast, conv_forward_fast,  # noqa: E402
                          max_pool_backward_fast, max_pool_forward_fast)
from .layers import (spatial_batchnorm_backward, spatial_batchnorm_forward,  # noqa: E402
                     spatial_groupnorm_backward, spatial_groupnorm_forward)


def conv_relu_forward(x, w, b, conv_param):
    """A convenience layer that performs a convolution followed by a ReLU.

    Parameters
    ----------
    x : ndarray, shape (N, C, H, W), input to the convolutional layer
    w : ndarray, shape (F, C, HH, WW), b : ndarray, shape (F,)
    conv_param : dict with 'stride' and 'pad'

    Returns
    -------
    out : ndarray, shape (N, F, H', W'), output from the ReLU
    cache : tuple (conv_cache, relu_cache) to give to the backward pass
    """
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    out, relu_cache = relu_forward(a)
    return out, (conv_cache, relu_cache)


def conv_relu_backward(dout, cache, need_dx=True):
    """Backward pass for the conv-relu convenience layer.

    need_dx=False (keyword; every conv sandwich takes it) skips dx and returns None for it, as
    conv_backward_fast does: for a first layer.

    Returns
    -------
    dx, dw, db : gradients with the shapes of x, w and b
    """
    conv_cache, relu_cache = cache
    da = relu_backward(dout, relu_cache)
    return conv_backward_fast(da, conv_cache, need_dx=need_dx)


def _conv_norm_relu(x, w, b, conv_param, norm_forward):
    """conv - norm - relu, with norm_forward(a) -> (out, cache) the normalisation"""
    a, conv_cache = conv_forward_fast(x, w, b, conv_param)
    an, norm_cache = norm_forward(a)
    out, relu_cache = relu_forward(an)
    return out, (conv_cache, norm_cache, relu_cache)


def _conv_norm_relu_backward(dout, cache, norm_backward, need_dx=True):
    conv_cache, norm_cache, relu_cache = cache
    dan = relu_backward(dout, relu_cache)
    da, dgamma, dbeta = norm_backward(dan, norm_cache)
    dx, dw, db = conv_backward_fast(da, conv_cache, need_dx=need_dx)
    return dx, dw, db, dgamma, dbeta


def conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param):
    """Convolution, spatial batch normalization, ReLU.

    Parameters
    ----------
    x, w, b, conv_param : as for conv_relu_forward
    gamma, beta : ndarray, shape (F,), the batch norm's scale and shift
    bn_param : dict for spatial_batchnorm_forward ('mode' required)

    Returns
    -------
    out : ndarray, shape (N, F, H', W')
    cache : tuple (conv_cache, bn_cache, relu_cache)
    """
    return _conv_norm_relu(x, w, b, conv_param,
                           lambda a: spatial_batchnorm_forward(a, gamma, beta, bn_param))


def conv_bn_relu_backward(dout, cache, need_dx=True):
    """Backward pass for conv_bn_relu_forward.

    Returns
    -------
    dx, dw, db, dgamma, dbeta : gradients with the shapes of x, w, b, gamma and beta
    """
    return _conv_norm_relu_backward(dout, cache, spatial_batchnorm_backward, need_dx)


def conv_relu_pool_forward(x, w, b, conv_param, pool_param):
    """Convenience layer that performs a convolution, a ReLU, and a pool.

    Parameters
    ----------
    x, w, b, conv_param : as for conv_relu_forward
    pool_param : dict with 'pool_height', 'pool_width' and 'stride'

    Returns
    -------
    out : ndarray, output from the pooling layer
    cache : tuple (conv_cache, relu_cache, pool_cache) to give to the backward pass
    """
    s, conv_relu_cache = conv_relu_forward(x, w, b, conv_param)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, conv_relu_cache + (pool_cache,)


def conv_relu_pool_backward(dout, cache, need_dx=True):
    """Backward pass for the conv-relu-pool convenience layer.

    Returns
    -------
    dx, dw, db : gradients with the shapes of x, w and b
    """
    ds = max_pool_backward_fast(dout, cache[-1])
    return conv_relu_backward(ds, cache[:-1], need_dx)


def conv_bn_relu_pool_forward(x, w, b, gamma, beta, conv_param, bn_param, pool_param):
    """Convolution, spatial batch normalization, ReLU, max pooling (EECS 598's argument order).

    Returns
    -------
    out : ndarray, output from the pooling layer
    cache : tuple (conv_cache, bn_cache, relu_cache, pool_cache)
    """
    s, conv_bn_relu_cache = conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)
    out, pool_cache = max_pool_forward_fast(s, pool_param)
    return out, conv_bn_relu_cache + (pool_cache,)


def conv_bn_relu_pool_backward(dout, cache, need_dx=True):
    """Backward pass for conv_bn_relu_pool_forward.

    Returns
    -------
    dx, dw, db, dgamma, dbeta : gradients with the shapes of x, w, b, gamma and beta
    """
    ds = max_pool_backward_fast(dout, cache[-1])
    return conv_bn_relu_backward(ds, cache[:-1], need_dx)


def conv_gn_relu_forward(x, w, b, gamma, beta, conv_param, G, gn_param):
    """Convolution, spatial group normalization with G groups, ReLU.

    Parameters
    ----------
    gamma, beta : ndarray, shape (1, F, 1, 1), the group norm's scale and shift
    G : int dividing F; gn_param : dict with 'eps' (default 1e-5)

    Returns
    -------
    out : ndarray, shape (N, F, H', W')
    cache : tuple (conv_cache, gn_cache, relu_cache)
    """
    return _conv_norm_relu(x, w, b, conv_param,
                           lambda a: spatial_groupnorm_forward(a, gamma, beta, G, gn_param))


def conv_gn_relu_backward(dout, cache, need_dx=True):
    """Backward pass for conv_gn_relu_forward.

    Returns
    -------
    dx, dw, db, dgamma, dbeta : gradients with the shapes of x, w, b, gamma and beta
    """
    return _conv_norm_relu_backward(dout, cache, spatial_groupnorm_backward, need_dx)


def conv_norm_relu_forward(x, w, b, conv_param, gamma, beta, bn_param):
    """conv_bn_relu_forward with the seed project's (jind11) argument order."""
    return conv_bn_relu_forward(x, w, b, gamma, beta, conv_param, bn_param)


def conv_norm_relu_backward(dout, cache):
    """Backward pass for conv_norm_relu_forward: (dx, dw, db, dgamma, dbeta)."""
    return conv_bn_relu_backward(dout, cache)


def conv_norm_relu_pool_forward(x, w, b, conv_param, pool_param, gamma, beta, bn_param):
    """conv_bn_relu_pool_forward with the seed project's (jind11) argument order."""
    return conv_bn_relu_pool_forward(x, w, b, gamma, beta, conv_param, bn_param, pool_param)


def conv_norm_relu_pool_backward(dout, cache):
    """Backward pass for conv_norm_relu_pool_forward: (dx, dw, db, dgamma, dbeta)."""
    return conv_bn_relu_pool_backward(dout, cache)
