"""k-nearest-neighbour classification with L2 distances (CS231n ``KNearestNeighbor``) and
EECS 498's cross-validation helpers. The distances and the vote are C kernels.

Any real-valued images work, uint8 included: they are converted to float64 (float32 input
stays float32) before any arithmetic, so uint8 wrap-around can never corrupt a distance.
"""
import numpy as np

from .. import _C

# Test rows per block in predict: the distance block is at most this many rows times the
# number of training points (256 x 50,000 float64 = 100 MB).
_BLOCK_ROWS = 256


def _as_float(X):
    X = np.asarray(X)
    if X.dtype == np.float32 or X.dtype == np.float64:
        return np.ascontiguousarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError("KNearestNeighbor: X must be a real-valued array, got %s" % X.dtype)
    return np.ascontiguousarray(X, dtype=np.float64)


def _check_k(fn, k, num_train):
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError("%s: k must be an int, got %s" % (fn, type(k).__name__))
    if k < 1 or k > num_train:
        raise ValueError("%s: k (%d) must be between 1 and the number of training points (%d)"
                         % (fn, k, num_train))


class KNearestNeighbor(object):
    """A kNN classifier with L2 (Euclidean) distance."""

    def __init__(self):
        self.X_train = None
        self.y_train = None

    def train(self, X, y):
        """Train the classifier. For k-nearest neighbours this is just memorizing the data.

        Parameters
        ----------
        X : ndarray, shape (num_train, ...), the training data; each row is flattened to D
            values. Stored as float64 (float32 if given float32).
        y : ndarray, shape (num_train,), integer labels; y[i] is the label of X[i]
        """
        X = _as_float(X)
        y = np.asarray(y)
        if X.ndim < 1 or y.ndim != 1 or y.shape[0] != X.shape[0]:
            raise ValueError("train: y must be 1-D with len(y) == X.shape[0] (%d), got shape %s"
                             % (X.shape[0] if X.ndim else 0, y.shape))
        if y.size and y.dtype.kind not in "iu":
            raise TypeError("train: y must hold integer labels, got %s" % y.dtype)
        self.X_train = X.reshape(X.shape[0], -1)
        self.y_train = y.astype(np.int64)

    def _check_trained(self, fn):
        if self.X_train is None:
            raise ValueError("%s: call train(X, y) before %s" % (fn, fn))

    def _pair(self, X):
        """X and the training rows in one dtype: float32 when both are float32, else float64
        (the training set is promoted once per call, never per block)."""
        self._check_trained("compute_distances")
        X = _as_float(X)
        Xtr = self.X_train
        if X.dtype != Xtr.dtype:
            X, Xtr = X.astype(np.float64), Xtr.astype(np.float64)
        return X, Xtr

    def _distances(self, X, num_loops):
        X, Xtr = self._pair(X)
        return _C.knn_distances(X, Xtr, num_loops)

    def predict(self, X, k=1, num_loops=0):
        """Predict labels for test data.

        The test rows are processed in blocks of a few hundred, so predicting 10,000 CIFAR-10
        images against 50,000 needs about 100 MB of distances, never the full matrix.

        Parameters
        ----------
        X : ndarray, shape (num_test, ...), test data flattened to D values per row
        k : int, the number of nearest neighbours that vote (1 <= k <= num_train)
        num_loops : 0, 1 or 2, which distance implementation to use

        Returns
        -------
        y_pred : ndarray, shape (num_test,), int64 predicted labels
        """
        self._check_trained("predict")
        if num_loops not in (0, 1, 2) or isinstance(num_loops, bool):
            raise ValueError("predict: invalid value %r for num_loops (must be 0, 1 or 2)" % (num_loops,))
        _check_k("predict", k, self.X_train.shape[0])
        X, Xtr = self._pair(X)
        if X.ndim < 1:
            raise ValueError("predict: X must have a leading batch dimension, got a scalar")
        out = np.empty(X.shape[0], dtype=np.int64)
        for i in range(0, X.shape[0], _BLOCK_ROWS):
            dists = _C.knn_distances(X[i:i + _BLOCK_ROWS], Xtr, num_loops)
            out[i:i + _BLOCK_ROWS] = _C.knn_predict_labels(dists, self.y_train, k)
        if X.shape[0] == 0:
            _C.knn_distances(X, Xtr, num_loops)  # still checks the feature dimension
        return out

    def compute_distances_two_loops(self, X):
        """Distance between each test point in X and each training point, with a plain
        double loop over (test, train) pairs (in C).

        Parameters
        ----------
        X : ndarray, shape (num_test, ...), test data flattened to D values per row

        Returns
        -------
        dists : ndarray, shape (num_test, num_train), dists[i, j] the Euclidean distance
            between the ith test point and the jth training point
        """
        return self._distances(X, 2)

    def compute_distances_one_loop(self, X):
        """As compute_distances_two_loops, one test row at a time against every training
        row (a vectorised inner loop in C).

        Returns
        -------
        dists : ndarray, shape (num_test, num_train)
        """
        return self._distances(X, 1)

    def compute_distances_no_loops(self, X):
        """As compute_distances_two_loops, through ||a||^2 - 2 a.b + ||b||^2 with the cross
        term a single matrix product (no 3-D temporary); clamped at 0 before the square root.

        Returns
        -------
        dists : ndarray, shape (num_test, num_train)
        """
        return self._distances(X, 0)

    def predict_labels(self, dists, k=1):
        """Given a matrix of distances between test and training points, predict a label for
        each test point by majority vote among its k nearest training points. Ties in the vote
        go to the smaller label; among equally distant training points the earlier one is
        nearer; NaN distances count as the farthest.

        Parameters
        ----------
        dists : ndarray, shape (num_test, num_train)
        k : int, 1 <= k <= num_train

        Returns
        -------
        y_pred : ndarray, shape (num_test,), int64 predicted labels
        """
        self._check_trained("predict_labels")
        _check_k("predict_labels", k, self.y_train.shape[0])
        dists = np.asarray(dists)
        if dists.dtype != np.float32:
            dists = _as_float(dists)
        return _C.knn_predict_labels(dists, self.y_train, k)


