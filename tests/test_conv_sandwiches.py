"""Conv sandwich layers (layer_utils): numerical gradients of every input, agreement with the
layers composed by hand, and the seed project's argument orders."""
import numpy as np
import pytest

from cvnn.fast_layers import conv_forward_fast, max_pool_forward_fast
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layer_utils import (conv_bn_relu_backward, conv_bn_relu_forward,
                              conv_bn_relu_pool_backward, conv_bn_relu_pool_forward,
                              conv_gn_relu_backward, conv_gn_relu_forward,
                              conv_norm_relu_backward, conv_norm_relu_forward,
                              conv_norm_relu_pool_backward, conv_norm_relu_pool_forward,
                              conv_relu_backward, conv_relu_forward, conv_relu_pool_backward,
                              conv_relu_pool_forward)
from cvnn.layers import relu_forward, spatial_batchnorm_forward

CONV = {"stride": 1, "pad": 1}
POOL = {"pool_height": 2, "pool_width": 2, "stride": 2}


def _check(fwd, bwd, inputs, rng, tol=1e-8):
    """Numerical gradient of every input of fwd(*inputs) against bwd (the notebook: ~1e-10)."""
    out, cache = fwd(*inputs)
    dout = rng.standard_normal(out.shape)
    grads = bwd(dout, cache)
    assert len(grads) == len(inputs)
    for i, (a, g) in enumerate(zip(inputs, grads)):
        assert g.shape == np.shape(a)

        def f(v, i=i):
            args = list(inputs)
            args[i] = v
            return fwd(*args)[0]
        num = eval_numerical_gradient_array(f, np.array(a, dtype=np.float64), dout)
        assert rel_error(g, num) < tol, i


def _data(rng, N=2, C=3, H=8, W=8, F=3, k=3):
    x = rng.standard_normal((N, C, H, W))
    w = rng.standard_normal((F, C, k, k))
    b = rng.standard_normal(F)
    return x, w, b


def test_conv_relu(rng):
    x, w, b = _data(rng)
    out, _ = conv_relu_forward(x, w, b, CONV)
    assert np.array_equal(out, relu_forward(conv_forward_fast(x, w, b, CONV)[0])[0])
    _check(lambda x, w, b: conv_relu_forward(x, w, b, CONV), conv_relu_backward, (x, w, b), rng)


def test_conv_relu_pool(rng):
    x, w, b = _data(rng)
    out, _ = conv_relu_pool_forward(x, w, b, CONV, POOL)
    want = max_pool_forward_fast(relu_forward(conv_forward_fast(x, w, b, CONV)[0])[0], POOL)[0]
    assert np.array_equal(out, want)
    _check(lambda x, w, b: conv_relu_pool_forward(x, w, b, CONV, POOL), conv_relu_pool_backward,
           (x, w, b), rng)
    # a pool that does not tile (the im2col path) and a strided convolution
    p2 = {"pool_height": 3, "pool_width": 2, "stride": 2}
    c2 = {"stride": 2, "pad": 2}
    _check(lambda x, w, b: conv_relu_pool_forward(x, w, b, c2, p2), conv_relu_pool_backward,
           (x, w, b), rng)


def test_conv_bn_relu(rng):
    x, w, b = _data(rng)
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)
    bn = {"mode": "train"}
    out, _ = conv_bn_relu_forward(x, w, b, gamma, beta, CONV, bn)
    a = conv_forward_fast(x, w, b, CONV)[0]
    assert np.array_equal(out, relu_forward(spatial_batchnorm_forward(a, gamma, beta, {"mode": "train"})[0])[0])
    assert bn["running_mean"].shape == (3,)

    def fwd(x, w, b, g, be):
        return conv_bn_relu_forward(x, w, b, g, be, CONV, {"mode": "train"})
    # db: the batch norm removes b's effect, the gradient is 0 up to rounding; checked apart
    out, cache = fwd(x, w, b, gamma, beta)
    dout = rng.standard_normal(out.shape)
    dx, dw, db, dgamma, dbeta = conv_bn_relu_backward(dout, cache)
    assert np.max(np.abs(db)) < 1e-12
    _check(lambda x, w, g, be: fwd(x, w, b, g, be),
           lambda d, c: tuple(g for i, g in enumerate(conv_bn_relu_backward(d, c)) if i != 2),
           (x, w, gamma, beta), rng, tol=1e-7)


