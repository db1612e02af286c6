"""Convolution: naive (direct loops) and fast (im2col + GEMM) against the NumPy oracle, the
CS231n notebook constant, numerical gradients, PyTorch, odd geometries, every ISA path, thread
counts, im2col/col2im on their own, layouts and bad input."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close, assert_no_leaks
from cvnn import _C
from cvnn.fast_layers import (col2im, conv_backward_fast, conv_backward_im2col,
                              conv_backward_strides, conv_forward_fast, conv_forward_im2col,
                              conv_forward_strides, im2col)
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layers import conv_backward_naive, conv_forward_naive

# (x shape, w shape, stride, pad): strides 2 and 3 with pads that do not tile the input, 1x1,
# HH != WW, H != W, a batch of 1, C = 1, F = 1, a kernel as large as the padded input
GEOMS = [
    ((2, 3, 4, 4), (3, 3, 4, 4), 2, 1),
    ((1, 1, 5, 5), (1, 1, 3, 3), 1, 0),
    ((2, 3, 7, 5), (4, 3, 3, 2), 2, 1),
    ((3, 2, 9, 8), (5, 2, 4, 4), 3, 2),
    ((2, 4, 6, 7), (3, 4, 1, 1), 1, 0),
    ((2, 4, 6, 7), (3, 4, 1, 1), 2, 1),
    ((1, 3, 8, 11), (1, 3, 5, 3), 3, 1),
    ((2, 2, 3, 3), (2, 2, 5, 5), 1, 1),
    ((2, 1, 10, 6), (3, 1, 2, 6), 2, 0),
    ((3, 5, 13, 13), (7, 5, 3, 3), 1, 1),
    # stride 1 with Wo == W: rows copied and added as one shifted run each (the same-size
    # 5x5, a rectangular kernel with Ho != H, planes of 2x2 and 1x1 smaller than the kernel)
    ((2, 2, 6, 6), (3, 2, 5, 5), 1, 2),
    ((2, 3, 6, 7), (4, 3, 2, 3), 1, 1),
    ((2, 3, 2, 2), (2, 3, 3, 3), 1, 1),
    ((3, 2, 1, 1), (2, 2, 3, 3), 1, 1),
]


@pytest.fixture(params=["one image at a time", "chunks"])
def conv_path(request):
    """Run the test on both fast-conv paths: small images (all the shapes here) normally go one
    at a time; a limit below 0 sends every shape through the chunked im2col matrix."""
    before = _C.conv_fused_bytes()
    if request.param == "chunks":
        _C.conv_fused_bytes(-1.0)
    yield request.param
    _C.conv_fused_bytes(before)


def _make(rng, xs, ws, dtype):
    x = rng.standard_normal(xs).astype(dtype)
    w = rng.standard_normal(ws).astype(dtype)
    b = rng.standard_normal(ws[0]).astype(dtype)
    return x, w, b


def test_conv_notebook_constant():
    # CS231n ConvolutionalNetworks.ipynb "Convolution: Naive forward pass"
    x_shape, w_shape = (2, 3, 4, 4), (3, 3, 4, 4)
    x = np.linspace(-0.1, 0.5, num=np.prod(x_shape)).reshape(x_shape)
    w = np.linspace(-0.2, 0.3, num=np.prod(w_shape)).reshape(w_shape)
    b = np.linspace(-0.1, 0.2, num=3)
    correct_out = np.array([[[[-0.08759809, -0.10987781], [-0.18387192, -0.2109216]],
                             [[0.21027089, 0.21661097], [0.22847626, 0.23004637]],
                             [[0.50813986, 0.54309974], [0.64082444, 0.67101435]]],
                            [[[-0.98053589, -1.03143541], [-1.19128892, -1.24695841]],
                             [[0.69108355, 0.66880383], [0.59480972, 0.56776003]],
                             [[2.36270298, 2.36904306], [2.38090835, 2.38247847]]]])
    conv_param = {"stride": 2, "pad": 1}
    for fwd in (conv_forward_naive, conv_forward_fast):
        out, _ = fwd(x, w, b, conv_param)
        assert rel_error(out, correct_out) < 1e-7  # the constants have 8 decimals


@pytest.mark.parametrize("xs,ws,stride,pad", GEOMS)
def test_conv_matches_reference(xs, ws, stride, pad, dtype, rng, conv_path):
    x, w, b = _make(rng, xs, ws, dtype)
    x0 = x.copy()
    conv_param = {"stride": stride, "pad": pad}
    want = ref.conv_forward(x, w, b, stride, pad)
    dout = rng.standard_normal(want.shape).astype(dtype)
    rdx, rdw, rdb = ref.conv_backward(dout, x, w, stride, pad)
    for fwd, bwd in ((conv_forward_naive, conv_backward_naive),
                     (conv_forward_fast, conv_backward_fast)):
        out, cache = fwd(x, w, b, conv_param)
        assert cache[0] is x and cache[1] is w and cache[2] is b and cache[3] is conv_param
        assert_close(out, want, dtype)
        dx, dw, db = bwd(dout, cache)
        assert_close(dx, rdx, dtype)
        assert_close(dw, rdw, dtype)
        assert_close(db, rdb, dtype)
    assert np.array_equal(x, x0)  # x is not modified (no padding in place)


def test_unreached_rows_get_zero_gradient(rng, conv_path):
    # H + 2*pad - HH = 6 is not a multiple of stride 4: the windows cover padded rows 0-2 and
    # 4-6, i.e. input rows -1..1 and 3..5, so input rows (and columns) 2 and 6 are never read
    x = rng.standard_normal((1, 1, 7, 7))
    w = rng.standard_normal((1, 1, 3, 3))
    b = np.zeros(1)
    p = {"stride": 4, "pad": 1}
    for fwd, bwd in ((conv_forward_naive, conv_backward_naive),
                     (conv_forward_fast, conv_backward_fast)):
        out, cache = fwd(x, w, b, p)
        assert out.shape == (1, 1, 2, 2)
        dx = bwd(np.ones_like(out), cache)[0]
        for k in (2, 6):
            assert np.all(dx[0, 0, k, :] == 0) and np.all(dx[0, 0, :, k] == 0)
        assert np.all(np.delete(np.delete(dx[0, 0], [2, 6], 0), [2, 6], 1) != 0)


@pytest.mark.parametrize("xs,ws,stride,pad", [((4, 3, 5, 5), (2, 3, 3, 3), 1, 1),
                                              ((2, 3, 7, 6), (3, 3, 3, 2), 2, 1),
                                              ((1, 2, 5, 5), (2, 2, 1, 1), 1, 0),
                                              ((2, 1, 6, 6), (1, 1, 4, 2), 3, 2)])
@pytest.mark.parametrize("impl", ["naive", "fast"])
def test_conv_numerical_gradient(xs, ws, stride, pad, impl, rng, conv_path):
    fwd, bwd = {"naive": (conv_forward_naive, conv_backward_naive),
                "fast": (conv_forward_fast, conv_backward_fast)}[impl]
    x, w, b = _make(rng, xs, ws, np.float64)
    p = {"stride": stride, "pad": pad}
    out, cache = fwd(x, w, b, p)
    dout = rng.standard_normal(out.shape)
    dx, dw, db = bwd(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda x: fwd(x, w, b, p)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: fwd(x, w, b, p)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: fwd(x, w, b, p)[0], b, dout)
    assert rel_error(dx, dx_num) < 1e-7
    assert rel_error(dw, dw_num) < 1e-7
    assert rel_error(db, db_num) < 1e-7


@pytest.mark.parametrize("xs,ws,stride,pad", GEOMS[:7])
def test_conv_matches_torch(xs, ws, stride, pad, rng):
    torch = pytest.importorskip("torch")
    x, w, b = _make(rng, xs, ws, np.float64)
    xt, wt, bt = (torch.tensor(a, requires_grad=True) for a in (x, w, b))
    ot = torch.nn.functional.conv2d(xt, wt, bt, stride=stride, padding=pad)
    dout = rng.standard_normal(tuple(ot.shape))
    ot.backward(torch.tensor(dout))
    out, cache = conv_forward_fast(x, w, b, {"stride": stride, "pad": pad})
    assert_close(out, ot.detach().numpy(), np.float64)
    for got, t in zip(conv_backward_fast(dout, cache), (xt, wt, bt)):
        assert_close(got, t.grad.numpy(), np.float64)


def test_fast_equals_naive_like_the_notebook():
    # the notebook: x (100, 3, 31, 31), w (25, 3, 3, 3), stride 2, pad 1, prints ~1e-11 or 0.
    # rel_error is elementwise, so among 640000 outputs the ones near zero decide; the bound
    # leaves room for a GEMM that sums in another order (blocked, FMA) than the direct loops.
    rng = np.random.RandomState(231)
    x = rng.randn(100, 3, 31, 31)
    w = rng.randn(25, 3, 3, 3)
    b = rng.randn(25)
    p = {"stride": 2, "pad": 1}
    out_naive, cache_naive = conv_forward_naive(x, w, b, p)
    out_fast, cache_fast = conv_forward_fast(x, w, b, p)
    assert rel_error(out_naive, out_fast) < 1e-9
    assert_close(out_fast, out_naive, np.float64)
    dout = rng.randn(*out_fast.shape)
    for a, c in zip(conv_backward_naive(dout, cache_naive), conv_backward_fast(dout, cache_fast)):
        assert rel_error(a, c) < 1e-9
        assert_close(c, a, np.float64)


def test_aliases_are_the_fast_conv():
    assert conv_forward_im2col is conv_forward_fast and conv_forward_strides is conv_forward_fast
    assert conv_backward_im2col is conv_backward_fast and conv_backward_strides is conv_backward_fast


@pytest.mark.parametrize("xs,ws,stride,pad", [((3, 5, 9, 10), (6, 5, 3, 3), 2, 1),
                                              # small images take the one-image-at-a-time
                                              # path; 11 images: dw in groups of 4, 4, 3
                                              ((11, 3, 15, 15), (7, 3, 3, 3), 2, 1),
                                              ((2, 8, 6, 6), (4, 8, 1, 1), 1, 0),
                                              ((2, 3, 17, 17), (33, 3, 5, 5), 1, 2)])
def test_fast_conv_every_isa(xs, ws, stride, pad, dtype, isa, rng, conv_path):
    x, w, b = _make(rng, xs, ws, dtype)
    p = {"stride": stride, "pad": pad}
    out, cache = conv_forward_fast(x, w, b, p)
    assert_close(out, ref.conv_forward(x, w, b, stride, pad), dtype)
    dout = rng.standard_normal(out.shape).astype(dtype)
    for got, want in zip(conv_backward_fast(dout, cache), ref.conv_backward(dout, x, w, stride, pad)):
        assert_close(got, want, dtype)


@pytest.mark.parametrize("xs,ws,stride,pad", [((6, 16, 20, 20), (24, 16, 3, 3), 1, 1),
                                              # one image at a time, dw in groups of images
                                              ((11, 3, 15, 15), (7, 3, 3, 3), 2, 1),
                                              ((9, 3, 32, 32), (32, 3, 7, 7), 1, 3),
                                              ((5, 32, 12, 12), (16, 32, 1, 1), 1, 0),
                                              # chunks of 8 MB: f32 2.4 MB per image, so
                                              # chunks of 3 + 3 + 1 images; f64 one each
                                              ((7, 64, 32, 32), (4, 64, 3, 3), 1, 1)])
def test_threads_bitwise_identical(xs, ws, stride, pad, dtype, threads, rng, conv_path):
    x, w, b = _make(rng, xs, ws, dtype)
    p = {"stride": stride, "pad": pad}
    results = []
    for n in (1, 2):
        threads(n)
        out, cache = conv_forward_fast(x, w, b, p)
        dout = np.cos(out)
        results.append((out,) + tuple(conv_backward_fast(dout, cache)))
    for a, c in zip(*results):
        assert np.array_equal(a, c)


@pytest.mark.parametrize("xs,ws,stride,pad", [((11, 3, 15, 15), (7, 3, 3, 3), 2, 1),  # fused
                                              ((7, 64, 32, 32), (4, 64, 3, 3), 1, 1),  # chunks
                                              ((3, 8, 5, 5), (6, 8, 1, 1), 1, 0)])     # 1x1
def test_backward_without_dx(xs, ws, stride, pad, dtype, rng, conv_path):
    # need_dx=False (a first layer) returns None for dx and the very same dw and db
    x, w, b = _make(rng, xs, ws, dtype)
    out, cache = conv_forward_fast(x, w, b, {"stride": stride, "pad": pad})
    dout = rng.standard_normal(out.shape).astype(dtype)
    dx, dw, db = conv_backward_fast(dout, cache)
    none, dw2, db2 = conv_backward_fast(dout, cache, need_dx=False)
    assert none is None
    assert np.array_equal(dw, dw2) and np.array_equal(db, db2)
    assert_close(dw, ref.conv_backward(dout, x, w, stride, pad)[1], dtype)


def test_several_chunks_match_torch(dtype, rng):
    # the columns go in chunks of at most 8 MB: here chunks of 3 + 3 + 1 images (float32) or
    # of one image each (float64), with dw summed over the chunks
    torch = pytest.importorskip("torch")
    x, w, b = _make(rng, (7, 64, 32, 32), (4, 64, 3, 3), dtype)
    xt, wt, bt = (torch.tensor(a.astype(np.float64), requires_grad=True) for a in (x, w, b))
    ot = torch.nn.functional.conv2d(xt, wt, bt, padding=1)
    dout = rng.standard_normal(tuple(ot.shape)).astype(dtype)
    ot.backward(torch.tensor(dout.astype(np.float64)))
    out, cache = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    assert_close(out, ot.detach().numpy(), dtype)
    for got, t in zip(conv_backward_fast(dout, cache), (xt, wt, bt)):
        assert_close(got, t.grad.numpy(), dtype)


@pytest.mark.parametrize("stride,pad", [(1, 0), (1, 1), (2, 1), (3, 2)])
def test_im2col_layout_and_col2im_adjoint(stride, pad, dtype, rng):
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    HH, WW = 3, 2
    cols = im2col(x, HH, WW, padding=pad, stride=stride)
    Ho = 1 + (7 + 2 * pad - HH) // stride
    Wo = 1 + (6 + 2 * pad - WW) // stride
    assert cols.shape == (3 * HH * WW, 2 * Ho * Wo) and cols.dtype == dtype
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    for n in range(2):
        for oh in range(Ho):
            for ow in range(Wo):
                win = xp[n, :, oh * stride:oh * stride + HH, ow * stride:ow * stride + WW]
                assert np.array_equal(cols[:, (n * Ho + oh) * Wo + ow], win.reshape(-1))
    # col2im is im2col's adjoint: <im2col(x), c> == <x, col2im(c)>
    c = rng.standard_normal(cols.shape).astype(dtype)
    back = col2im(c, x.shape, HH, WW, padding=pad, stride=stride)
    assert back.shape == x.shape
    lhs = np.sum(cols.astype(np.float64) * c)
    rhs = np.sum(x.astype(np.float64) * back)
    assert abs(lhs - rhs) <= 1e-4 * (np.abs(cols) * np.abs(c)).sum()


def test_noncontiguous_and_fortran_inputs(dtype, rng, conv_path):
    x, w, b = _make(rng, (3, 4, 9, 8), (5, 4, 3, 3), dtype)
    p = {"stride": 2, "pad": 1}
    out, cache = conv_forward_fast(x, w, b, p)
    dout = rng.standard_normal(out.shape).astype(dtype)
    grads = conv_backward_fast(dout, cache)
    big = np.zeros((3, 8, 18, 8), dtype)
    big[:, ::2, ::2, :] = x
    views = [np.asfortranarray(x), big[:, ::2, ::2, :], x.transpose(0, 1, 3, 2).copy().transpose(0, 1, 3, 2)]
    for v in views:
        for fwd, bwd in ((conv_forward_fast, conv_backward_fast),
                         (conv_forward_naive, conv_backward_naive)):
            o, c = fwd(v, np.asfortranarray(w), b, p)
            assert_close(o, out.astype(np.float64), dtype)
            g = bwd(np.asfortranarray(dout), c)
            for a, e in zip(g, grads):
                assert_close(a, e.astype(np.float64), dtype)
    assert np.array_equal(conv_forward_fast(big[:, ::2, ::2, :], w, b, p)[0], out)


def test_empty_batch_and_nan(dtype, conv_path):
    w = np.ones((2, 3, 3, 3), dtype)
    b = np.arange(2, dtype=dtype)
    p = {"stride": 1, "pad": 1}
    for fwd, bwd in ((conv_forward_naive, conv_backward_naive),
                     (conv_forward_fast, conv_backward_fast)):
        out, cache = fwd(np.zeros((0, 3, 4, 4), dtype), w, b, p)
        assert out.shape == (0, 2, 4, 4) and out.dtype == dtype
        dx, dw, db = bwd(np.zeros((0, 2, 4, 4), dtype), cache)
        assert dx.shape == (0, 3, 4, 4) and np.array_equal(dw, np.zeros_like(w))
        assert np.array_equal(db, np.zeros(2))
        x = np.ones((1, 3, 4, 4), dtype)
        x[0, 0, 0, 0] = np.nan
        out, _ = fwd(x, w, b, p)
        assert np.isnan(out[0, :, 0, 0]).all() and np.isnan(out[0, :, 1, 1]).all()
        assert np.isfinite(out[0, :, 3, 3]).all()


@pytest.mark.parametrize("bad", [np.float16, np.int32, object, np.complex128])
def test_bad_dtype_is_type_error(bad):
    x = np.ones((1, 1, 4, 4)).astype(bad)
    w = np.ones((1, 1, 3, 3))
    b = np.ones(1)
    for fwd in (conv_forward_naive, conv_forward_fast):
        with pytest.raises(TypeError, match=fwd.__name__):
            fwd(x, w, b, {"stride": 1, "pad": 0})


def test_bad_geometry_is_value_error():
    x = np.ones((2, 3, 5, 5))
    w = np.ones((4, 3, 3, 3))
    b = np.ones(4)
    for fwd in (conv_forward_naive, conv_forward_fast):
        name = fwd.__name__
        with pytest.raises(ValueError, match=name + r": the 8x3 kernel .* larger than the padded input 7x7"):
            fwd(x, np.ones((4, 3, 8, 3)), b, {"stride": 1, "pad": 1})
        with pytest.raises(ValueError, match=name + r": stride \(0\) must be >= 1"):
            fwd(x, w, b, {"stride": 0, "pad": 1})
        with pytest.raises(ValueError, match=name + r": stride \(-2\) must be >= 1"):
            fwd(x, w, b, {"stride": -2, "pad": 1})
        with pytest.raises(ValueError, match=name + r": pad \(-1\) must be >= 0"):
            fwd(x, w, b, {"stride": 1, "pad": -1})
        with pytest.raises(ValueError, match=name + r": w.shape\[1\] \(input channels\) \(2\) must equal x.shape\[1\] \(3\)"):
            fwd(x, np.ones((4, 2, 3, 3)), b, {"stride": 1, "pad": 1})
        with pytest.raises(ValueError, match=name + r": b.shape\[0\] \(3\) must equal w.shape\[0\] \(filters\) \(4\)"):
            fwd(x, w, np.ones(3), {"stride": 1, "pad": 1})
        with pytest.raises(ValueError, match=name + ": x must be 4-D"):
            fwd(np.ones((3, 5, 5)), w, b, {"stride": 1, "pad": 1})
        with pytest.raises(TypeError):
            fwd(x, w, b, {"stride": 1.5, "pad": 1})
    for bwd in (conv_backward_naive, conv_backward_fast):
        with pytest.raises(ValueError, match=bwd.__name__ + r": dout.shape \(2, 4, 4, 4\) must equal \(N, F, Ho, Wo\) \(2, 4, 5, 5\)"):
            bwd(np.ones((2, 4, 4, 4)), (x, w, b, {"stride": 1, "pad": 1}))


def test_columns_that_do_not_fit_raise_memory_error():
    # one image's columns: (1000*1000) taps x (1001*1001) positions, about 4 TB of float32;
    # the input, weights and output are small
    x = np.zeros((1, 1, 2000, 2000), np.float32)
    w = np.zeros((1, 1, 1000, 1000), np.float32)
    b = np.zeros(1, np.float32)
    with pytest.raises(MemoryError, match="conv_forward_fast: the im2col columns"):
        conv_forward_fast(x, w, b, {"stride": 1, "pad": 0})
    with pytest.raises(MemoryError, match="conv_backward_fast: the im2col columns"):
        conv_backward_fast(np.zeros((1, 1, 1001, 1001), np.float32), (x, w, b, {"stride": 1, "pad": 0}))
    # 16 GB of columns: more than half of this machine's memory (and refused before any
    # allocation, so an overcommitting kernel cannot let it through and kill us on touch)
    import os
    ram = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 0
    if 0 < ram < 32e9:
        x = np.zeros((1, 1, 732, 732), np.float32)
        w = np.zeros((1, 1, 100, 100), np.float32)
        with pytest.raises(MemoryError, match=r"\(10000 x 400689 values\)"):
            conv_forward_fast(x, w, b, {"stride": 1, "pad": 0})


def test_secondary_arrays_take_the_main_dtype(rng):
    x = rng.standard_normal((2, 3, 6, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 3))
    b = np.zeros(4, np.int64)
    out, _ = conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    assert out.dtype == np.float32
    assert_close(out, ref.conv_forward(x, w.astype(np.float32), b, 1, 1), np.float32)


def test_workspace_is_reused(rng):
    x, w, b = _make(rng, (8, 3, 16, 16), (8, 3, 3, 3), np.float32)
    conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    held = _C.workspace_bytes()
    for _ in range(3):
        conv_forward_fast(x, w, b, {"stride": 1, "pad": 1})
    assert _C.workspace_bytes() == held


_lx = np.random.default_rng(2).standard_normal((2, 3, 6, 6))
_lw = np.random.default_rng(3).standard_normal((4, 3, 3, 3))
_lb = np.zeros(4)
_ld = np.ones((2, 4, 6, 6))
LEAK_CALLS = [
    ("naive forward ok", lambda: _C.conv_forward_naive(_lx, _lw, _lb, 1, 1)),
    ("fast forward ok", lambda: _C.conv_forward(_lx, _lw, _lb, 1, 1)),
    ("fast forward bad channels", lambda: _C.conv_forward(_lx, _lw[:, :2], _lb, 1, 1)),
    ("fast forward bad bias", lambda: _C.conv_forward(_lx, _lw, _lb[:3], 1, 1)),
    ("fast forward bad dtype", lambda: _C.conv_forward(_lx.astype(np.int32), _lw, _lb, 1, 1)),
    ("fast forward bad stride", lambda: _C.conv_forward(_lx, _lw, _lb, 0, 1)),
    ("naive backward ok", lambda: _C.conv_backward_naive(_ld, _lx, _lw, 1, 1)),
    ("fast backward ok", lambda: _C.conv_backward(_ld, _lx, _lw, 1, 1)),
    ("fast backward bad dout", lambda: _C.conv_backward(_ld[:1], _lx, _lw, 1, 1)),
    ("fast backward no dx", lambda: _C.conv_backward(_ld, _lx, _lw, 1, 1, "t", False)),
    ("im2col ok", lambda: _C.im2col(_lx, 3, 3, 1, 1)),
    ("col2im ok", lambda: _C.col2im(np.ones((27, 72)), (2, 3, 6, 6), 3, 3, 1, 1)),
    ("col2im bad", lambda: _C.col2im(np.ones((27, 71)), (2, 3, 6, 6), 3, 3, 1, 1)),
]


@pytest.mark.parametrize("name,call", LEAK_CALLS, ids=[c[0] for c in LEAK_CALLS])
def test_no_reference_leaks(name, call):
    assert_no_leaks(call, (_lx, _lw, _lb, _ld))
