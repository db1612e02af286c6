"""Inverted dropout: CS231n's seeded masks bit for bit, the notebook's statistics, test mode,
numerical gradients, layouts, thread counts, and bad input."""
import numpy as np
import pytest

import reference as ref
from cvnn import _C
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layers import dropout_backward, dropout_forward


@pytest.mark.parametrize("shape", [(1,), (7,), (3, 17), (2, 3, 5, 7), (500, 129)])
@pytest.mark.parametrize("p", [0.25, 0.4, 0.7, 1.0])
def test_seeded_mask_equals_cs231n(shape, p, dtype, rng):
    x = rng.standard_normal(shape).astype(dtype)
    param = {"mode": "train", "p": p, "seed": 123}
    out, cache = dropout_forward(x, param)
    mask = ref.dropout_mask(shape, p, 123)
    assert cache[0] is param
    assert cache[1].dtype == dtype and out.dtype == dtype and out.shape == shape
    assert np.array_equal(cache[1], mask.astype(dtype))
    # the same products NumPy gives in x's dtype
    assert np.array_equal(out, x * mask.astype(dtype))
    if dtype == np.float64:
        assert np.array_equal(out, x * mask)
    dout = rng.standard_normal(shape).astype(dtype)
    dx = dropout_backward(dout, cache)
    assert dx.dtype == dtype and np.array_equal(dx, dout * mask.astype(dtype))


def test_seed_reproduces_and_without_seed_uses_global_rng():
    x = np.ones((20, 30))
    a = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})[0]
    b = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 7})[0]
    assert np.array_equal(a, b)
    np.random.seed(7)
    c = dropout_forward(x, {"mode": "train", "p": 0.5})[0]
    assert np.array_equal(a, c)  # the mask comes from np.random.rand, as in CS231n
    d = dropout_forward(x, {"mode": "train", "p": 0.5})[0]
    assert not np.array_equal(c, d)


@pytest.mark.parametrize("p", [0.25, 0.4, 0.7])
def test_notebook_statistics(p, dtype):
    # Dropout.ipynb "Dropout: forward": mean of train output ~ mean of input, fraction of
    # zeros ~ 1 - p, test output = input
    np.random.seed(231)
    x = (np.random.randn(500, 500) + 10).astype(dtype)
    out, _ = dropout_forward(x, {"mode": "train", "p": p})
    out_test, _ = dropout_forward(x, {"mode": "test", "p": p})
    assert abs(out.mean() - x.mean()) < 0.05 * x.mean()
    assert abs((out == 0).mean() - (1 - p)) < 0.01
    assert out_test is x
    assert (out_test == 0).mean() == 0


def test_numerical_gradient():
    # Dropout.ipynb "Dropout: backward": relative error ~1e-11
    np.random.seed(231)
    x = np.random.randn(10, 10) + 10
    dout = np.random.randn(*x.shape)
    param = {"mode": "train", "p": 0.2, "seed": 123}
    out, cache = dropout_forward(x, param)
    dx = dropout_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda xx: dropout_forward(xx, param)[0], x, dout)
    assert rel_error(dx, dx_num) < 1e-7
    assert np.array_equal(dx == 0, cache[1] == 0) and 0 < (dx == 0).mean() < 1


def test_test_mode_identity_and_backward(dtype, rng):
    x = rng.standard_normal((4, 5)).astype(dtype)
    param = {"mode": "test", "p": 0.3}
    out, cache = dropout_forward(x, param)
    assert out is x and cache == (param, None)
    dout = rng.standard_normal((4, 5)).astype(dtype)
    assert dropout_backward(dout, cache) is dout


def test_p_one_keeps_everything(dtype, rng):
    x = rng.standard_normal((6, 7)).astype(dtype)
    out, cache = dropout_forward(x, {"mode": "train", "p": 1.0})
    assert np.array_equal(out, x) and np.array_equal(cache[1], np.ones_like(x))


