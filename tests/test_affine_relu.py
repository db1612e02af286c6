"""affine and relu layers and the affine_relu sandwich: oracle, numerical gradients, the CS231n
notebook constants, every ISA path, thread-count independence, and layouts."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn.gradient_check import eval_numerical_gradient_array, rel_error
from cvnn.layer_utils import affine_relu_backward, affine_relu_forward
from cvnn.layers import affine_backward, affine_forward, relu_backward, relu_forward

# (N, input shape, M): a batch of 1, primes, sizes off the SIMD widths, an N-d input
SHAPES = [(1, (1,), 1), (1, (7,), 3), (2, (4, 5, 6), 3), (13, (17,), 31), (33, (3, 5, 7), 16),
          (64, (129,), 65), (5, (255,), 257), (100, (3, 8, 8), 10)]


@pytest.mark.parametrize("N,shape,M", SHAPES)
def test_affine_matches_reference(N, shape, M, dtype, isa, rng):
    x = rng.standard_normal((N,) + shape).astype(dtype)
    D = int(np.prod(shape))
    w = rng.standard_normal((D, M)).astype(dtype)
    b = rng.standard_normal(M).astype(dtype)
    out, cache = affine_forward(x, w, b)
    assert cache[0] is x and cache[1] is w and cache[2] is b
    assert_close(out, ref.affine_forward(x, w, b), dtype)
    dout = rng.standard_normal((N, M)).astype(dtype)
    dx, dw, db = affine_backward(dout, cache)
    rdx, rdw, rdb = ref.affine_backward(dout, x, w)
    assert dx.shape == x.shape
    assert_close(dx, rdx, dtype)
    assert_close(dw, rdw, dtype)
    assert_close(db, rdb, dtype)


def test_affine_notebook_constants():
    # CS231n FullyConnectedNets.ipynb "Affine layer: forward"
    num_inputs, input_shape, output_dim = 2, (4, 5, 6), 3
    input_size = num_inputs * np.prod(input_shape)
    weight_size = output_dim * np.prod(input_shape)
    x = np.linspace(-0.1, 0.5, num=input_size).reshape(num_inputs, *input_shape)
    w = np.linspace(-0.2, 0.3, num=weight_size).reshape(np.prod(input_shape), output_dim)
    b = np.linspace(-0.3, 0.1, num=output_dim)
    out, _ = affine_forward(x, w, b)
    correct_out = np.array([[1.49834967, 1.70660132, 1.91485297],
                            [3.25553199, 3.5141327, 3.77273342]])
    assert rel_error(out, correct_out) < 1e-8


def test_relu_notebook_constants():
    x = np.linspace(-0.5, 0.5, num=12).reshape(3, 4)
    out, _ = relu_forward(x)
    correct_out = np.array([[0., 0., 0., 0.],
                            [0., 0., 0.04545455, 0.13636364],
                            [0.22727273, 0.31818182, 0.40909091, 0.5]])
    assert rel_error(out, correct_out) < 5e-8


@pytest.mark.parametrize("N,shape,M", [(10, (2, 3), 5), (3, (7,), 4), (1, (6,), 1)])
def test_affine_numerical_gradient(N, shape, M, rng):
    x = rng.standard_normal((N,) + shape)
    w = rng.standard_normal((int(np.prod(shape)), M))
    b = rng.standard_normal(M)
    dout = rng.standard_normal((N, M))
    dx_num = eval_numerical_gradient_array(lambda x: affine_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: affine_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: affine_forward(x, w, b)[0], b, dout)
    dx, dw, db = affine_backward(dout, affine_forward(x, w, b)[1])
    assert rel_error(dx_num, dx) < 1e-7
    assert rel_error(dw_num, dw) < 1e-7
    assert rel_error(db_num, db) < 1e-7


@pytest.mark.parametrize("shape", [(1,), (17,), (3, 5, 7), (2, 3, 4, 5)])
def test_relu_matches_reference(shape, dtype, rng):
    x = rng.standard_normal(shape).astype(dtype)
    out, cache = relu_forward(x)
    assert_close(out, ref.relu_forward(x), dtype)
    dout = rng.standard_normal(shape).astype(dtype)
    assert_close(relu_backward(dout, cache), ref.relu_backward(dout, x), dtype)


def test_relu_numerical_gradient(rng):
    x = rng.standard_normal((10, 10))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from the kink
    dout = rng.standard_normal(x.shape)
    dx_num = eval_numerical_gradient_array(lambda x: relu_forward(x)[0], x, dout)
    assert rel_error(dx_num, relu_backward(dout, x)) < 1e-10


def test_affine_relu_numerical_gradient(rng):
    x = rng.standard_normal((2, 3, 4))
    w = rng.standard_normal((12, 10))
    b = rng.standard_normal(10)
    dout = rng.standard_normal((2, 10))
    out, cache = affine_relu_forward(x, w, b)
    assert_close(out, ref.relu_forward(ref.affine_forward(x, w, b)), np.float64)
    dx, dw, db = affine_relu_backward(dout, cache)
    dx_num = eval_numerical_gradient_array(lambda x: affine_relu_forward(x, w, b)[0], x, dout)
    dw_num = eval_numerical_gradient_array(lambda w: affine_relu_forward(x, w, b)[0], w, dout)
    db_num = eval_numerical_gradient_array(lambda b: affine_relu_forward(x, w, b)[0], b, dout)
    assert rel_error(dx_num, dx) < 1e-7
    assert rel_error(dw_num, dw) < 1e-7
    assert rel_error(db_num, db) < 1e-7


def test_threads_bitwise_identical(dtype, threads, rng):
    # large enough that the kernels split work over threads
    x = rng.standard_normal((96, 301)).astype(dtype)
    w = rng.standard_normal((301, 203)).astype(dtype)
    b = rng.standard_normal(203).astype(dtype)
    dout = rng.standard_normal((96, 203)).astype(dtype)
    results = []
    for n in (1, 2):
        threads(n)
        out, cache = affine_forward(x, w, b)
        results.append((out,) + tuple(affine_backward(dout, cache)))
    for a, b_ in zip(*results):
        assert np.array_equal(a, b_)


def test_isa_paths_agree(dtype, rng):
    from cvnn import _C
    x = rng.standard_normal((37, 129)).astype(dtype)
    w = rng.standard_normal((129, 67)).astype(dtype)
    b = rng.standard_normal(67).astype(dtype)
    before = _C.get_isa()
    try:
        _C.set_isa("generic")
        base = affine_forward(x, w, b)[0]
        from conftest import supported_isas
        for name in supported_isas():
            _C.set_isa(name)
            assert_close(affine_forward(x, w, b)[0], base.astype(np.float64), dtype)
    finally:
        _C.set_isa(before)


def test_noncontiguous_and_fortran_inputs(dtype, rng):
    x = rng.standard_normal((8, 12)).astype(dtype)
    w = rng.standard_normal((12, 6)).astype(dtype)
    b = rng.standard_normal(6).astype(dtype)
    out = affine_forward(x, w, b)[0]
    xf, wf = np.asfortranarray(x), np.asfortranarray(w)
    assert np.array_equal(affine_forward(xf, wf, b)[0], out)
    big = rng.standard_normal((16, 24)).astype(dtype)
    big[::2, ::2] = x
    assert np.array_equal(affine_forward(big[::2, ::2], w, b)[0], out)
    xt = np.ascontiguousarray(x.T).T  # a transposed view
    assert np.array_equal(affine_forward(xt, w, b)[0], out)
    dout = rng.standard_normal((8, 6)).astype(dtype)
    g = affine_backward(dout, (x, w, b))
    g2 = affine_backward(np.asfortranarray(dout), (xf, wf, b))
    for a, c in zip(g, g2):
        assert np.array_equal(a, c)
    assert np.array_equal(relu_forward(big[::2, ::2])[0], relu_forward(x)[0])


def test_empty_batch(dtype):
    x = np.zeros((0, 3, 4), dtype)
    w = np.ones((12, 5), dtype)
    b = np.arange(5, dtype=dtype)
    out, cache = affine_forward(x, w, b)
    assert out.shape == (0, 5) and out.dtype == dtype
    dx, dw, db = affine_backward(np.zeros((0, 5), dtype), cache)
    assert dx.shape == (0, 3, 4)
    assert np.array_equal(dw, np.zeros((12, 5))) and np.array_equal(db, np.zeros(5))
    assert relu_forward(np.zeros((0, 4), dtype))[0].shape == (0, 4)


def test_nan_propagates(dtype):
    x = np.ones((2, 3), dtype)
    x[0, 1] = np.nan
    w = np.ones((3, 2), dtype)
    out, _ = affine_forward(x, w, np.zeros(2, dtype))
    assert np.isnan(out[0]).all() and np.isfinite(out[1]).all()
    r, _ = relu_forward(np.array([np.nan, -1.0, 2.0], dtype))
    assert np.isnan(r[0]) and r[1] == 0 and r[2] == 2


@pytest.mark.parametrize("bad", [np.float16, np.int32, np.int64, object, np.complex128])
def test_bad_dtype_is_type_error(bad):
    x = np.ones((2, 3)).astype(bad)
    w = np.ones((3, 4))
    b = np.ones(4)
    with pytest.raises(TypeError, match="affine_forward"):
        affine_forward(x, w, b)
    with pytest.raises(TypeError, match="relu_forward"):
        relu_forward(x)
    with pytest.raises(TypeError, match="affine_backward"):
        affine_backward(np.ones((2, 4)).astype(bad), (np.ones((2, 3)), w, b))


def test_bad_shapes_are_value_errors():
    x = np.ones((10, 3, 32, 32))
    with pytest.raises(ValueError, match=r"affine_forward: w.shape\[0\] \(100\) must equal prod\(x.shape\[1:\]\) \(3072\)"):
        affine_forward(x, np.ones((100, 10)), np.ones(10))
    with pytest.raises(ValueError, match=r"affine_forward: b.shape\[0\] \(9\) must equal w.shape\[1\] \(10\)"):
        affine_forward(np.ones((2, 5)), np.ones((5, 10)), np.ones(9))
    with pytest.raises(ValueError, match="affine_forward: w must be 2-D"):
        affine_forward(np.ones((2, 5)), np.ones(5), np.ones(1))
    with pytest.raises(ValueError, match="affine_forward: x must have at least 2"):
        affine_forward(np.ones(5), np.ones((5, 1)), np.ones(1))
    with pytest.raises(ValueError, match=r"affine_backward: dout.shape\[0\] \(3\) must equal x.shape\[0\] \(2\)"):
        affine_backward(np.ones((3, 4)), (np.ones((2, 5)), np.ones((5, 4)), np.ones(4)))
    with pytest.raises(ValueError, match="relu_backward: dout.shape"):
        relu_backward(np.ones((2, 3)), np.ones((3, 2)))


def test_secondary_arrays_take_the_main_dtype(rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    w = rng.standard_normal((6, 3))  # float64
    b = np.zeros(3, np.int64)
    out, _ = affine_forward(x, w, b)
    assert out.dtype == np.float32
    assert_close(out, ref.affine_forward(x, w.astype(np.float32), b), np.float32)
