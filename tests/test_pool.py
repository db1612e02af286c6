"""Max pooling: naive, im2col (one argmax per window) and reshape (ties share) against the
oracle, the CS231n notebook constant, numerical gradients, PyTorch, overlapping windows,
ties, layouts, threads and bad input."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close, assert_no_leaks
from cvnn import _C
from cvnn.fast_layers import (max_pool_backward_fast, max_pool_backward_im2col,
                              max_pool_backward_reshape, max_pool_forward_fast,
                              max_pool_forward_im2col, max_pool_forward_reshape)
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layers import max_pool_backward_naive, max_pool_forward_naive

ARGMAX_IMPLS = [(max_pool_forward_naive, max_pool_backward_naive),
                (max_pool_forward_im2col, max_pool_backward_im2col),
                (max_pool_forward_fast, max_pool_backward_fast)]

# (x shape, ph, pw, stride): tiling, overlapping (stride < window), windows that do not tile,
# rectangular windows, a window as large as the input, a batch of 1, C = 1
GEOMS = [((2, 3, 4, 4), 2, 2, 2), ((1, 1, 5, 5), 3, 3, 2), ((2, 2, 6, 7), 2, 3, 1),
         ((3, 2, 9, 8), 3, 2, 3), ((1, 3, 4, 6), 4, 6, 1), ((2, 1, 7, 7), 2, 2, 2),
         ((4, 5, 8, 8), 4, 4, 4), ((1, 2, 11, 10), 3, 3, 1)]


def _pp(ph, pw, s):
    return {"pool_height": ph, "pool_width": pw, "stride": s}


def test_pool_notebook_constant():
    # CS231n ConvolutionalNetworks.ipynb "Max-Pooling: Naive forward"
    x_shape = (2, 3, 4, 4)
    x = np.linspace(-0.3, 0.4, num=np.prod(x_shape)).reshape(x_shape)
    correct_out = np.array([[[[-0.26315789, -0.24842105], [-0.20421053, -0.18947368]],
                             [[-0.14526316, -0.13052632], [-0.08631579, -0.07157895]],
                             [[-0.02736842, -0.01263158], [0.03157895, 0.04631579]]],
                            [[[0.09052632, 0.10526316], [0.14947368, 0.16421053]],
                             [[0.20842105, 0.22315789], [0.26736842, 0.28210526]],
                             [[0.32631579, 0.34105263], [0.38526316, 0.4]]]])
    for fwd, _ in ARGMAX_IMPLS:
        out, _ = fwd(x, _pp(2, 2, 2))
        assert rel_error(out, correct_out) < 1e-7  # 8 printed decimals


@pytest.mark.parametrize("xs,ph,pw,s", GEOMS)
def test_pool_matches_reference(xs, ph, pw, s, dtype, rng):
    x = rng.standard_normal(xs).astype(dtype)
    want, _ = ref.max_pool_forward(x, ph, pw, s)
    dout = rng.standard_normal(want.shape).astype(dtype)
    rdx = ref.max_pool_backward(dout, x, ph, pw, s)
    for fwd, bwd in ARGMAX_IMPLS:
        out, cache = fwd(x, _pp(ph, pw, s))
        assert_close(out, want, dtype)
        assert_close(bwd(dout, cache), rdx, dtype)


def test_overlapping_windows_accumulate():
    # the centre is the maximum of all four overlapping 2x2 windows (stride 1): it gets 1+2+3+4
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0
    dout = np.arange(1.0, 5.0).reshape(1, 1, 2, 2)
    for fwd, bwd in ARGMAX_IMPLS:
        out, cache = fwd(x, _pp(2, 2, 1))
        assert np.array_equal(out, np.full((1, 1, 2, 2), 5.0))
        dx = bwd(dout, cache)
        assert dx[0, 0, 1, 1] == 10.0 and dx.sum() == 10.0


def test_ties_first_maximum_or_equal_share():
    x = np.ones((1, 1, 4, 4))
    dout = np.full((1, 1, 2, 2), 4.0)
    for fwd, bwd in ARGMAX_IMPLS[:2]:  # one argmax per window: the first maximum
        dx = bwd(dout, fwd(x, _pp(2, 2, 2))[1])
        want = np.zeros((4, 4))
        want[::2, ::2] = 4.0
        assert np.array_equal(dx[0, 0], want)
    out, cache = max_pool_forward_reshape(x, _pp(2, 2, 2))  # CS231n reshape: equal shares
    assert np.array_equal(max_pool_backward_reshape(dout, cache), np.ones((1, 1, 4, 4)))
    assert_close(max_pool_backward_reshape(dout, cache), ref.max_pool_backward_split(dout, x, 2, 2, 2), np.float64)


@pytest.mark.parametrize("xs,ph,pw,s", [g for g in GEOMS if g[1] == g[2] == g[3] and
                                        g[0][2] % g[1] == 0 and g[0][3] % g[2] == 0])
def test_reshape_and_fast_dispatch(xs, ph, pw, s, dtype, rng):
    x = np.round(rng.standard_normal(xs), 1).astype(dtype)  # rounding makes ties
    dout = rng.standard_normal(ref.max_pool_forward(x, ph, pw, s)[0].shape).astype(dtype)
    out, cache = max_pool_forward_fast(x, _pp(ph, pw, s))
    assert cache[0] == "reshape"
    assert_close(out, ref.max_pool_forward(x, ph, pw, s)[0], dtype)
    assert_close(max_pool_backward_fast(dout, cache), ref.max_pool_backward_split(dout, x, ph, pw, s), dtype)
    _, cache = max_pool_forward_fast(x[:, :, :xs[2] - 1], _pp(ph, pw, s))
    assert cache[0] == "im2col"


@pytest.mark.parametrize("xs", [(2, 3, 8, 8), (1, 2, 7, 9), (3, 1, 6, 5)])
def test_2x2_stride2_kernels_odd_sizes_and_ties(xs, dtype, rng):
    # the 2x2 stride-2 pool has its own values-only forward and share-the-ties backward; the
    # kernels accept sizes the Python reshape API refuses (odd H, W: the last row or column is
    # in no window and gets zero gradient), so call them directly
    x = np.round(rng.standard_normal(xs), 1).astype(dtype)
    x[0, 0, :2, :2] = 0.5  # a four-way tie
    want, _ = ref.max_pool_forward(x, 2, 2, 2)
    out = _C.max_pool_forward(x, 2, 2, 2, False, "t")
    assert_close(out, want, dtype)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = _C.max_pool_backward(dout, x, 2, 2, 2, None, out, "t")
    assert_close(dx, ref.max_pool_backward_split(dout, x, 2, 2, 2), dtype)
    assert dx[0, 0, 0, 0] == dx[0, 0, 1, 1] == dout[0, 0, 0, 0] / 4
    if xs[2] % 2:
        assert not dx[:, :, -1, :].any()
    if xs[3] % 2:
        assert not dx[:, :, :, -1].any()


@pytest.mark.parametrize("xs,ph,pw,s", GEOMS[:6])
def test_pool_numerical_gradient(xs, ph, pw, s, rng):
    x = rng.permutation(np.prod(xs)).reshape(xs) * 0.01  # distinct values: no ties
    dout = rng.standard_normal(ref.max_pool_forward(x, ph, pw, s)[0].shape)
    for fwd, bwd in ARGMAX_IMPLS:
        p = _pp(ph, pw, s)
        dx = bwd(dout, fwd(x, p)[1])
        dx_num = eval_numerical_gradient_array(lambda x: fwd(x, p)[0], x, dout)
        assert rel_error(dx, dx_num) < 1e-10  # the notebook: ~1e-12


@pytest.mark.parametrize("xs,ph,pw,s", GEOMS)
def test_pool_matches_torch(xs, ph, pw, s, rng):
    torch = pytest.importorskip("torch")
    x = rng.standard_normal(xs)
    xt = torch.tensor(x, requires_grad=True)
    ot = torch.nn.functional.max_pool2d(xt, (ph, pw), stride=s)
    dout = rng.standard_normal(tuple(ot.shape))
    ot.backward(torch.tensor(dout))
    for fwd, bwd in ARGMAX_IMPLS:
        out, cache = fwd(x, _pp(ph, pw, s))
        assert np.array_equal(out, ot.detach().numpy())
        assert_close(bwd(dout, cache), xt.grad.numpy(), np.float64)


def test_threads_bitwise_identical(dtype, threads, rng):
    x = rng.standard_normal((16, 32, 32, 32)).astype(dtype)
    res = []
    for n in (1, 2):
        threads(n)
        r = []
        for p in (_pp(2, 2, 2), _pp(3, 3, 2)):
            for fwd, bwd in ARGMAX_IMPLS:
                out, cache = fwd(x, p)
                r += [out, bwd(np.sin(out), cache)]
        res.append(r)
    for a, c in zip(*res):
        assert np.array_equal(a, c)


def test_noncontiguous_and_fortran_inputs(dtype, rng):
    x = rng.standard_normal((2, 3, 8, 8)).astype(dtype)
    p = _pp(3, 3, 2)
    out, cache = max_pool_forward_naive(x, p)
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx = max_pool_backward_naive(dout, cache)
    big = np.zeros((2, 6, 8, 16), dtype)
    big[:, ::2, :, ::2] = x
    for v in (np.asfortranarray(x), big[:, ::2, :, ::2]):
        for fwd, bwd in ARGMAX_IMPLS:
            o, c = fwd(v, p)
            assert np.array_equal(o, out)
            assert np.array_equal(bwd(np.asfortranarray(dout), c), dx)


def test_empty_batch_and_nan(dtype):
    for fwd, bwd in ARGMAX_IMPLS:
        out, cache = fwd(np.zeros((0, 2, 4, 4), dtype), _pp(2, 2, 2))
        assert out.shape == (0, 2, 2, 2) and out.dtype == dtype
        assert bwd(np.zeros((0, 2, 2, 2), dtype), cache).shape == (0, 2, 4, 4)
    x = np.zeros((1, 1, 4, 4), dtype)
    x[0, 0, 1, 1] = np.nan
    for fwd, bwd in ARGMAX_IMPLS:
        out, cache = fwd(x, _pp(2, 2, 2))
        assert np.isnan(out[0, 0, 0, 0]) and np.isfinite(out[0, 0, 1, 1])
        dx = bwd(np.ones_like(out), cache)
        if fwd is max_pool_forward_fast:  # reshape: no element equals a NaN maximum
            assert dx[0, 0, 1, 1] == 0 and dx.sum() == 3
        else:  # the NaN is the window's argmax
            assert dx[0, 0, 1, 1] == 1 and dx.sum() == 4


def test_bad_input():
    x = np.ones((2, 3, 5, 4))
    for fwd, _ in ARGMAX_IMPLS:
        name = fwd.__name__
        with pytest.raises(ValueError, match=name + r": the 6x2 pool window .* larger than the 5x4 input"):
            fwd(x, _pp(6, 2, 1))
        with pytest.raises(ValueError, match=name + r": .*stride \(0\) must be >= 1"):
            fwd(x, _pp(2, 2, 0))
        with pytest.raises(ValueError, match=name + r": pool_height \(0\)"):
            fwd(x, _pp(0, 2, 1))
        with pytest.raises(ValueError, match=name + ": x must be 4-D"):
            fwd(np.ones((3, 5, 4)), _pp(2, 2, 2))
        with pytest.raises(TypeError, match=name):
            fwd(x.astype(np.int32), _pp(2, 2, 2))
    with pytest.raises(ValueError, match=r"max_pool_backward_naive: dout.shape \(2, 3, 1, 1\) must equal \(N, C, Ho, Wo\) \(2, 3, 2, 2\)"):
        max_pool_backward_naive(np.ones((2, 3, 1, 1)), (x, _pp(2, 2, 2)))
    with pytest.raises(ValueError, match="max_pool_forward_reshape: needs pool_height == pool_width == stride"):
        max_pool_forward_reshape(x, _pp(2, 2, 2))  # 5 rows are not tiled by 2
    out, (x_, argmax, p) = max_pool_forward_im2col(x, _pp(2, 2, 2))
    argmax = argmax.copy()
    argmax[0, 0, 0, 0] = 99
    with pytest.raises(ValueError, match=r"max_pool_backward_im2col: argmax\[0\] = 99 is outside \[0, H\*W = 20\)"):
        max_pool_backward_im2col(np.ones_like(out), (x_, argmax, p))
    with pytest.raises(ValueError, match="unrecognized method"):
        max_pool_backward_fast(np.ones_like(out), ("bogus", None))


_lx = np.random.default_rng(2).standard_normal((2, 3, 6, 6))
_ld = np.ones((2, 3, 3, 3))
_lo, _li = _C.max_pool_forward(_lx, 2, 2, 2, True)
LEAK_CALLS = [
    ("forward ok", lambda: _C.max_pool_forward(_lx, 2, 2, 2, True)),
    ("forward bad window", lambda: _C.max_pool_forward(_lx, 7, 2, 2, False)),
    ("backward recompute", lambda: _C.max_pool_backward(_ld, _lx, 2, 2, 2)),
    ("backward argmax", lambda: _C.max_pool_backward(_ld, _lx, 2, 2, 2, _li)),
    ("backward argmax bad", lambda: _C.max_pool_backward(_ld, _lx, 2, 2, 2, _li + 99)),
    ("backward split", lambda: _C.max_pool_backward(_ld, _lx, 2, 2, 2, None, _lo)),
    ("backward split bad", lambda: _C.max_pool_backward(_ld, _lx, 2, 2, 2, None, _lo[:1])),
    ("backward bad dout", lambda: _C.max_pool_backward(_ld[:1], _lx, 2, 2, 2)),
]


@pytest.mark.parametrize("name,call", LEAK_CALLS, ids=[c[0] for c in LEAK_CALLS])
def test_no_reference_leaks(name, call):
    assert_no_leaks(call, (_lx, _ld, _lo, _li))
