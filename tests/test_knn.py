"""KNearestNeighbor: the three distance kernels against the float64 oracle and each other,
the vote (ties to the smaller label), uint8 input, blocked predict, cross-validation, errors."""
import numpy as np
import pytest

import reference as ref
from conftest import assert_close
from cvnn.classifiers.k_nearest_neighbor import (KNearestNeighbor, knn_cross_validate,
                                                 knn_get_best_k)

VARIANTS = {"two_loops": "compute_distances_two_loops", "one_loop": "compute_distances_one_loop",
            "no_loops": "compute_distances_no_loops"}


def fitted(Xtr, ytr):
    clf = KNearestNeighbor()
    clf.train(Xtr, ytr)
    return clf


@pytest.mark.parametrize("variant", list(VARIANTS))
@pytest.mark.parametrize("M,N,D", [(1, 1, 1), (1, 7, 5), (9, 13, 33), (17, 5, 3072), (4, 30, 7)])
def test_distances_match_reference(variant, M, N, D, dtype, rng, isa):
    Xtr = rng.standard_normal((N, D)).astype(dtype)
    Xte = rng.standard_normal((M, D)).astype(dtype)
    clf = fitted(Xtr, rng.integers(3, size=N))
    d = getattr(clf, VARIANTS[variant])(Xte)
    # the expansion loses digits to cancellation when |a|^2 + |b|^2 >> |a - b|^2: hold it to
    # rtol of the squared norms, the direct sums to rtol of the distances themselves
    scale = None if variant != "no_loops" else float(np.sqrt(2 * D)) * (10 if dtype == np.float32 else 1)
    assert_close(d, ref.knn_distances(Xte, Xtr), dtype, scale=scale)


@pytest.mark.parametrize("dtype_in", [np.uint8, np.int16, np.float32, np.float64])
def test_variants_agree_and_uint8_is_not_wrapped(dtype_in, rng):
    # uint8 differences would wrap around (3 - 250 = 9 in uint8): the classic 0.114-accuracy bug
    Xtr = rng.integers(0, 256, size=(20, 4, 4, 3)).astype(dtype_in)
    Xte = rng.integers(0, 256, size=(6, 4, 4, 3)).astype(dtype_in)
    clf = fitted(Xtr, rng.integers(10, size=20))
    want = ref.knn_distances(Xte, Xtr)
    out_dtype = np.float32 if dtype_in == np.float32 else np.float64
    for name in VARIANTS.values():
        d = getattr(clf, name)(Xte)
        assert d.dtype == out_dtype and d.shape == (6, 20)
        np.testing.assert_allclose(d, want, rtol=1e-5 if out_dtype == np.float32 else 1e-10)


def test_one_loop_is_bitwise_the_two_loop_reference(dtype, rng):
    # both sum the squared differences in the same order; only the loop structure differs
    Xtr = rng.standard_normal((23, 301)).astype(dtype)
    Xte = rng.standard_normal((5, 301)).astype(dtype)
    clf = fitted(Xtr, np.zeros(23, int))
    assert np.array_equal(clf.compute_distances_one_loop(Xte), clf.compute_distances_two_loops(Xte))


def test_identical_points_give_zero_not_nan(dtype, rng):
    X = (rng.standard_normal((5, 40)) * 1e3).astype(dtype)
    clf = fitted(X, np.arange(5))
    d = clf.compute_distances_no_loops(X)
    assert np.all(np.isfinite(d)) and np.all(d >= 0)
    # the diagonal is exactly zero for the direct sums; clamped (>= 0) for the expansion
    assert np.all(np.diag(clf.compute_distances_two_loops(X)) == 0)
    assert np.all(np.diag(clf.compute_distances_one_loop(X)) == 0)
    # the expansion's error is about sqrt(eps * |a|^2): cancellation, bounded
    bound = np.sqrt(np.finfo(dtype).eps * 100 * float(np.max(np.sum(X.astype(float) ** 2, 1))))
    assert np.diag(d).max() <= bound


