"""softmax_loss and svm_loss: oracle, numerical gradients, notebook sanity values, labels."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn.gradient_check import eval_numerical_gradient, rel_error
from cvnn.layers import softmax_loss, svm_loss

LOSSES = [(softmax_loss, ref.softmax_loss), (svm_loss, ref.svm_loss)]


@pytest.mark.parametrize("fn,oracle", LOSSES, ids=["softmax", "svm"])
@pytest.mark.parametrize("N,C", [(1, 1), (1, 10), (7, 3), (50, 10), (33, 17)])
def test_loss_matches_reference(fn, oracle, N, C, dtype, rng):
    x = (rng.standard_normal((N, C)) * 3).astype(dtype)
    y = rng.integers(C, size=N)
    loss, dx = fn(x, y)
    rloss, rdx = oracle(x, y)
    assert isinstance(loss, float)
    assert abs(loss - rloss) <= 1e-10 * max(1.0, abs(rloss)) * (1 if dtype == np.float64 else 1e5)
    assert_close(dx, rdx, dtype)


@pytest.mark.parametrize("fn", [softmax_loss, svm_loss], ids=["softmax", "svm"])
def test_loss_numerical_gradient(fn, rng):
    N, C = 20, 10
    x = rng.standard_normal((N, C))
    y = rng.integers(C, size=N)
    dx_num = eval_numerical_gradient(lambda x: fn(x, y)[0], x, verbose=False)
    _, dx = fn(x, y)
    assert rel_error(dx_num, dx) < 1e-7


def test_notebook_sanity_values():
    # CS231n: with tiny random scores svm_loss is about 9 and softmax_loss about 2.3
    np.random.seed(231)
    num_classes, num_inputs = 10, 50
    x = 0.001 * np.random.randn(num_inputs, num_classes)
    y = np.random.randint(num_classes, size=num_inputs)
    assert abs(svm_loss(x, y)[0] - 9.0) < 0.01
    assert abs(softmax_loss(x, y)[0] - np.log(10)) < 0.01


def test_softmax_is_stable_for_huge_scores(dtype):
    x = np.array([[1e4, 0.0, -1e4], [3e38 if dtype == np.float32 else 1e300, 0.0, 0.0]], dtype)
    loss, dx = softmax_loss(x, np.array([0, 1]))
    assert np.isfinite(loss) and np.isfinite(dx).all()


@pytest.mark.parametrize("ydtype", [np.int8, np.uint8, np.int16, np.int32, np.int64, np.uint64])
def test_any_integer_label_dtype(ydtype, rng):
    x = rng.standard_normal((6, 5))
    y = rng.integers(5, size=6)
    l0, d0 = softmax_loss(x, y)
    l1, d1 = softmax_loss(x, y.astype(ydtype))
    assert l0 == l1 and np.array_equal(d0, d1)


@pytest.mark.parametrize("fn", [softmax_loss, svm_loss], ids=["softmax", "svm"])
def test_bad_labels(fn):
    name = fn.__name__
    x = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"%s: y\[2\] = 3 is out of range \[0, 3\)" % name):
        fn(x, np.array([0, 1, 3, 2]))
    with pytest.raises(ValueError, match=r"%s: y\[0\] = -1" % name):
        fn(x, np.array([-1, 1, 1, 2]))
    with pytest.raises(ValueError, match=r"%s: y has length 3, must equal N \(4\)" % name):
        fn(x, np.array([0, 1, 2]))
    with pytest.raises(TypeError, match="%s: y must be an integer array" % name):
        fn(x, np.array([0.0, 1.0, 2.0, 1.0]))
    with pytest.raises(ValueError, match="%s: y has values above int64 range" % name):
        fn(x, np.array([2**63, 1, 1, 1], dtype=np.uint64))
    with pytest.raises(ValueError, match="%s: empty batch" % name):
        fn(np.zeros((0, 3)), np.zeros(0, np.int64))
    with pytest.raises(ValueError, match="%s: x must be 2-D" % name):
        fn(np.zeros(3), np.zeros(3, np.int64))
    with pytest.raises(TypeError, match="%s: x must be float32 or float64" % name):
        fn(np.zeros((4, 3), np.int32), np.zeros(4, np.int64))


@pytest.mark.parametrize("fn", [softmax_loss, svm_loss], ids=["softmax", "svm"])
def test_nan_scores_give_nan_loss(fn, dtype):
    x = np.zeros((3, 4), dtype)
    x[1, 2] = np.nan
    loss, dx = fn(x, np.array([0, 1, 2]))
    assert np.isnan(loss)
    assert np.isnan(dx[1]).all()


def test_fortran_and_strided_scores(rng):
    x = rng.standard_normal((9, 6))
    y = rng.integers(6, size=9)
    for fn in (softmax_loss, svm_loss):
        l0, d0 = fn(x, y)
        l1, d1 = fn(np.asfortranarray(x), y[::1])
        big = np.zeros((18, 6))
        big[::2] = x
        l2, d2 = fn(big[::2], y)
        assert l0 == l1 == l2 and np.array_equal(d0, d1) and np.array_equal(d0, d2)