def test_layouts(dtype, rng):
    x = rng.standard_normal((8, 10)).astype(dtype)
    ref_out, ref_cache = dropout_forward(x, {"mode": "train", "p": 0.6, "seed": 3})
    big = np.zeros((16, 20), dtype)
    big[::2, ::2] = x
    for xl in (np.asfortranarray(x), big[::2, ::2]):
        out, cache = dropout_forward(xl, {"mode": "train", "p": 0.6, "seed": 3})
        assert np.array_equal(out, ref_out) and np.array_equal(cache[1], ref_cache[1])
    dout = rng.standard_normal((8, 10)).astype(dtype)
    assert np.array_equal(dropout_backward(np.asfortranarray(dout), ref_cache),
                          dropout_backward(dout, ref_cache))


def test_threads_bitwise_identical(dtype, threads, rng):
    x = rng.standard_normal((300, 1000)).astype(dtype)
    dout = rng.standard_normal((300, 1000)).astype(dtype)
    results = []
    for n in (1, 2):
        threads(n)
        out, cache = dropout_forward(x, {"mode": "train", "p": 0.5, "seed": 1})
        results.append((out, dropout_backward(dout, cache)))
    for a, b in zip(*results):
        assert np.array_equal(a, b)


def test_empty_and_nan(dtype):
    out, cache = dropout_forward(np.zeros((0, 4), dtype), {"mode": "train", "p": 0.5})
    assert out.shape == (0, 4) and out.dtype == dtype and cache[1].shape == (0, 4)
    assert dropout_backward(np.zeros((0, 4), dtype), cache).shape == (0, 4)
    x = np.array([np.nan, 1.0, np.nan, 2.0], dtype)
    out, cache = dropout_forward(x, {"mode": "train", "p": 1.0})
    assert np.isnan(out[0]) and np.isnan(out[2]) and out[1] == 1 and out[3] == 2
    out, cache = dropout_forward(np.full(1000, np.nan, dtype), {"mode": "train", "p": 0.5})
    assert np.isnan(out).all()  # NaN * 0 is NaN, as in NumPy


@pytest.mark.parametrize("p", [0, 0.0, -0.5, 1.5, float("nan"), float("inf")])
def test_bad_p(p):
    for mode in ("train", "test"):
        with pytest.raises(ValueError, match=r"dropout_forward: p \(keep probability\) must be in \(0, 1\], got"):
            dropout_forward(np.ones(3), {"mode": mode, "p": p})
    with pytest.raises(ValueError, match="got 1.5"):
        dropout_forward(np.ones(3), {"mode": "train", "p": 1.5})
    with pytest.raises(ValueError, match="dropout_forward: p"):
        _C.dropout_forward(np.ones(3), np.zeros(3), p)


def test_bad_mode_and_missing_keys():
    with pytest.raises(ValueError, match='Invalid forward dropout mode "eval"'):
        dropout_forward(np.ones(3), {"mode": "eval", "p": 0.5})
    with pytest.raises(KeyError, match="p"):
        dropout_forward(np.ones(3), {"mode": "train"})
    with pytest.raises(KeyError, match="mode"):
        dropout_forward(np.ones(3), {"p": 0.5})
    with pytest.raises(TypeError, match="dropout_forward: p must be a number"):
        dropout_forward(np.ones(3), {"mode": "train", "p": "0.5"})


@pytest.mark.parametrize("bad", [np.float16, np.int32, np.int64, object, np.complex128])
def test_bad_dtype_is_type_error(bad):
    x = np.ones((2, 3)).astype(bad)
    for mode in ("train", "test"):
        with pytest.raises(TypeError, match="dropout_forward: x must be float32 or float64"):
            dropout_forward(x, {"mode": mode, "p": 0.5})
    _, cache = dropout_forward(np.ones((2, 3)), {"mode": "train", "p": 0.5})
    with pytest.raises(TypeError, match="dropout_backward: dout must be float32 or float64"):
        dropout_backward(x, cache)


def test_bad_shapes():
    _, cache = dropout_forward(np.ones((2, 3)), {"mode": "train", "p": 0.5})
    with pytest.raises(ValueError, match=r"dropout_backward: dout.shape \(3, 2\) must equal mask.shape \(2, 3\)"):
        dropout_backward(np.ones((3, 2)), cache)
    with pytest.raises(ValueError, match=r"dropout_forward: u.shape"):
        _C.dropout_forward(np.ones((2, 3)), np.zeros(6), 0.5)