def test_non_contiguous_and_fortran_inputs(rng):
    Xtr = rng.standard_normal((40, 12))
    Xte = rng.standard_normal((12, 9))
    clf = fitted(Xtr, rng.integers(3, size=40))
    clf2 = fitted(np.asfortranarray(Xtr), rng.integers(3, size=40))
    for name in VARIANTS.values():
        a = getattr(clf, name)(Xte.T)           # (9, 12) transposed view
        b = getattr(clf2, name)(np.ascontiguousarray(Xte.T))
        c = getattr(clf, name)(np.asfortranarray(Xte.T))
        assert np.array_equal(a, b) and np.array_equal(a, c)
    clf3 = fitted(Xtr[::2], np.zeros(20, int))
    np.testing.assert_allclose(clf3.compute_distances_one_loop(Xte.T),
                               ref.knn_distances(Xte.T, Xtr[::2]), rtol=1e-10)


def test_threads_give_identical_results(threads, rng):
    Xtr = rng.standard_normal((300, 200))
    Xte = rng.standard_normal((64, 200))
    clf = fitted(Xtr, rng.integers(10, size=300))
    out = {}
    for n in (1, 2):
        threads(n)
        out[n] = [getattr(clf, name)(Xte) for name in VARIANTS.values()]
    for a, b in zip(out[1], out[2]):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("k", [1, 2, 3, 5, 8, 20])
def test_predict_labels_matches_reference(k, dtype, rng):
    dists = rng.random((25, 20)).astype(dtype)
    dists[3, 4:8] = dists[3, 0]           # equal distances: earlier training point first
    ytr = rng.integers(4, size=20)
    clf = fitted(np.zeros((20, 1)), ytr)
    got = clf.predict_labels(dists, k=k)
    assert got.dtype == np.int64
    assert np.array_equal(got, ref.knn_predict_labels(dists, ytr, k))


def test_vote_ties_go_to_the_smaller_label():
    # nearest three: labels 7, 2, 7, 2 ... with k=2 one vote each -> 2; k=4 two each -> 2
    ytr = np.array([7, 2, 7, 2, 5])
    clf = fitted(np.zeros((5, 1)), ytr)
    dists = np.array([[0.1, 0.2, 0.3, 0.4, 0.5]])
    assert clf.predict_labels(dists, k=1)[0] == 7
    assert clf.predict_labels(dists, k=2)[0] == 2
    assert clf.predict_labels(dists, k=3)[0] == 7
    assert clf.predict_labels(dists, k=4)[0] == 2
    # labels need not be 0..C-1
    clf = fitted(np.zeros((3, 1)), np.array([1000, -3, 1000]))
    assert clf.predict_labels(np.array([[0.0, 0.5, 1.0]]), k=2)[0] == -3
    assert clf.predict_labels(np.array([[0.0, 0.5, 1.0]]), k=3)[0] == 1000


def test_nan_distances_are_farthest_and_never_crash():
    clf = fitted(np.zeros((4, 1)), np.array([0, 1, 2, 3]))
    d = np.array([[np.nan, 0.5, np.nan, 0.7], [np.nan] * 4])
    assert list(clf.predict_labels(d, k=1)) == [1, 0]
    assert list(clf.predict_labels(d, k=4)) == [0, 0]
    Xn = np.array([[np.nan], [1.0]])
    assert np.isnan(clf.compute_distances_no_loops(Xn)[0]).all()
    assert np.isnan(clf.compute_distances_two_loops(Xn)[0]).all()


@pytest.mark.parametrize("num_loops", [0, 1, 2])
def test_predict_matches_brute_force_and_blocks(num_loops, rng, monkeypatch):
    import cvnn.classifiers.k_nearest_neighbor as knn
    monkeypatch.setattr(knn, "_BLOCK_ROWS", 7)   # several blocks and a ragged last one
    Xtr = rng.integers(0, 256, size=(60, 3, 4, 4)).astype(np.uint8)
    ytr = rng.integers(5, size=60)
    Xte = rng.integers(0, 256, size=(30, 3, 4, 4)).astype(np.uint8)
    clf = fitted(Xtr, ytr)
    for k in (1, 3, 10):
        want = ref.knn_predict_labels(ref.knn_distances(Xte, Xtr), ytr, k)
        assert np.array_equal(clf.predict(Xte, k=k, num_loops=num_loops), want)


def test_mixed_dtypes_compute_in_float64(rng):
    Xtr = rng.standard_normal((30, 8)).astype(np.float32)
    Xte = rng.standard_normal((11, 8))
    y = rng.integers(3, size=30)
    clf = fitted(Xtr, y)
    d = clf.compute_distances_one_loop(Xte)
    assert d.dtype == np.float64
    np.testing.assert_allclose(d, ref.knn_distances(Xte, Xtr), rtol=1e-10)
    want = ref.knn_predict_labels(ref.knn_distances(Xte, Xtr), y, 3)
    assert np.array_equal(clf.predict(Xte, k=3), want)
    assert np.array_equal(clf.predict(Xte.astype(np.float32), k=3), want)


