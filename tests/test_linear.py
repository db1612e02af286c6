"""Linear SVM / softmax losses (naive and vectorised C kernels) against the float64 oracle,
numerical gradients and each other; LinearClassifier training, prediction, save/load."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn.classifiers.linear_classifier import LinearClassifier, LinearSVM, Softmax
from cvnn.classifiers.linear_svm import svm_loss_naive, svm_loss_vectorized
from cvnn.classifiers.softmax import softmax_loss_naive, softmax_loss_vectorized
from cvnn.gradient_check import eval_numerical_gradient, grad_check_sparse, rel_error

LOSSES = {
    "svm_naive": (svm_loss_naive, ref.linear_svm_loss),
    "svm_vectorized": (svm_loss_vectorized, ref.linear_svm_loss),
    "softmax_naive": (softmax_loss_naive, ref.linear_softmax_loss),
    "softmax_vectorized": (softmax_loss_vectorized, ref.linear_softmax_loss),
}


def problem(rng, N, D, C, dtype=np.float64, scale=1.0):
    W = (rng.standard_normal((D, C)) * 0.1 * scale).astype(dtype)
    X = rng.standard_normal((N, D)).astype(dtype)
    y = rng.integers(C, size=N)
    return W, X, y


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("N,D,C", [(1, 1, 1), (1, 5, 3), (7, 13, 10), (50, 33, 4), (3, 3073, 10)])
@pytest.mark.parametrize("reg", [0.0, 0.7])
def test_loss_matches_reference(name, N, D, C, reg, dtype, rng, isa):
    fn, oracle = LOSSES[name]
    W, X, y = problem(rng, N, D, C, dtype)
    loss, dW = fn(W, X, y, reg)
    rloss, rdW = oracle(W, X, y, reg)
    assert isinstance(loss, float)
    assert loss == pytest.approx(rloss, rel=1e-10 if dtype == np.float64 else 1e-5)
    assert_close(dW, rdW, dtype)


@pytest.mark.parametrize("kind", ["svm", "softmax"])
def test_naive_and_vectorized_agree(kind, rng, threads):
    naive, vec = LOSSES[kind + "_naive"][0], LOSSES[kind + "_vectorized"][0]
    W, X, y = problem(rng, 500, 3073, 10, scale=0.01)
    l1, g1 = naive(W, X, y, 5e-2)
    for n in (1, 2):
        threads(n)
        l2, g2 = vec(W, X, y, 5e-2)
        assert abs(l1 - l2) < 1e-12 * abs(l1)
        assert np.linalg.norm(g1 - g2, ord="fro") < 1e-12 * np.linalg.norm(g1, ord="fro")
    threads(1)
    assert vec(W, X, y, 5e-2)[1].tobytes() == g2.tobytes()   # thread count does not matter


@pytest.mark.parametrize("name", list(LOSSES))
@pytest.mark.parametrize("reg", [0.0, 5e1])
def test_numerical_gradient(name, reg, rng):
    fn = LOSSES[name][0]
    W, X, y = problem(rng, 30, 17, 6)
    _, dW = fn(W, X, y, reg)
    dW_num = eval_numerical_gradient(lambda w: fn(w, X, y, reg)[0], W.copy(), verbose=False)
    # the hinge has kinks: with these random scores none lies within h of a margin of 0
    assert rel_error(dW_num, dW) < 1e-7


def test_grad_check_sparse_as_the_notebook(rng, capsys):
    # margins stay far from the hinge's kink (scores ~ 0.05 around a margin of 1)
    W, X, y = problem(rng, 100, 3073, 10, scale=0.01)
    for fn in (svm_loss_naive, softmax_loss_naive):
        loss, grad = fn(W, X, y, 5e1)
        errs = grad_check_sparse(lambda w: fn(w, X, y, 5e1)[0], W, grad, num_checks=10)
        assert max(errs) < 1e-5
    assert "relative error" in capsys.readouterr().out


def test_notebook_sanity_values():
    # CS231n: with W = 0.0001 randn the softmax loss is close to -log(0.1), the SVM loss to 9
    np.random.seed(0)
    W = np.random.randn(3073, 10) * 0.0001
    X = np.random.randn(500, 3073) * 60
    y = np.random.randint(10, size=500)
    assert softmax_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(-np.log(0.1), abs=0.1)
    assert svm_loss_vectorized(W, X, y, 0.0)[0] == pytest.approx(9.0, abs=0.5)


@pytest.mark.parametrize("name", list(LOSSES))
def test_stable_for_huge_scores(name, dtype):
    W = np.array([[1e4, 0.0, -1e4]], dtype)
    X = np.array([[1.0], [-3.0]], dtype)
    loss, dW = LOSSES[name][0](W, X, np.array([0, 1]), 0.0)
    assert np.isfinite(loss) and np.isfinite(dW).all()


@pytest.mark.parametrize("name", list(LOSSES))
def test_layouts_and_dtypes(name, rng):
    fn = LOSSES[name][0]
    W, X, y = problem(rng, 9, 6, 4)
    l0, g0 = fn(W, X, y, 0.1)
    l1, g1 = fn(np.asfortranarray(W), np.asfortranarray(X), y.astype(np.int8), 0.1)
    Xt = np.ascontiguousarray(X.T).T   # non-contiguous view
    l2, g2 = fn(W, Xt, y.astype(np.uint16), 0.1)
    assert l0 == l1 == l2 and np.array_equal(g0, g1) and np.array_equal(g0, g2)
    l3, g3 = fn(W.astype(np.float32), X, y, 0.1)   # W decides the dtype
    assert g3.dtype == np.float32 and l3 == pytest.approx(l0, rel=1e-5)


@pytest.mark.parametrize("name", list(LOSSES))
def test_nan_propagates_without_crashing(name, rng):
    fn = LOSSES[name][0]
    W, X, y = problem(rng, 4, 3, 3)
    X[1, 1] = np.nan
    loss, dW = fn(W, X, y, 0.1)
    assert np.isnan(loss) and np.isnan(dW).any()


@pytest.mark.parametrize("name", list(LOSSES))
def test_bad_input(name):
    fn = LOSSES[name][0]
    W = np.zeros((5, 3))
    with pytest.raises(ValueError, match=r"%s: X.shape\[1\] \(4\) must equal W.shape\[0\] \(5\)" % name.replace("_naive", "_loss_naive").replace("_vectorized", "_loss_vectorized")):
        fn(W, np.zeros((2, 4)), np.zeros(2, int), 0.0)
    with pytest.raises(ValueError, match=r"y\[1\] = 3 is out of range \[0, 3\)"):
        fn(W, np.zeros((2, 5)), np.array([0, 3]), 0.0)
    with pytest.raises(ValueError, match="length 3, must equal N"):
        fn(W, np.zeros((2, 5)), np.zeros(3, int), 0.0)
    with pytest.raises(ValueError, match="empty batch"):
        fn(W, np.zeros((0, 5)), np.zeros(0, int), 0.0)
    with pytest.raises(TypeError, match="float32 or float64"):
        fn(W.astype(np.int64), np.zeros((2, 5)), np.zeros(2, int), 0.0)
    with pytest.raises(TypeError, match="integer"):
        fn(W, np.zeros((2, 5)), np.zeros(2), 0.0)


@pytest.mark.parametrize("cls", [LinearSVM, Softmax])
def test_classifier_learns_separable_data(cls, rng, tmp_path):
    centers = rng.standard_normal((3, 20)) * 5
    y = rng.integers(3, size=300)
    X = centers[y] + rng.standard_normal((300, 20))
    np.random.seed(0)
    clf = cls()
    hist = clf.train(X, y, learning_rate=1e-2, reg=1e-4, num_iters=200, batch_size=50)
    assert len(hist) == 200 and hist[-1] < hist[0]
    assert clf.W.shape == (20, 3) and clf.W.dtype == np.float64
    assert np.mean(clf.predict(X) == y) > 0.95
    clf.save(tmp_path / "w.npz")
    other = cls()
    other.load(tmp_path / "w.npz")
    assert np.array_equal(other.W, clf.W)
    assert np.array_equal(other.predict(X), clf.predict(X))
    clf.save(str(tmp_path / "noext"))
    other.load(str(tmp_path / "noext"))
    assert np.array_equal(other.W, clf.W)


def test_train_matches_cs231n_sgd(rng):
    # the same seed gives the same minibatches and W as CS231n's loop written out here
    X = rng.standard_normal((40, 6))
    y = rng.integers(4, size=40)
    np.random.seed(5)
    clf = Softmax()
    clf.train(X, y, learning_rate=0.1, reg=1e-3, num_iters=7, batch_size=8)
    np.random.seed(5)
    W = 0.001 * np.random.randn(6, 4)
    for _ in range(7):
        idx = np.random.choice(40, 8, replace=True)
        _, dW = ref.linear_softmax_loss(W, X[idx], y[idx], 1e-3)
        W -= 0.1 * dW
    np.testing.assert_allclose(clf.W, W, rtol=1e-10)


def test_classifier_errors(rng):
    with pytest.raises(NotImplementedError):
        LinearClassifier().train(np.zeros((3, 2)), np.arange(3), num_iters=1)
    with pytest.raises(ValueError, match="predict: call train"):
        Softmax().predict(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="save: nothing"):
        Softmax().save("x.npz")
    clf = Softmax()
    clf.train(np.ones((3, 2)), np.arange(3), num_iters=1)
    with pytest.raises(ValueError, match=r"predict: X.shape \(3, 5\) must be \(N, 2\)"):
        clf.predict(np.zeros((3, 5)))
    with pytest.raises(ValueError, match="train: y.shape"):
        clf.train(np.ones((3, 2)), np.arange(4))


def test_package_exports_like_cs231n():
    import cvnn.classifiers as c
    from cvnn.classifiers.k_nearest_neighbor import KNearestNeighbor
    from cvnn.classifiers.linear_classifier import LinearSVM, Softmax
    assert c.KNearestNeighbor is KNearestNeighbor and c.LinearSVM is LinearSVM and c.Softmax is Softmax
