"""Structured (multiclass) SVM loss, naive and vectorised (CS231n A1). Both are C kernels:
the naive one explicit loops, the vectorised one X @ W through the GEMM and the svm_loss
kernel. The L2 term is reg * sum(W * W), with gradient 2 * reg * W, as in CS231n."""
from .. import _C


def svm_loss_naive(W, X, y, reg):
    """Structured SVM loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N
    examples. The margin is 1.

    Parameters
    ----------
    W : ndarray, shape (D, C), weights (float32 or float64; decides the dtype)
    X : ndarray, shape (N, D), a minibatch of data (converted to W's dtype)
    y : ndarray, shape (N,), labels; y[i] = c means X[i] has label c, 0 <= c < C
    reg : float, regularization strength

    Returns
    -------
    loss : float, mean hinge loss + reg * sum(W * W)
    dW : ndarray, shape (D, C), gradient with respect to W
    """
    return _C.svm_loss_naive(W, X, y, reg)


def svm_loss_vectorized(W, X, y, reg):
    """Structured SVM loss function, vectorized implementation.

    Inputs and outputs are the same as svm_loss_naive.
    """
    return _C.svm_loss_vectorized(W, X, y, reg)
