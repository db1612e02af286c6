"""batchnorm and layernorm: oracle in both dtypes, numerical gradients, backward vs
backward_alt, the CS231n BatchNormalization / LayerNormalization notebook checks, running
statistics written back, thread-count independence, layouts, bad input, NaN, empty batches,
and PyTorch parity."""

import numpy as np
import pytest

import reference as ref
from conftest import assert_close, assert_no_leaks
from cvnn import _C
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layers import (batchnorm_backward, batchnorm_backward_alt, batchnorm_forward,
                         layernorm_backward, layernorm_forward)

# (N, D): N >= 2 for batch norm, odd D off every SIMD width and the 64-feature blocks
BN_SHAPES = [(2, 1), (2, 3), (3, 17), (7, 64), (13, 65), (50, 129), (4, 200), (200, 3)]
LN_SHAPES = [(1, 1), (1, 3), (1, 17), (2, 2), (5, 129), (17, 65), (40, 3)]


def _params(rng, D, dtype):
    gamma = (rng.standard_normal(D) + 1).astype(dtype)
    beta = rng.standard_normal(D).astype(dtype)
    return gamma, beta


# ---------------------------------------------------------------- batchnorm: oracle

@pytest.mark.parametrize("N,D", BN_SHAPES)
def test_batchnorm_train_matches_reference(N, D, dtype, rng):
    x = (rng.standard_normal((N, D)) * 3 + 5).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    rm0 = rng.standard_normal(D).astype(dtype)
    rv0 = rng.random(D).astype(dtype)
    bn_param = {"mode": "train", "running_mean": rm0, "running_var": rv0, "momentum": 0.8,
                "eps": 1e-4}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    rout, mean, var, rm, rv = ref.batchnorm_forward_train(x, gamma, beta, rm0, rv0, 1e-4, 0.8)
    assert_close(out, rout, dtype)
    # the running averages are new arrays in x's dtype, written back into the caller's dict
    assert bn_param["running_mean"] is not rm0 and bn_param["running_var"] is not rv0
    assert_close(bn_param["running_mean"], rm, dtype)
    assert_close(bn_param["running_var"], rv, dtype)
    assert cache[0] is x
    dout = rng.standard_normal((N, D)).astype(dtype)
    rdx, rdg, rdb = ref.batchnorm_backward_train(dout, x, gamma, 1e-4)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        assert dx.shape == (N, D) and dgamma.shape == (D,) and dbeta.shape == (D,)
        assert_close(dx, rdx, dtype)
        assert_close(dgamma, rdg, dtype)
        assert_close(dbeta, rdb, dtype)


@pytest.mark.parametrize("N,D", [(1, 1), (1, 5), (6, 17), (33, 129)])
def test_batchnorm_test_mode_matches_reference(N, D, dtype, rng):
    x = rng.standard_normal((N, D)).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    rm = rng.standard_normal(D).astype(dtype)
    rv = (rng.random(D) + 0.1).astype(dtype)
    bn_param = {"mode": "test", "running_mean": rm, "running_var": rv}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    assert_close(out, ref.batchnorm_forward_test(x, gamma, beta, rm, rv), dtype)
    # test mode leaves the running statistics alone
    assert bn_param["running_mean"] is rm and bn_param["running_var"] is rv
    dout = rng.standard_normal((N, D)).astype(dtype)
    rm64, rv64 = rm.astype(np.float64), rv.astype(np.float64)
    xhat = (x.astype(np.float64) - rm64) / np.sqrt(rv64 + 1e-5)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        assert_close(dx, dout * gamma.astype(np.float64) / np.sqrt(rv64 + 1e-5), dtype)
        assert_close(dgamma, (dout * xhat).sum(0), dtype)
        assert_close(dbeta, dout.astype(np.float64).sum(0), dtype)


# ---------------------------------------------------------------- batchnorm: gradients

