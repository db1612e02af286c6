"""Linear classifiers trained by minibatch SGD (CS231n A1 ``LinearClassifier``, ``LinearSVM``,
``Softmax``). The losses are C kernels (linear_svm.py, softmax.py)."""
import os

import numpy as np

from .. import _C
from .linear_svm import svm_loss_vectorized
from .softmax import softmax_loss_vectorized


class LinearClassifier(object):
    """Base class: subclasses provide loss(). W (D, C) is created on the first train()."""

    def __init__(self):
        self.W = None

    def train(self, X, y, learning_rate=1e-3, reg=1e-5, num_iters=100, batch_size=200,
              verbose=False):
        """Train this linear classifier using stochastic gradient descent.

        Minibatches of batch_size rows are sampled with replacement (np.random.choice). W is
        initialised lazily as 0.001 * randn(D, C) in X's dtype (float64 unless X is float32),
        with C = max(y) + 1.

        Parameters
        ----------
        X : ndarray, shape (N, D), training data
        y : ndarray, shape (N,), labels; 0 <= y[i] < C
        learning_rate : float, the SGD step
        reg : float, regularization strength
        num_iters : int, number of steps
        batch_size : int, training examples per step
        verbose : bool, print progress every 100 iterations

        Returns
        -------
        loss_history : list of float, the loss at each training iteration
        """
        X = np.asarray(X)
        y = np.asarray(y)
        if X.ndim != 2:
            raise ValueError("train: X must be 2-D (N, D), got shape %s" % (X.shape,))
        num_train, dim = X.shape
        if num_train == 0:
            raise ValueError("train: X has no rows")
        if y.shape != (num_train,):
            raise ValueError("train: y.shape %s must equal (N,) = (%d,)" % (y.shape, num_train))
        if batch_size < 1:
            raise ValueError("train: batch_size (%d) must be >= 1" % batch_size)
        num_classes = int(np.max(y)) + 1
        dtype = np.float32 if X.dtype == np.float32 else np.float64
        if self.W is None:
            self.W = (0.001 * np.random.randn(dim, num_classes)).astype(dtype)
        elif self.W.shape[0] != dim:
            raise ValueError("train: X.shape[1] (%d) must equal W.shape[0] (%d)" % (dim, self.W.shape[0]))

        loss_history = []
        for it in range(num_iters):
            idx = np.random.choice(num_train, batch_size, replace=True)
            X_batch = X[idx]
            y_batch = y[idx]
            loss, grad = self.loss(X_batch, y_batch, reg)
            loss_history.append(loss)
            self.W -= learning_rate * grad
            if verbose and it % 100 == 0:
                print("iteration %d / %d: loss %f" % (it, num_iters, loss))
        return loss_history

    def predict(self, X):
        """Use the trained weights to predict labels for data points.

        Parameters
        ----------
        X : ndarray, shape (N, D)

        Returns
        -------
        y_pred : ndarray, shape (N,), the class with the highest score for each row
        """
        if self.W is None:
            raise ValueError("predict: call train() (or load()) before predict()")
        X = np.asarray(X)
        if X.ndim != 2 or X.shape[1] != self.W.shape[0]:
            raise ValueError("predict: X.shape %s must be (N, %d)" % (X.shape, self.W.shape[0]))
        scores = _C.affine_forward(X, self.W, np.zeros(self.W.shape[1], self.W.dtype))
        return np.argmax(scores, axis=1)

    def loss(self, X_batch, y_batch, reg):
        """Compute the loss function and its derivative. Subclasses override this.

        Parameters
        ----------
        X_batch : ndarray, shape (N, D), a minibatch of N data points
        y_batch : ndarray, shape (N,), labels for the minibatch
        reg : float, regularization strength

        Returns
        -------
        loss : float
        dW : ndarray, shape (D, C), gradient with respect to self.W
        """
        raise NotImplementedError("loss: use LinearSVM or Softmax, or override loss()")

    def save(self, fname):
        """Save the weights to fname as .npz (no pickle)."""
        if self.W is None:
            raise ValueError("save: nothing to save, W is None")
        np.savez(fname, W=self.W)

    def load(self, fname):
        """Load weights saved by save() (fname with or without its .npz suffix); files are
        read with allow_pickle=False."""
        if not os.path.exists(fname) and os.path.exists(str(fname) + ".npz"):
            fname = str(fname) + ".npz"
        with np.load(fname, allow_pickle=False) as f:
            self.W = np.array(f["W"])


class LinearSVM(LinearClassifier):
    """A subclass that uses the multiclass SVM loss."""

    def loss(self, X_batch, y_batch, reg):
        return svm_loss_vectorized(self.W, X_batch, y_batch, reg)


class Softmax(LinearClassifier):
    """A subclass that uses the softmax + cross-entropy loss."""

    def loss(self, X_batch, y_batch, reg):
        return softmax_loss_vectorized(self.W, X_batch, y_batch, reg)
