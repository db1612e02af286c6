"""Softmax (cross-entropy) loss, naive and vectorised (CS231n A1). Both are C kernels and
numerically stable (the row maximum is subtracted before exp). The L2 term is
reg * sum(W * W), with gradient 2 * reg * W, as in CS231n."""
from .. import _C


def softmax_loss_naive(W, X, y, reg):
    """Softmax loss function, naive implementation (with loops).

    Inputs have dimension D, there are C classes, and we operate on minibatches of N
    examples.

    Parameters
    ----------
    W : ndarray, shape (D, C), weights (float32 or float64; decides the dtype)
    X : ndarray, shape (N, D), a minibatch of data (converted to W's dtype)
    y : ndarray, shape (N,), labels; y[i] = c means X[i] has label c, 0 <= c < C
    reg : float, regularization strength

    Returns
    -------
    loss : float, mean cross-entropy + reg * sum(W * W)
    dW : ndarray, shape (D, C), gradient with respect to W
    """
    return _C.softmax_loss_naive(W, X, y, reg)


def softmax_loss_vectorized(W, X, y, reg):
    """Softmax loss function, vectorized version.

    Inputs and outputs are the same as softmax_loss_naive.
    """
    return _C.softmax_loss_vectorized(W, X, y, reg)