@pytest.mark.parametrize("N,D", [(4, 5), (3, 1), (9, 3)])
def test_batchnorm_numerical_gradient(N, D, rng):
    # BatchNormalization.ipynb "Batch normalization: backward". (With N = 2 every xhat is +-1
    # whatever x is, so dx is ~1e-10 and no relative check makes sense: N >= 3 here.)
    x = 5 * rng.standard_normal((N, D)) + 12
    gamma = rng.standard_normal(D)
    beta = rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    bn_param = {"mode": "train"}
    fx = lambda x: batchnorm_forward(x, gamma, beta, bn_param)[0]
    fg = lambda a: batchnorm_forward(x, a, beta, bn_param)[0]
    fb = lambda b: batchnorm_forward(x, gamma, b, bn_param)[0]
    dx_num = eval_numerical_gradient_array(fx, x, dout)
    da_num = eval_numerical_gradient_array(fg, gamma.copy(), dout)
    db_num = eval_numerical_gradient_array(fb, beta.copy(), dout)
    _, cache = batchnorm_forward(x, gamma, beta, bn_param)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dgamma, dbeta = backward(dout, cache)
        assert rel_error(dx_num, dx) < 1e-7
        assert rel_error(da_num, dgamma) < 1e-7
        assert rel_error(db_num, dbeta) < 1e-7


def test_batchnorm_test_mode_numerical_gradient(rng):
    N, D = 6, 4
    x = rng.standard_normal((N, D))
    gamma, beta = rng.standard_normal(D), rng.standard_normal(D)
    bn_param = {"mode": "test", "running_mean": rng.standard_normal(D),
                "running_var": rng.random(D) + 0.5}
    dout = rng.standard_normal((N, D))
    dx_num = eval_numerical_gradient_array(lambda x: batchnorm_forward(x, gamma, beta, bn_param)[0], x, dout)
    dg_num = eval_numerical_gradient_array(lambda g: batchnorm_forward(x, g, beta, bn_param)[0], gamma.copy(), dout)
    dx, dgamma, dbeta = batchnorm_backward(dout, batchnorm_forward(x, gamma, beta, bn_param)[1])
    assert rel_error(dx_num, dx) < 1e-7
    assert rel_error(dg_num, dgamma) < 1e-7
    assert rel_error(dout.sum(0), dbeta) < 1e-12


def test_batchnorm_backward_alt_notebook():
    # BatchNormalization.ipynb "Batch normalization: alternative backward": same data, the
    # notebook prints dx difference ~1e-12 and dgamma/dbeta difference 0
    np.random.seed(231)
    N, D = 100, 500
    x = 5 * np.random.randn(N, D) + 12
    gamma = np.random.randn(D)
    beta = np.random.randn(D)
    dout = np.random.randn(N, D)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    dx1, dgamma1, dbeta1 = batchnorm_backward(dout, cache)
    dx2, dgamma2, dbeta2 = batchnorm_backward_alt(dout, cache)
    assert rel_error(dx1, dx2) < 1e-11
    assert rel_error(dgamma1, dgamma2) == 0 and rel_error(dbeta1, dbeta2) == 0


@pytest.mark.parametrize("N,D", [(100, 500), (3, 1), (64, 129)])
def test_batchnorm_backward_alt_agrees(N, D, dtype, rng):
    # agreement to rounding, elementwise against the largest gradient (dx has elements near
    # zero by cancellation, where the two orders of operations differ in relative terms)
    x = (5 * rng.standard_normal((N, D)) + 12).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    _, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    a = batchnorm_backward(dout, cache)
    b = batchnorm_backward_alt(dout, cache)
    for u, v in zip(a, b):
        assert_close(u, v, dtype)
    # dgamma and dbeta are the same sums in both
    assert np.array_equal(a[1], b[1]) and np.array_equal(a[2], b[2])


# ---------------------------------------------------------------- batchnorm: notebook checks

