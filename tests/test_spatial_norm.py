"""Spatial batch norm and spatial group norm on NCHW: oracle, running statistics, train and
test mode, numerical gradients, PyTorch, threads, layouts and bad input."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close, assert_no_leaks
from cvnn import _C
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layers import (spatial_batchnorm_backward, spatial_batchnorm_forward,
                         spatial_groupnorm_backward, spatial_groupnorm_forward)

SHAPES = [(2, 3, 4, 5), (1, 1, 1, 7), (5, 4, 3, 3), (3, 7, 1, 1), (4, 6, 8, 8)]


@pytest.mark.parametrize("shape", SHAPES)
def test_sbn_train_matches_reference(shape, dtype, rng):
    x = (4 * rng.standard_normal(shape) + 10).astype(dtype)
    C = shape[1]
    gamma = rng.standard_normal(C).astype(dtype)
    beta = rng.standard_normal(C).astype(dtype)
    bn_param = {"mode": "train"}
    out, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    want, mean, var = ref.spatial_batchnorm_forward(x, gamma, beta, 1e-5)
    assert_close(out, want, dtype)
    # running statistics start at zero and are written back, in x's dtype
    assert bn_param["running_mean"].dtype == dtype and bn_param["running_var"].shape == (C,)
    assert_close(bn_param["running_mean"], 0.1 * mean, dtype)
    assert_close(bn_param["running_var"], 0.1 * var, dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, cache)
    rdx, rdg, rdb = ref.spatial_batchnorm_backward(dout, x, gamma, 1e-5)
    if shape[0] * shape[2] * shape[3] > 1:  # with one value per channel dx is 0 up to rounding
        assert_close(dx, rdx, dtype)
    assert dgamma.shape == (C,) and dbeta.shape == (C,)
    assert_close(dgamma, rdg, dtype)
    assert_close(dbeta, rdb, dtype)


def test_sbn_notebook_statistics(rng):
    # ConvolutionalNetworks.ipynb: after the layer, means ~ beta and stds ~ gamma per channel
    N, C, H, W = 2, 3, 4, 5
    x = 4 * rng.standard_normal((N, C, H, W)) + 10
    gamma, beta = np.array([3.0, 4.0, 5.0]), np.array([6.0, 7.0, 8.0])
    out, _ = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert np.allclose(out.mean(axis=(0, 2, 3)), beta)
    assert np.allclose(out.std(axis=(0, 2, 3)), gamma, rtol=1e-5)


def test_sbn_running_average_and_test_mode(dtype, rng):
    C = 3
    gamma, beta = np.ones(C, dtype), np.zeros(C, dtype)
    bn_param = {"mode": "train", "momentum": 0.8, "eps": 1e-3}
    rm, rv = np.zeros(C), np.zeros(C)
    for _ in range(5):
        x = (2 * rng.standard_normal((4, C, 5, 5)) + 3).astype(dtype)
        spatial_batchnorm_forward(x, gamma, beta, bn_param)
        rm = 0.8 * rm + 0.2 * x.astype(np.float64).mean(axis=(0, 2, 3))
        rv = 0.8 * rv + 0.2 * x.astype(np.float64).var(axis=(0, 2, 3))
    assert_close(bn_param["running_mean"], rm, dtype)
    assert_close(bn_param["running_var"], rv, dtype)
    bn_param["mode"] = "test"
    x = rng.standard_normal((2, C, 3, 3)).astype(dtype)
    before = bn_param["running_mean"].copy()
    out, cache = spatial_batchnorm_forward(x, gamma, beta, bn_param)
    assert np.array_equal(bn_param["running_mean"], before)  # test mode does not update
    want, _, _ = ref.spatial_batchnorm_forward(x, gamma, beta, 1e-3, rm, rv)
    assert_close(out, want, dtype)


@pytest.mark.parametrize("mode", ["train", "test"])
@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (3, 2, 1, 3), (1, 4, 3, 3)])
def test_sbn_numerical_gradient(shape, mode, rng):
    x = 5 * rng.standard_normal(shape) + 12
    C = shape[1]
    gamma = rng.standard_normal(C)
    beta = rng.standard_normal(C)
    dout = rng.standard_normal(shape)
    bn_param = {"mode": mode, "running_mean": rng.standard_normal(C), "running_var": rng.random(C) + 0.5}

    def f(x, g=None, b=None):
        p = dict(bn_param)  # the running statistics stay fixed while differencing
        return spatial_batchnorm_forward(x, gamma if g is None else g, beta if b is None else b, p)[0]

    dx, dgamma, dbeta = spatial_batchnorm_backward(dout, spatial_batchnorm_forward(x, gamma, beta, dict(bn_param))[1])
    assert rel_error(dx, eval_numerical_gradient_array(lambda x: f(x), x, dout)) < 1e-7
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda g: f(x, g=g), gamma.copy(), dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda b: f(x, b=b), beta.copy(), dout)) < 1e-7


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (4, 8, 3, 3)])
def test_sbn_matches_torch(shape, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    C = shape[1]
    gamma, beta = rng.standard_normal(C), rng.standard_normal(C)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    ot = torch.nn.functional.batch_norm(xt, None, None, gt, bt, training=True, eps=1e-5)
    dout = rng.standard_normal(shape)
    ot.backward(torch.tensor(dout))
    out, cache = spatial_batchnorm_forward(x, gamma, beta, {"mode": "train"})
    assert_close(out, ot.detach().numpy(), np.float64)
    for got, t in zip(spatial_batchnorm_backward(dout, cache), (xt, gt, bt)):
        assert_close(got, t.grad.numpy(), np.float64)


GN_CASES = [((2, 6, 4, 5), 2), ((2, 6, 4, 5), 1), ((2, 6, 4, 5), 6), ((1, 4, 1, 1), 2),
            ((3, 8, 3, 7), 4), ((5, 3, 2, 2), 3)]


@pytest.mark.parametrize("shape,G", GN_CASES)
def test_gn_matches_reference(shape, G, dtype, rng):
    x = (3 * rng.standard_normal(shape) - 2).astype(dtype)
    C = shape[1]
    gamma = rng.standard_normal((1, C, 1, 1)).astype(dtype)
    beta = rng.standard_normal((1, C, 1, 1)).astype(dtype)
    out, cache = spatial_groupnorm_forward(x, gamma, beta, G, {})
    assert_close(out, ref.spatial_groupnorm_forward(x, gamma, beta, G, 1e-5), dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, cache)
    rdx, rdg, rdb = ref.spatial_groupnorm_backward(dout, x, gamma, G, 1e-5)
    assert dgamma.shape == (1, C, 1, 1) and dbeta.shape == (1, C, 1, 1)
    if C // G * shape[2] * shape[3] > 2:  # groups of 2 normalise to +-1: dx is rounding noise
        assert_close(dx, rdx, dtype)
    assert_close(dgamma, rdg, dtype)
    assert_close(dbeta, rdb, dtype)


def test_gn_notebook_statistics(rng):
    # ConvolutionalNetworks.ipynb: N, C, H, W, G = 2, 6, 4, 5, 2; each group has mean ~0, std ~1
    N, C, H, W, G = 2, 6, 4, 5, 2
    x = 4 * rng.standard_normal((N, C, H, W)) + 10
    out, _ = spatial_groupnorm_forward(x, np.ones((1, C, 1, 1)), np.zeros((1, C, 1, 1)), G, {"eps": 1e-5})
    g = out.reshape(N * G, -1)
    assert np.allclose(g.mean(axis=1), 0, atol=1e-12)
    assert np.allclose(g.std(axis=1), 1, rtol=1e-5)


@pytest.mark.parametrize("shape,G", [((2, 6, 4, 5), 2), ((3, 4, 2, 3), 4), ((2, 3, 3, 3), 1)])
def test_gn_numerical_gradient(shape, G, rng):
    x = 2 * rng.standard_normal(shape) + 1
    C = shape[1]
    gamma = rng.standard_normal((1, C, 1, 1))
    beta = rng.standard_normal((1, C, 1, 1))
    dout = rng.standard_normal(shape)
    f = lambda x, g, b: spatial_groupnorm_forward(x, g, b, G, {})[0]  # noqa: E731
    dx, dgamma, dbeta = spatial_groupnorm_backward(dout, spatial_groupnorm_forward(x, gamma, beta, G, {})[1])
    # dx: the notebook itself expects GN's dx error around 1e-7 (a quotient of sums of
    # differences); we see up to about 1.1e-7 here, so this one bound is 1e-6
    assert rel_error(dx, eval_numerical_gradient_array(lambda x: f(x, gamma, beta), x, dout)) < 1e-6
    assert rel_error(dgamma, eval_numerical_gradient_array(lambda g: f(x, g, beta), gamma.copy(), dout)) < 1e-7
    assert rel_error(dbeta, eval_numerical_gradient_array(lambda b: f(x, gamma, b), beta.copy(), dout)) < 1e-7


@pytest.mark.parametrize("shape,G", [((2, 6, 4, 5), 3), ((3, 8, 5, 5), 2)])
def test_gn_matches_torch(shape, G, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(shape)
    C = shape[1]
    gamma, beta = rng.standard_normal(C), rng.standard_normal(C)
    xt, gt, bt = (torch.tensor(a, requires_grad=True) for a in (x, gamma, beta))
    ot = torch.nn.functional.group_norm(xt, G, gt, bt, eps=1e-5)
    dout = rng.standard_normal(shape)
    ot.backward(torch.tensor(dout))
    out, cache = spatial_groupnorm_forward(x, gamma.reshape(1, C, 1, 1), beta.reshape(1, C, 1, 1), G, {})
    assert_close(out, ot.detach().numpy(), np.float64)
    for got, t in zip(spatial_groupnorm_backward(dout, cache), (xt, gt, bt)):
        assert_close(got.reshape(t.shape), t.grad.numpy(), np.float64)


def test_threads_bitwise_identical(dtype, threads, rng):
    x = rng.standard_normal((16, 32, 16, 16)).astype(dtype)
    C = 32
    g, b = rng.standard_normal(C).astype(dtype), rng.standard_normal(C).astype(dtype)
    dout = rng.standard_normal(x.shape).astype(dtype)
    res = []
    for n in (1, 2):
        threads(n)
        out, cache = spatial_batchnorm_forward(x, g, b, {"mode": "train"})
        r = [out, *spatial_batchnorm_backward(dout, cache)]
        out, cache = spatial_groupnorm_forward(x, g.reshape(1, C, 1, 1), b.reshape(1, C, 1, 1), 4, {})
        r += [out, *spatial_groupnorm_backward(dout, cache)]
        res.append(r)
    for a, c in zip(*res):
        assert np.array_equal(a, c)


def test_noncontiguous_inputs(dtype, rng):
    x = rng.standard_normal((3, 4, 5, 6)).astype(dtype)
    g, b = rng.standard_normal(4).astype(dtype), rng.standard_normal(4).astype(dtype)
    dout = rng.standard_normal(x.shape).astype(dtype)
    out, cache = spatial_batchnorm_forward(x, g, b, {"mode": "train"})
    grads = spatial_batchnorm_backward(dout, cache)
    gout, gcache = spatial_groupnorm_forward(x, g.reshape(1, 4, 1, 1), b.reshape(1, 4, 1, 1), 2, {})
    ggrads = spatial_groupnorm_backward(dout, gcache)
    big = np.zeros((3, 8, 5, 12), dtype)
    big[:, ::2, :, ::2] = x
    for v in (np.asfortranarray(x), big[:, ::2, :, ::2]):
        o, c = spatial_batchnorm_forward(v, g, b, {"mode": "train"})
        assert np.array_equal(o, out)
        for a, e in zip(spatial_batchnorm_backward(np.asfortranarray(dout), c), grads):
            assert np.array_equal(a, e)
        o, c = spatial_groupnorm_forward(v, g.reshape(1, 4, 1, 1), b.reshape(1, 4, 1, 1), 2, {})
        assert np.array_equal(o, gout)
        for a, e in zip(spatial_groupnorm_backward(dout, c), ggrads):
            assert np.array_equal(a, e)


def test_nan_and_empty(dtype):
    x = np.ones((2, 2, 3, 3), dtype)
    x[0, 0, 0, 0] = np.nan
    out, _ = spatial_batchnorm_forward(x, np.ones(2, dtype), np.zeros(2, dtype), {"mode": "train"})
    assert np.isnan(out[:, 0]).all() and np.isfinite(out[:, 1]).all()
    out, _ = spatial_groupnorm_forward(x, np.ones((1, 2, 1, 1), dtype), np.zeros((1, 2, 1, 1), dtype), 2, {})
    assert np.isnan(out[0, 0]).all() and np.isfinite(out[1]).all()
    e = np.zeros((0, 2, 3, 3), dtype)
    out, cache = spatial_groupnorm_forward(e, np.ones((1, 2, 1, 1), dtype), np.zeros((1, 2, 1, 1), dtype), 1, {})
    assert out.shape == e.shape
    assert spatial_groupnorm_backward(e, cache)[0].shape == e.shape
    bn = {"mode": "test", "running_mean": np.zeros(2, dtype), "running_var": np.ones(2, dtype)}
    out, cache = spatial_batchnorm_forward(e, np.ones(2, dtype), np.zeros(2, dtype), bn)
    assert out.shape == e.shape and spatial_batchnorm_backward(e, cache)[0].shape == e.shape
    with pytest.raises(ValueError, match=r"spatial_batchnorm_forward: train mode needs at least one value per channel \(N\*H\*W = 0\)"):
        spatial_batchnorm_forward(e, np.ones(2, dtype), np.zeros(2, dtype), {"mode": "train"})


def test_bad_input():
    x = np.ones((2, 6, 3, 3))
    with pytest.raises(ValueError, match=r"spatial_groupnorm_forward: G \(4\) must be >= 1 and divide C \(6\)"):
        spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 4, {})
    with pytest.raises(ValueError, match=r"spatial_groupnorm_forward: G \(0\)"):
        spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 0, {})
    with pytest.raises(ValueError, match=r"spatial_groupnorm_forward: gamma.size \(5\) must equal C \(6\)"):
        spatial_groupnorm_forward(x, np.ones((1, 5, 1, 1)), np.zeros((1, 6, 1, 1)), 2, {})
    with pytest.raises(ValueError, match=r"spatial_batchnorm_forward: beta.size \(3\) must equal C \(6\)"):
        spatial_batchnorm_forward(x, np.ones(6), np.zeros(3), {"mode": "train"})
    with pytest.raises(ValueError, match='spatial_batchnorm_forward: invalid batchnorm mode "eval"'):
        spatial_batchnorm_forward(x, np.ones(6), np.zeros(6), {"mode": "eval"})
    with pytest.raises(KeyError):
        spatial_batchnorm_forward(x, np.ones(6), np.zeros(6), {})
    with pytest.raises(ValueError, match="spatial_batchnorm_forward: x must be 4-D"):
        spatial_batchnorm_forward(np.ones((2, 6)), np.ones(6), np.zeros(6), {"mode": "train"})
    with pytest.raises(ValueError, match=r"spatial_groupnorm_forward: eps \(-1\) must be a positive"):
        spatial_groupnorm_forward(x, np.ones((1, 6, 1, 1)), np.zeros((1, 6, 1, 1)), 2, {"eps": -1.0})
    with pytest.raises(TypeError, match="spatial_batchnorm_forward"):
        spatial_batchnorm_forward(x.astype(np.int64), np.ones(6), np.zeros(6), {"mode": "train"})


_lx = np.random.default_rng(2).standard_normal((2, 4, 3, 3))
_lg = np.ones(4)
_lb = np.zeros(4)
_lm = np.zeros(4)
_lv = np.ones(4)
_lmg = np.zeros((2, 2))
_lvg = np.ones((2, 2))
LEAK_CALLS = [
    ("sbn train", lambda: _C.spatial_batchnorm_forward(_lx, _lg, _lb, None, None, 1e-5)),
    ("sbn test", lambda: _C.spatial_batchnorm_forward(_lx, _lg, _lb, _lm, _lv, 1e-5)),
    ("sbn bad gamma", lambda: _C.spatial_batchnorm_forward(_lx, _lg[:3], _lb, None, None, 1e-5)),
    ("sbn bad running", lambda: _C.spatial_batchnorm_forward(_lx, _lg, _lb, _lm, _lv[:2], 1e-5)),
    ("gn ok", lambda: _C.spatial_groupnorm_forward(_lx, _lg, _lb, 2, 1e-5)),
    ("gn bad G", lambda: _C.spatial_groupnorm_forward(_lx, _lg, _lb, 3, 1e-5)),
    ("sbn backward", lambda: _C.spatial_norm_backward(_lx, _lx, _lg, _lm, _lv, 1e-5, 0, True)),
    ("gn backward", lambda: _C.spatial_norm_backward(_lx, _lx, _lg, _lmg, _lvg, 1e-5, 2, True)),
    ("gn backward bad stats", lambda: _C.spatial_norm_backward(_lx, _lx, _lg, _lm, _lv, 1e-5, 2, True)),
    ("backward bad dout", lambda: _C.spatial_norm_backward(_lx[:1], _lx, _lg, _lm, _lv, 1e-5, 0, True)),
]


@pytest.mark.parametrize("name,call", LEAK_CALLS, ids=[c[0] for c in LEAK_CALLS])
def test_no_reference_leaks(name, call):
    assert_no_leaks(call, (_lx, _lg, _lb, _lm, _lv, _lmg, _lvg))