def knn_cross_validate(x_train, y_train, num_folds=5, k_choices=None):
    """Cross-validate k by splitting the training data into num_folds equal folds (EECS 498).

    The distances from each held-out fold to the other folds are computed once and reused
    for every k.

    Parameters
    ----------
    x_train : ndarray, shape (num_train, ...)
    y_train : ndarray, shape (num_train,)
    num_folds : int, >= 2
    k_choices : list of int, default [1, 3, 5, 8, 10, 12, 15, 20, 50, 100]

    Returns
    -------
    k_to_accuracies : dict, k -> list of num_folds accuracies (fractions in [0, 1])
    """
    if k_choices is None:
        k_choices = [1, 3, 5, 8, 10, 12, 15, 20, 50, 100]
    x_train = _as_float(x_train)
    y_train = np.asarray(y_train)
    n = x_train.shape[0]
    if isinstance(num_folds, bool) or not isinstance(num_folds, (int, np.integer)) or num_folds < 2:
        raise ValueError("knn_cross_validate: num_folds (%r) must be an int >= 2" % (num_folds,))
    if num_folds > n:
        raise ValueError("knn_cross_validate: num_folds (%d) must not exceed the number of "
                         "training points (%d)" % (num_folds, n))
    x_folds = np.array_split(x_train, num_folds)
    y_folds = np.array_split(y_train, num_folds)
    smallest_train = n - max(len(f) for f in x_folds)
    for k in k_choices:
        _check_k("knn_cross_validate", k, smallest_train)
    k_to_accuracies = {k: [] for k in k_choices}
    for i in range(num_folds):
        clf = KNearestNeighbor()
        clf.train(np.concatenate(x_folds[:i] + x_folds[i + 1:]),
                  np.concatenate(y_folds[:i] + y_folds[i + 1:]))
        dists = clf.compute_distances_no_loops(x_folds[i])
        for k in k_choices:
            pred = clf.predict_labels(dists, k=k)
            k_to_accuracies[k].append(float(np.mean(pred == y_folds[i])))
    return k_to_accuracies


def knn_get_best_k(k_to_accuracies):
    """The k with the highest mean cross-validation accuracy; the smallest such k on a tie.

    Parameters
    ----------
    k_to_accuracies : dict, k -> list of accuracies

    Returns
    -------
    best_k : int
    """
    if not k_to_accuracies:
        raise ValueError("knn_get_best_k: k_to_accuracies is empty")
    return min(k_to_accuracies, key=lambda k: (-float(np.mean(k_to_accuracies[k])), k))
