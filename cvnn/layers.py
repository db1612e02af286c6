"""The CS231n layer set. Each function checks its Python-level arguments, calls a C kernel in
``cvnn._C`` and builds the cache; caches are tuples that only go back to their own backward.

Every function accepts float32 and float64 inputs (the dtype of the main input decides) and
labels of any integer dtype.
"""
import numpy as np

from . import _C


def affine_forward(x, w, b):
    """Computes the forward pass for an affine (fully connected) layer.

    The input x has shape (N, d_1, ..., d_k) and contains a minibatch of N examples, where
    each example x[i] has shape (d_1, ..., d_k). It is reshaped into a vector of dimension
    D = d_1 * ... * d_k, and then transformed to an output vector of dimension M.

    Parameters
    ----------
    x : ndarray, shape (N, d_1, ..., d_k)
    w : ndarray, shape (D, M)
    b : ndarray, shape (M,)

    Returns
    -------
    out : ndarray, shape (N, M)
    cache : tuple (x, w, b)
    """
    out = _C.affine_forward(x, w, b)
    return out, (x, w, b)


def affine_backward(dout, cache):
    """Computes the backward pass for an affine layer.

    Parameters
    ----------
    dout : ndarray, shape (N, M), upstream derivative
    cache : tuple (x, w, b) from affine_forward

    Returns
    -------
    dx : ndarray, shape (N, d_1, ..., d_k), gradient with respect to x
    dw : ndarray, shape (D, M), gradient with respect to w
    db : ndarray, shape (M,), gradient with respect to b
    """
    x, w, b = cache
    return _C.affine_backward(dout, x, w)


def relu_forward(x):
    """Computes the forward pass for a layer of rectified linear units (ReLUs).

    Parameters
    ----------
    x : ndarray of any shape

    Returns
    -------
    out : ndarray, same shape as x
    cache : x
    """
    return _C.relu_forward(x), x


def relu_backward(dout, cache):
    """Computes the backward pass for a layer of ReLUs.

    Parameters
    ----------
    dout : ndarray of any shape, upstream derivatives
    cache : x, the input of relu_forward, same shape as dout

    Returns
    -------
    dx : ndarray, gradient with respect to x
    """
    return _C.relu_backward(dout, cache)


def svm_loss(x, y):
    """Computes the loss and gradient for multiclass SVM classification.

    Parameters
    ----------
    x : ndarray, shape (N, C), where x[i, j] is the score for the jth class of the ith input
    y : ndarray, shape (N,), labels, where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns
    -------
    loss : float
    dx : ndarray, shape (N, C), gradient of the loss with respect to x
    """
    return _C.svm_loss(x, y)


def softmax_loss(x, y):
    """Computes the loss and gradient for softmax classification.

    Parameters
    ----------
    x : ndarray, shape (N, C), where x[i, j] is the score for the jth class of the ith input
    y : ndarray, shape (N,), labels, where y[i] is the label for x[i] and 0 <= y[i] < C

    Returns
    -------
    loss : float
    dx : ndarray, shape (N, C), gradient of the loss with respect to x
    """
    return _C.softmax_loss(x, y)
