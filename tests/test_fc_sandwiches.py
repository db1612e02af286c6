"""affine-batchnorm-relu and affine-layernorm-relu sandwiches: against the layers composed by
hand and the oracle, numerical gradients for every parameter, the students' alias names."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn import layer_utils
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layer_utils import (affine_bn_relu_backward, affine_bn_relu_forward,
                              affine_ln_relu_backward, affine_ln_relu_forward)


def _inputs(rng, N, shape, M, dtype):
    D = int(np.prod(shape))
    x = rng.standard_normal((N,) + shape).astype(dtype)
    w = (rng.standard_normal((D, M)) / np.sqrt(D)).astype(dtype)
    b = rng.standard_normal(M).astype(dtype)
    gamma = (rng.standard_normal(M) + 1).astype(dtype)
    beta = rng.standard_normal(M).astype(dtype)
    return x, w, b, gamma, beta


@pytest.mark.parametrize("N,shape,M", [(2, (3,), 1), (5, (2, 3), 7), (16, (17,), 65)])
def test_bn_sandwich_matches_reference(N, shape, M, dtype, rng):
    x, w, b, gamma, beta = _inputs(rng, N, shape, M, dtype)
    bn_param = {"mode": "train"}
    out, cache = affine_bn_relu_forward(x, w, b, gamma, beta, bn_param)
    a = ref.affine_forward(x, w, b)
    an, mean, var, rm, rv = ref.batchnorm_forward_train(a, gamma, beta, np.zeros(M), np.zeros(M))
    assert_close(out, ref.relu_forward(an), dtype)
    assert bn_param["running_mean"].shape == (M,)
    assert_close(bn_param["running_mean"], rm, dtype)
    dout = rng.standard_normal((N, M)).astype(dtype)
    dx, dw, db, dgamma, dbeta = affine_bn_relu_backward(dout, cache)
    dan = ref.relu_backward(dout, an)
    da, rdg, rdb = ref.batchnorm_backward_train(dan, a, gamma)
    rdx, rdw, rdbias = ref.affine_backward(da, x, w)
    assert dx.shape == x.shape
    # float32 relu masks may differ where an is within rounding of 0: compare in float64 only
    if dtype == np.float64:
        for got, want in ((dx, rdx), (dw, rdw), (dgamma, rdg), (dbeta, rdb)):
            assert_close(got, want, dtype)
        # batch norm subtracts the batch mean, so b cannot change the output: db is zero up to
        # the rounding of a sum of N terms of dout's size
        assert np.all(np.abs(db) < 1e-12 * N * np.abs(dout).max())
        assert np.all(np.abs(rdbias) < 1e-12 * N * np.abs(dout).max())


@pytest.mark.parametrize("N,shape,M", [(1, (3,), 2), (5, (2, 3), 7), (16, (17,), 65)])
def test_ln_sandwich_matches_reference(N, shape, M, dtype, rng):
    x, w, b, gamma, beta = _inputs(rng, N, shape, M, dtype)
    out, cache = affine_ln_relu_forward(x, w, b, gamma, beta, {})
    a = ref.affine_forward(x, w, b)
    an = ref.layernorm_forward(a, gamma, beta)
    assert_close(out, ref.relu_forward(an), dtype)
    dout = rng.standard_normal((N, M)).astype(dtype)
    dx, dw, db, dgamma, dbeta = affine_ln_relu_backward(dout, cache)
    da, rdg, rdb = ref.layernorm_backward(ref.relu_backward(dout, an), a, gamma)
    rdx, rdw, rdbias = ref.affine_backward(da, x, w)
    assert dx.shape == x.shape
    if dtype == np.float64:
        for got, want in ((dx, rdx), (dw, rdw), (db, rdbias), (dgamma, rdg), (dbeta, rdb)):
            assert_close(got, want, dtype)


@pytest.mark.parametrize("which", ["bn", "ln"])
def test_sandwich_numerical_gradients(which, rng):
    N, shape, M = 4, (2, 3), 5
    x, w, b, gamma, beta = _inputs(rng, N, shape, M, np.float64)
    dout = rng.standard_normal((N, M))
    if which == "bn":
        fwd, bwd, param = affine_bn_relu_forward, affine_bn_relu_backward, {"mode": "train"}
    else:
        fwd, bwd, param = affine_ln_relu_forward, affine_ln_relu_backward, {}
    args = [x, w, b, gamma, beta]
    _, cache = fwd(*args, param)
    grads = bwd(dout, cache)
    for i, g in enumerate(grads):
        def f(v, i=i):
            a = list(args)
            a[i] = v
            return fwd(*a, param)[0]
        num = eval_numerical_gradient_array(f, args[i].copy(), dout)
        assert g.shape == args[i].shape
        if which == "bn" and i == 2:
            # db is exactly zero through batch norm; the numerical one is noise of ~1e-10
            assert np.abs(g).max() < 1e-12 and np.abs(num).max() < 1e-8
        else:
            assert rel_error(num, g) < 1e-7, (which, i)


def test_test_mode_bn_sandwich_uses_running_stats(rng):
    x, w, b, gamma, beta = _inputs(rng, 6, (4,), 3, np.float64)
    bn_param = {"mode": "train"}
    affine_bn_relu_forward(x, w, b, gamma, beta, bn_param)
    bn_param["mode"] = "test"
    out, _ = affine_bn_relu_forward(x[:1], w, b, gamma, beta, bn_param)
    a = ref.affine_forward(x[:1], w, b)
    want = ref.relu_forward(ref.batchnorm_forward_test(a, gamma, beta, bn_param["running_mean"],
                                                       bn_param["running_var"]))
    assert_close(out, want, np.float64)


def test_alias_names():
    assert layer_utils.affine_batchnorm_relu_forward is affine_bn_relu_forward
    assert layer_utils.affine_batchnorm_relu_backward is affine_bn_relu_backward
    assert layer_utils.affine_norm_relu_forward is affine_bn_relu_forward
    assert layer_utils.affine_norm_relu_backward is affine_bn_relu_backward
    assert layer_utils.affine_layernorm_relu_forward is affine_ln_relu_forward
    assert layer_utils.affine_layernorm_relu_backward is affine_ln_relu_backward


def test_bad_input_names_the_layer():
    x = np.ones((4, 6))
    w = np.ones((6, 3))
    b = np.zeros(3)
    with pytest.raises(ValueError, match=r"batchnorm_forward: gamma.shape\[0\] \(5\) must equal x.shape\[1\] \(3\)"):
        affine_bn_relu_forward(x, w, b, np.ones(5), np.zeros(3), {"mode": "train"})
    with pytest.raises(KeyError, match="mode"):
        affine_bn_relu_forward(x, w, b, np.ones(3), np.zeros(3), {})
    with pytest.raises(ValueError, match="layernorm_forward: beta"):
        affine_ln_relu_forward(x, w, b, np.ones(3), np.zeros(4), {})