def _notebook_activations(N, dtype):
    """BatchNormalization.ipynb's test data: a two-layer ReLU net's (N, 3) activations, far
    from zero mean and unit variance. np.random is seeded once by the caller."""
    D1, D2, D3 = 50, 60, 3
    X = np.random.randn(N, D1)
    W1 = np.random.randn(D1, D2)
    W2 = np.random.randn(D2, D3)
    return (np.maximum(0, X.dot(W1)).dot(W2)).astype(dtype)


def test_batchnorm_notebook_train_statistics(dtype):
    # BatchNormalization.ipynb "Batch normalization: forward": a two-layer ReLU net's
    # activations, normalised with gamma = 1, beta = 0, then with gamma = [1,2,3], beta = [11,12,13]
    np.random.seed(231)
    a = _notebook_activations(200, dtype)
    assert np.abs(a.mean(axis=0)).max() > 1  # the raw activations are far from normalised
    out, _ = batchnorm_forward(a, np.ones(3, dtype), np.zeros(3, dtype), {"mode": "train"})
    assert np.allclose(out.mean(axis=0), 0, atol=1e-5)
    assert np.allclose(out.std(axis=0), 1, atol=1e-4)
    gamma = np.asarray([1.0, 2.0, 3.0], dtype)
    beta = np.asarray([11.0, 12.0, 13.0], dtype)
    out, _ = batchnorm_forward(a, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=0), beta, rtol=1e-5)
    assert np.allclose(out.std(axis=0), gamma, rtol=1e-4)


def test_batchnorm_notebook_running_averages(dtype):
    # BatchNormalization.ipynb: 50 train-mode passes warm up the running averages, then a
    # test-mode pass on fresh data has means ~0 and stds ~1
    np.random.seed(231)
    D1, D2, D3 = 50, 60, 3
    W1 = np.random.randn(D1, D2)
    W2 = np.random.randn(D2, D3)
    bn_param = {"mode": "train"}
    gamma = np.ones(D3, dtype)
    beta = np.zeros(D3, dtype)
    for _ in range(50):
        X = np.random.randn(200, D1)
        a = (np.maximum(0, X.dot(W1)).dot(W2)).astype(dtype)
        batchnorm_forward(a, gamma, beta, bn_param)
    assert bn_param["running_mean"].dtype == dtype and bn_param["running_var"].dtype == dtype
    bn_param["mode"] = "test"
    X = np.random.randn(200, D1)
    a = (np.maximum(0, X.dot(W1)).dot(W2)).astype(dtype)
    out, _ = batchnorm_forward(a, gamma, beta, bn_param)
    assert np.all(np.abs(out.mean(axis=0)) < 0.15)
    assert np.all(np.abs(out.std(axis=0) - 1) < 0.15)


def test_batchnorm_running_update_formula(dtype, rng):
    # the CS231n rule with the BIASED batch variance, written back after every call
    x1 = rng.standard_normal((8, 5)).astype(dtype)
    x2 = (rng.standard_normal((8, 5)) * 2 + 1).astype(dtype)
    gamma, beta = _params(rng, 5, dtype)
    bn_param = {"mode": "train", "momentum": 0.7}
    batchnorm_forward(x1, gamma, beta, bn_param)
    x164 = x1.astype(np.float64)
    assert_close(bn_param["running_mean"], 0.3 * x164.mean(0), dtype)
    assert_close(bn_param["running_var"], 0.3 * x164.var(0), dtype)
    rm1, rv1 = bn_param["running_mean"], bn_param["running_var"]
    batchnorm_forward(x2, gamma, beta, bn_param)
    x264 = x2.astype(np.float64)
    assert_close(bn_param["running_mean"], 0.7 * rm1.astype(np.float64) + 0.3 * x264.mean(0), dtype)
    assert_close(bn_param["running_var"], 0.7 * rv1.astype(np.float64) + 0.3 * x264.var(0), dtype)
    # the arrays handed out earlier are not modified in place
    assert_close(rm1, 0.3 * x164.mean(0), dtype)