def test_conv_bn_relu_pool_and_seed_orders(rng):
    x, w, b = _data(rng)
    gamma, beta = rng.standard_normal(3), rng.standard_normal(3)

    def fwd(x, w, g, be):
        return conv_bn_relu_pool_forward(x, w, b, g, be, CONV, {"mode": "train"}, POOL)
    _check(fwd, lambda d, c: tuple(g for i, g in enumerate(conv_bn_relu_pool_backward(d, c)) if i != 2),
           (x, w, gamma, beta), rng, tol=1e-7)
    o1, c1 = conv_bn_relu_pool_forward(x, w, b, gamma, beta, CONV, {"mode": "train"}, POOL)
    o2, c2 = conv_norm_relu_pool_forward(x, w, b, CONV, POOL, gamma, beta, {"mode": "train"})
    assert np.array_equal(o1, o2)
    dout = rng.standard_normal(o1.shape)
    for a, c in zip(conv_bn_relu_pool_backward(dout, c1), conv_norm_relu_pool_backward(dout, c2)):
        assert np.array_equal(a, c)
    o1, c1 = conv_bn_relu_forward(x, w, b, gamma, beta, CONV, {"mode": "train"})
    o2, c2 = conv_norm_relu_forward(x, w, b, CONV, gamma, beta, {"mode": "train"})
    assert np.array_equal(o1, o2)
    dout = rng.standard_normal(o1.shape)
    for a, c in zip(conv_bn_relu_backward(dout, c1), conv_norm_relu_backward(dout, c2)):
        assert np.array_equal(a, c)


def test_conv_gn_relu(rng):
    x, w, b = _data(rng, F=4)
    gamma = rng.standard_normal((1, 4, 1, 1))
    beta = rng.standard_normal((1, 4, 1, 1))

    def fwd(x, w, b, g, be):
        return conv_gn_relu_forward(x, w, b, g, be, CONV, 2, {})
    out, cache = fwd(x, w, b, gamma, beta)
    grads = conv_gn_relu_backward(rng.standard_normal(out.shape), cache)
    assert grads[3].shape == (1, 4, 1, 1) and grads[4].shape == (1, 4, 1, 1)
    # b is not removed by the normalisation: a group spans channels with different biases.
    # GN's dx through the numerical gradient: the notebook expects ~1e-7 (see test_spatial_norm)
    _check(fwd, conv_gn_relu_backward, (x, w, b, gamma, beta), rng, tol=1e-6)


def test_float32_runs(rng):
    x, w, b = (a.astype(np.float32) for a in _data(rng))
    out, cache = conv_relu_pool_forward(x, w, b, CONV, POOL)
    assert out.dtype == np.float32
    assert all(g.dtype == np.float32 for g in conv_relu_pool_backward(np.ones_like(out), cache))


def test_bad_conv_param_names_the_layer():
    x = np.ones((1, 3, 4, 4))
    with pytest.raises(ValueError, match="conv_forward_fast: stride"):
        conv_relu_forward(x, np.ones((2, 3, 3, 3)), np.ones(2), {"stride": 0, "pad": 1})


def test_need_dx_false_every_sandwich(rng):
    # every conv sandwich passes need_dx=False down: None for dx, the same parameter gradients
    x, w, b = _data(rng, F=4)
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    g4, b4 = gamma.reshape(1, 4, 1, 1), beta.reshape(1, 4, 1, 1)
    cases = [
        (lambda: conv_relu_forward(x, w, b, CONV), conv_relu_backward),
        (lambda: conv_relu_pool_forward(x, w, b, CONV, POOL), conv_relu_pool_backward),
        (lambda: conv_bn_relu_forward(x, w, b, gamma, beta, CONV, {"mode": "train"}),
         conv_bn_relu_backward),
        (lambda: conv_bn_relu_pool_forward(x, w, b, gamma, beta, CONV, {"mode": "train"}, POOL),
         conv_bn_relu_pool_backward),
        (lambda: conv_gn_relu_forward(x, w, b, g4, b4, CONV, 2, {}), conv_gn_relu_backward),
    ]
    for fwd, bwd in cases:
        out, cache = fwd()
        dout = rng.standard_normal(out.shape)
        full, part = bwd(dout, cache), bwd(dout, cache, need_dx=False)
        assert part[0] is None and full[0].shape == x.shape
        for a, c in zip(full[1:], part[1:]):
            assert np.array_equal(a, c)