def test_empty_test_batch(rng):
    clf = fitted(rng.standard_normal((5, 3)), np.arange(5))
    assert clf.predict(np.zeros((0, 3))).shape == (0,)
    assert clf.compute_distances_no_loops(np.zeros((0, 3))).shape == (0, 5)
    with pytest.raises(ValueError, match="prod"):
        clf.predict(np.zeros((0, 4)))


def test_bad_input_messages(rng):
    clf = KNearestNeighbor()
    with pytest.raises(ValueError, match="predict: call train"):
        clf.predict(np.zeros((2, 3)))
    clf.train(rng.standard_normal((5, 3)), np.arange(5))
    with pytest.raises(ValueError, match=r"predict: k \(6\).*\(5\)"):
        clf.predict(np.zeros((2, 3)), k=6)
    with pytest.raises(ValueError, match=r"predict: k \(0\)"):
        clf.predict(np.zeros((2, 3)), k=0)
    with pytest.raises(ValueError, match="num_loops"):
        clf.predict(np.zeros((2, 3)), num_loops=3)
    with pytest.raises(ValueError, match=r"knn_distances: prod\(X.shape\[1:\]\) \(4\) must equal "
                                         r"prod\(X_train.shape\[1:\]\) \(3\)"):
        clf.compute_distances_no_loops(np.zeros((2, 4)))
    with pytest.raises(ValueError, match=r"predict_labels: k \(9\)"):
        clf.predict_labels(np.zeros((2, 5)), k=9)
    with pytest.raises(ValueError, match=r"len\(y_train\) \(5\) must equal dists.shape\[1\] \(4\)"):
        clf.predict_labels(np.zeros((2, 4)), k=1)
    with pytest.raises(TypeError):
        clf.predict(np.zeros((2, 3), complex))
    with pytest.raises(ValueError, match="train: y"):
        KNearestNeighbor().train(np.zeros((3, 2)), np.arange(4))


def test_cross_validate_and_best_k(rng):
    # two well separated clusters: every k up to the cluster size is perfect
    X = np.concatenate([rng.standard_normal((25, 4)), rng.standard_normal((25, 4)) + 20])
    y = np.repeat([0, 1], 25)
    perm = rng.permutation(50)
    res = knn_cross_validate(X[perm], y[perm], num_folds=5, k_choices=[1, 3, 5])
    assert sorted(res) == [1, 3, 5] and all(len(v) == 5 for v in res.values())
    assert all(a == 1.0 for v in res.values() for a in v)
    assert knn_get_best_k(res) == 1                     # ties toward the smaller k
    assert knn_get_best_k({1: [0.2, 0.3], 5: [0.4, 0.3], 8: [0.35, 0.35]}) == 5
    # each fold's accuracies match a hand-made split
    Xr, yr = rng.standard_normal((23, 5)), rng.integers(3, size=23)
    res = knn_cross_validate(Xr, yr, num_folds=4, k_choices=[1, 4])
    xf, yf = np.array_split(Xr, 4), np.array_split(yr, 4)
    for i in range(4):
        Xt = np.concatenate(xf[:i] + xf[i + 1:])
        yt = np.concatenate(yf[:i] + yf[i + 1:])
        d = ref.knn_distances(xf[i], Xt)
        for k in (1, 4):
            assert res[k][i] == pytest.approx(np.mean(ref.knn_predict_labels(d, yt, k) == yf[i]))
    with pytest.raises(ValueError, match="num_folds"):
        knn_cross_validate(Xr, yr, num_folds=1)
    with pytest.raises(ValueError, match=r"knn_cross_validate: k \(20\).*\(17\)"):
        knn_cross_validate(Xr, yr, num_folds=4)


def test_cifar10_subset_accuracy(cifar10_dir):
    # CS231n: k = 1 on the 5000/500 subset gives about 27%; the uint8 bug gives about 11%
    from cvnn.data_utils import load_CIFAR10
    Xtr, ytr, Xte, yte = load_CIFAR10(str(cifar10_dir), dtype=np.uint8)
    clf = fitted(Xtr[:5000], ytr[:5000])
    acc = np.mean(clf.predict(Xte[:500], k=1) == yte[:500])
    assert 0.25 <= acc <= 0.30