def test_batchnorm_test_mode_creates_zero_running_stats():
    x = np.ones((3, 4))
    bn_param = {"mode": "test"}
    out, _ = batchnorm_forward(x, np.ones(4), np.zeros(4), bn_param)
    assert np.array_equal(bn_param["running_mean"], np.zeros(4))
    assert np.array_equal(bn_param["running_var"], np.zeros(4))
    assert_close(out, np.ones((3, 4)) / np.sqrt(1e-5), np.float64)


def test_batchnorm_n1_train_gives_beta():
    # one sample: zero variance, xhat = 0, the output is beta; gradients stay finite
    x = np.array([[1.0, -2.0, 3.0]])
    beta = np.array([0.5, 0.25, -1.0])
    out, cache = batchnorm_forward(x, np.ones(3), beta, {"mode": "train"})
    assert_close(out, beta[None], np.float64)
    dx, dgamma, dbeta = batchnorm_backward_alt(np.ones((1, 3)), cache)
    assert np.all(np.isfinite(dx)) and np.allclose(dx, 0)


# ---------------------------------------------------------------- layernorm

@pytest.mark.parametrize("N,D", LN_SHAPES)
def test_layernorm_matches_reference(N, D, dtype, rng):
    x = (rng.standard_normal((N, D)) * 2 - 3).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    out, cache = layernorm_forward(x, gamma, beta, {"eps": 1e-4})
    assert_close(out, ref.layernorm_forward(x, gamma, beta, 1e-4), dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    dx, dgamma, dbeta = layernorm_backward(dout, cache)
    rdx, rdg, rdb = ref.layernorm_backward(dout, x, gamma, 1e-4)
    assert_close(dx, rdx, dtype)
    assert_close(dgamma, rdg, dtype)
    assert_close(dbeta, rdb, dtype)


@pytest.mark.parametrize("N,D", [(4, 5), (1, 3), (3, 1)])
def test_layernorm_numerical_gradient(N, D, rng):
    # LayerNormalization part of BatchNormalization.ipynb: errors 1e-12 to 1e-8
    x = 5 * rng.standard_normal((N, D)) + 12
    gamma = rng.standard_normal(D)
    beta = rng.standard_normal(D)
    dout = rng.standard_normal((N, D))
    ln_param = {}
    dx_num = eval_numerical_gradient_array(lambda x: layernorm_forward(x, gamma, beta, ln_param)[0], x, dout)
    da_num = eval_numerical_gradient_array(lambda a: layernorm_forward(x, a, beta, ln_param)[0], gamma.copy(), dout)
    db_num = eval_numerical_gradient_array(lambda b: layernorm_forward(x, gamma, b, ln_param)[0], beta.copy(), dout)
    dx, dgamma, dbeta = layernorm_backward(dout, layernorm_forward(x, gamma, beta, ln_param)[1])
    assert rel_error(dx_num, dx) < 1e-7
    assert rel_error(da_num, dgamma) < 1e-7
    assert rel_error(db_num, dbeta) < 1e-7


def test_layernorm_notebook_statistics(dtype):
    # BatchNormalization.ipynb "Layer normalization: forward": per-sample (axis 1) means ~0
    # and stds ~1 with gamma = 1, beta = 0; ~5 and ~3 with gamma = 3, beta = 5
    np.random.seed(231)
    a = _notebook_activations(4, dtype)
    out, _ = layernorm_forward(a, np.ones(3, dtype), np.zeros(3, dtype), {})
    assert np.allclose(out.mean(axis=1), 0, atol=1e-5)
    assert np.allclose(out.std(axis=1), 1, atol=1e-4)
    gamma = np.asarray([3.0, 3.0, 3.0], dtype)
    beta = np.asarray([5.0, 5.0, 5.0], dtype)
    out, _ = layernorm_forward(a, gamma, beta, {})
    assert np.allclose(out.mean(axis=1), 5, rtol=1e-5)
    assert np.allclose(out.std(axis=1), 3, rtol=1e-4)


def test_layernorm_ignores_mode_and_default_eps(rng):
    x = rng.standard_normal((3, 7))
    gamma, beta = _params(rng, 7, np.float64)
    a = layernorm_forward(x, gamma, beta, {})[0]
    b = layernorm_forward(x, gamma, beta, {"mode": "test", "eps": 1e-5})[0]
    assert np.array_equal(a, b)
    assert_close(a, ref.layernorm_forward(x, gamma, beta, 1e-5), np.float64)


# ---------------------------------------------------------------- threads, layouts

@pytest.mark.parametrize("N,D", [(256, 1000), (4000, 70)])
def test_threads_bitwise_identical(N, D, dtype, threads, rng):
    # large enough that the kernels split the features (and layernorm's rows) over threads
    x = (rng.standard_normal((N, D)) + 3).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    results = []
    for n in (1, 2):
        threads(n)
        bn_param = {"mode": "train"}
        out, cache = batchnorm_forward(x, gamma, beta, bn_param)
        r = [out, bn_param["running_mean"], bn_param["running_var"]]
        r += batchnorm_backward(dout, cache)
        r += batchnorm_backward_alt(dout, cache)
        lout, lcache = layernorm_forward(x, gamma, beta, {})
        r += [lout] + list(layernorm_backward(dout, lcache))
        results.append(r)
    for a, b in zip(*results):
        assert np.array_equal(a, b)


def test_noncontiguous_and_fortran_inputs(dtype, rng):
    x = rng.standard_normal((9, 13)).astype(dtype)
    gamma, beta = _params(rng, 13, dtype)
    dout = rng.standard_normal((9, 13)).astype(dtype)
    big = rng.standard_normal((18, 26)).astype(dtype)
    big[::2, ::2] = x
    gbig = np.repeat(gamma, 2)
    gbig[::2] = gamma
    layouts = [np.asfortranarray(x), big[::2, ::2], np.ascontiguousarray(x.T).T]
    out, cache = batchnorm_forward(x, gamma, beta, {"mode": "train"})
    grads = batchnorm_backward(dout, cache)
    lout, lcache = layernorm_forward(x, gamma, beta, {})
    lgrads = layernorm_backward(dout, lcache)
    for xl in layouts:
        o, c = batchnorm_forward(xl, gbig[::2], beta, {"mode": "train"})
        assert np.array_equal(o, out)
        for a, b in zip(batchnorm_backward(np.asfortranarray(dout), c), grads):
            assert np.array_equal(a, b)
        o, c = layernorm_forward(xl, gbig[::2], beta, {})
        assert np.array_equal(o, lout)
        for a, b in zip(layernorm_backward(np.asfortranarray(dout), c), lgrads):
            assert np.array_equal(a, b)


def test_secondary_arrays_take_x_dtype(rng):
    x = rng.standard_normal((6, 4)).astype(np.float32)
    gamma = np.ones(4)  # float64
    beta = np.zeros(4, np.int64)
    bn_param = {"mode": "train", "running_mean": np.zeros(4), "running_var": np.ones(4)}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    assert out.dtype == np.float32 and bn_param["running_mean"].dtype == np.float32
    dx, dg, db = batchnorm_backward(rng.standard_normal((6, 4)).astype(np.float32), cache)
    assert dx.dtype == dg.dtype == db.dtype == np.float32
    out, cache = layernorm_forward(x, gamma, beta, {})
    assert out.dtype == np.float32


# ---------------------------------------------------------------- bad input, NaN, empty

def test_batchnorm_missing_or_bad_mode():
    x, g, b = np.ones((2, 3)), np.ones(3), np.zeros(3)
    with pytest.raises(KeyError, match="mode"):
        batchnorm_forward(x, g, b, {})
    with pytest.raises(ValueError, match='Invalid forward batchnorm mode "eval"'):
        batchnorm_forward(x, g, b, {"mode": "eval"})


def test_batchnorm_bad_shapes():
    x = np.ones((4, 5))
    with pytest.raises(ValueError, match=r"batchnorm_forward: gamma.shape\[0\] \(4\) must equal x.shape\[1\] \(5\)"):
        batchnorm_forward(x, np.ones(4), np.zeros(5), {"mode": "train"})
    with pytest.raises(ValueError, match=r"batchnorm_forward: beta.shape\[0\] \(6\) must equal x.shape\[1\] \(5\)"):
        batchnorm_forward(x, np.ones(5), np.zeros(6), {"mode": "train"})
    with pytest.raises(ValueError, match=r"batchnorm_forward: running_mean.shape\[0\] \(3\) must equal x.shape\[1\] \(5\)"):
        batchnorm_forward(x, np.ones(5), np.zeros(5), {"mode": "test", "running_mean": np.zeros(3)})
    with pytest.raises(ValueError, match="batchnorm_forward: x must be 2-D, got 3-D"):
        batchnorm_forward(np.ones((2, 3, 4)), np.ones(3), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match="batchnorm_forward: gamma must be 1-D"):
        batchnorm_forward(x, np.ones((1, 5)), np.zeros(5), {"mode": "train"})
    with pytest.raises(ValueError, match="batchnorm_forward: eps"):
        batchnorm_forward(x, np.ones(5), np.zeros(5), {"mode": "train", "eps": -1.0})
    _, cache = batchnorm_forward(x, np.ones(5), np.zeros(5), {"mode": "train"})
    with pytest.raises(ValueError, match=r"batchnorm_backward: x.shape \(4, 5\) must equal dout.shape \(3, 5\)"):
        batchnorm_backward(np.ones((3, 5)), cache)
    with pytest.raises(ValueError, match=r"batchnorm_backward_alt: gamma.shape\[0\] \(5\) must equal dout.shape\[1\] \(4\)"):
        batchnorm_backward_alt(np.ones((4, 4)), cache)


def test_layernorm_bad_shapes():
    with pytest.raises(ValueError, match=r"layernorm_forward: gamma.shape\[0\] \(2\) must equal x.shape\[1\] \(5\)"):
        layernorm_forward(np.ones((4, 5)), np.ones(2), np.zeros(5), {})
    with pytest.raises(ValueError, match="layernorm_forward: x must be 2-D"):
        layernorm_forward(np.ones(5), np.ones(5), np.zeros(5), {})
    _, cache = layernorm_forward(np.ones((4, 5)), np.ones(5), np.zeros(5), {})
    with pytest.raises(ValueError, match="layernorm_backward: x.shape"):
        layernorm_backward(np.ones((5, 5)), cache)


@pytest.mark.parametrize("bad", [np.float16, np.int32, np.int64, object, np.complex128])
def test_bad_dtype_is_type_error(bad):
    x = np.ones((3, 4)).astype(bad)
    g, b = np.ones(4), np.zeros(4)
    for mode in ("train", "test"):
        with pytest.raises(TypeError, match="batchnorm_forward: x must be float32 or float64"):
            batchnorm_forward(x, g, b, {"mode": mode})
    with pytest.raises(TypeError, match="layernorm_forward"):
        layernorm_forward(x, g, b, {})
    _, cache = batchnorm_forward(np.ones((3, 4)), g, b, {"mode": "train"})
    with pytest.raises(TypeError, match="batchnorm_backward"):
        batchnorm_backward(x, cache)
    with pytest.raises(TypeError, match="layernorm_backward"):
        layernorm_backward(x, layernorm_forward(np.ones((3, 4)), g, b, {})[1])


def test_nan_propagates_per_feature_and_per_sample(dtype):
    x = np.arange(12, dtype=dtype).reshape(4, 3)
    x[1, 2] = np.nan
    g, b = np.ones(3, dtype), np.zeros(3, dtype)
    bn_param = {"mode": "train"}
    out, cache = batchnorm_forward(x, g, b, bn_param)
    # batch norm mixes a feature's column: only column 2 is NaN
    assert np.isnan(out[:, 2]).all() and np.isfinite(out[:, :2]).all()
    assert np.isnan(bn_param["running_mean"][2]) and np.isfinite(bn_param["running_mean"][:2]).all()
    dx, dg, db = batchnorm_backward(np.ones((4, 3), dtype), cache)
    assert np.isnan(dx[:, 2]).all() and np.isfinite(dx[:, :2]).all()
    # layer norm mixes a sample's row: only row 1 is NaN
    out, cache = layernorm_forward(x, g, b, {})
    assert np.isnan(out[1]).all() and np.isfinite(np.delete(out, 1, axis=0)).all()
    dx, dg, db = layernorm_backward(np.ones((4, 3), dtype), cache)
    assert np.isnan(dx[1]).all() and np.isfinite(np.delete(dx, 1, axis=0)).all()


def test_empty_batch(dtype):
    g, b = np.ones(3, dtype), np.zeros(3, dtype)
    x = np.zeros((0, 3), dtype)
    with pytest.raises(ValueError, match="batchnorm_forward: .*N = 0"):
        batchnorm_forward(x, g, b, {"mode": "train"})
    # test mode normalises each sample by fixed statistics: an empty batch is fine
    out, cache = batchnorm_forward(x, g, b, {"mode": "test"})
    assert out.shape == (0, 3) and out.dtype == dtype
    dx, dg, db = batchnorm_backward(np.zeros((0, 3), dtype), cache)
    assert dx.shape == (0, 3) and np.array_equal(dg, np.zeros(3)) and np.array_equal(db, np.zeros(3))
    out, cache = layernorm_forward(x, g, b, {})
    assert out.shape == (0, 3) and out.dtype == dtype
    dx, dg, db = layernorm_backward(np.zeros((0, 3), dtype), cache)
    assert dx.shape == (0, 3) and np.array_equal(dg, np.zeros(3)) and np.array_equal(db, np.zeros(3))
    # no features: nothing to normalise, empty outputs
    out, cache = layernorm_forward(np.zeros((2, 0), dtype), np.ones(0, dtype), np.zeros(0, dtype), {})
    assert out.shape == (2, 0)
    out, cache = batchnorm_forward(np.zeros((2, 0), dtype), np.ones(0, dtype), np.zeros(0, dtype), {"mode": "train"})
    assert out.shape == (2, 0) and batchnorm_backward(np.zeros((2, 0), dtype), cache)[1].shape == (0,)


# Reference leaks in the bindings of both families of this branch (norm and dropout), as in
# tests/test_refcounts.py: a missing Py_DECREF shows as a growing count of the inputs.
_X = np.random.default_rng(0).standard_normal((3, 2))
_V = np.ones(2)
_V3 = np.zeros(3)
_U = np.random.default_rng(1).random((3, 2))
NORM_CALLS = [
    ("bn train", lambda: _C.batchnorm_forward(_X, _V, _V, _V, _V, True, 1e-5, 0.9)),
    ("bn test", lambda: _C.batchnorm_forward(_X, _V, _V, _V, _V, False, 1e-5, 0.9)),
    ("bn bad gamma", lambda: _C.batchnorm_forward(_X, _V3, _V, _V, _V, True, 1e-5, 0.9)),
    ("bn bad running", lambda: _C.batchnorm_forward(_X, _V, _V, _V, _V3, True, 1e-5, 0.9)),
    ("bn bad dtype", lambda: _C.batchnorm_forward(_X.astype(int), _V, _V, _V, _V, True, 1e-5, 0.9)),
    ("bn backward", lambda: _C.batchnorm_backward(_X, _X, _V, _V, _V, True, True)),
    ("bn backward bad", lambda: _C.batchnorm_backward(_X, _X, _V, _V3, _V, True, False)),
    ("ln", lambda: _C.layernorm_forward(_X, _V, _V, 1e-5)),
    ("ln backward", lambda: _C.layernorm_backward(_X, _X, _V, _V3, _V3)),
    ("ln backward bad", lambda: _C.layernorm_backward(_X, _X, _V, _V, _V3)),
    ("dropout", lambda: _C.dropout_forward(_X, _U, 0.5)),
    ("dropout bad", lambda: _C.dropout_forward(_X, _U[:2], 0.5)),
    ("dropout backward", lambda: _C.dropout_backward(_X, _U)),
    ("dropout backward bad", lambda: _C.dropout_backward(_X, _U.T)),
]


@pytest.mark.parametrize("name,call", NORM_CALLS, ids=[c[0] for c in NORM_CALLS])
def test_no_reference_leaks(name, call):
    assert_no_leaks(call, (_X, _V, _V3, _U))


# ---------------------------------------------------------------- PyTorch

def test_batchnorm_against_torch(dtype, rng):
    torch = pytest.importorskip("torch")
    N, D = 32, 19
    x = (rng.standard_normal((N, D)) * 2 + 1).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    tx, tg, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta))
    rm_t = torch.zeros(D, dtype=torch.float64)
    rv_t = torch.ones(D, dtype=torch.float64)
    # torch's momentum weighs the NEW batch statistic: CS231n momentum 0.9 = torch 0.1
    tout = torch.nn.functional.batch_norm(tx, rm_t, rv_t, tg, tb, training=True, momentum=0.1, eps=1e-5)
    tout.backward(torch.tensor(dout, dtype=torch.float64))
    bn_param = {"mode": "train", "running_mean": np.zeros(D, dtype), "running_var": np.ones(D, dtype)}
    out, cache = batchnorm_forward(x, gamma, beta, bn_param)
    assert_close(out, tout.detach().numpy(), dtype)
    for backward in (batchnorm_backward, batchnorm_backward_alt):
        dx, dg, db = backward(dout, cache)
        assert_close(dx, tx.grad.numpy(), dtype)
        assert_close(dg, tg.grad.numpy(), dtype)
        assert_close(db, tb.grad.numpy(), dtype)
    # running mean: same rule in both; running var: torch uses the unbiased variance
    assert_close(bn_param["running_mean"], rm_t.numpy(), dtype)
    x64 = x.astype(np.float64)
    assert_close(rv_t.numpy(), 0.9 + 0.1 * x64.var(0, ddof=1), np.float64)
    assert_close(bn_param["running_var"], 0.9 + 0.1 * x64.var(0), dtype)
    # test mode against torch's eval mode with the same running statistics
    rm = bn_param["running_mean"]
    rv = bn_param["running_var"]
    tout = torch.nn.functional.batch_norm(torch.tensor(x, dtype=torch.float64),
                                          torch.tensor(rm, dtype=torch.float64),
                                          torch.tensor(rv, dtype=torch.float64),
                                          torch.tensor(gamma, dtype=torch.float64),
                                          torch.tensor(beta, dtype=torch.float64), training=False, eps=1e-5)
    out, _ = batchnorm_forward(x, gamma, beta, {"mode": "test", "running_mean": rm, "running_var": rv})
    assert_close(out, tout.numpy(), dtype)


def test_layernorm_against_torch(dtype, rng):
    torch = pytest.importorskip("torch")
    N, D = 11, 37
    x = (rng.standard_normal((N, D)) * 2 + 1).astype(dtype)
    gamma, beta = _params(rng, D, dtype)
    dout = rng.standard_normal((N, D)).astype(dtype)
    tx, tg, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta))
    tout = torch.nn.functional.layer_norm(tx, (D,), tg, tb, eps=1e-5)
    tout.backward(torch.tensor(dout, dtype=torch.float64))
    out, cache = layernorm_forward(x, gamma, beta, {})
    assert_close(out, tout.detach().numpy(), dtype)
    dx, dg, db = layernorm_backward(dout, cache)
    assert_close(dx, tx.grad.numpy(), dtype)
    assert_close(dg, tg.grad.numpy(), dtype)
    assert_close(db, tb.grad.numpy(), dtype)
