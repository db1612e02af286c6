"""Numerical gradients for checking analytic ones, with CS231n semantics.

Use float64 inputs: with float32 the central difference at h = 1e-5 has too few digits.
"""
from random import randrange

import numpy as np


def rel_error(x, y):
    """Maximum relative error, max(|x - y| / max(1e-8, |x| + |y|)), as the notebooks define it."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    return float(np.max(np.abs(x - y) / np.maximum(1e-8, np.abs(x) + np.abs(y))))


def eval_numerical_gradient(f, x, verbose=True, h=0.00001):
    """Numerical gradient of the scalar function f at x (an array), by central differences.

    Parameters
    ----------
    f : callable taking one argument (x) and returning a float
    x : ndarray, the point at which to evaluate the gradient; modified in place and restored
    verbose : bool, print each coordinate's index and gradient
    h : float, the step

    Returns
    -------
    grad : ndarray with x's shape
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        if verbose:
            print(ix, grad[ix])
        it.iternext()
    return grad


def eval_numerical_gradient_array(f, x, df, h=1e-5):
    """Numerical gradient of sum(f(x) * df) with respect to x, for a function f that takes an
    array and returns an array; df is the upstream gradient with f(x)'s shape.

    Returns
    -------
    grad : ndarray with x's shape
    """
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        pos = np.array(f(x), copy=True)
        x[ix] = oldval - h
        neg = np.array(f(x), copy=True)
        x[ix] = oldval
        grad[ix] = np.sum((pos - neg) * df) / (2 * h)
        it.iternext()
    return grad


def eval_numerical_gradient_blobs(f, inputs, output, h=1e-5):
    """Numerical gradients for a function that works on blob-like objects with ``.vals`` and
    ``.diffs`` arrays (CS231n's legacy API); f(*inputs) writes into output.vals."""
    numeric_diffs = []
    for input_blob in inputs:
        diff = np.zeros_like(input_blob.diffs)
        it = np.nditer(input_blob.vals, flags=["multi_index"], op_flags=["readwrite"])
        while not it.finished:
            idx = it.multi_index
            orig = input_blob.vals[idx]
            input_blob.vals[idx] = orig + h
            f(*(inputs + (output,)))
            pos = np.copy(output.vals)
            input_blob.vals[idx] = orig - h
            f(*(inputs + (output,)))
            neg = np.copy(output.vals)
            input_blob.vals[idx] = orig
            diff[idx] = np.sum((pos - neg) * output.diffs) / (2.0 * h)
            it.iternext()
        numeric_diffs.append(diff)
    return numeric_diffs


def eval_numerical_gradient_net(net, inputs, output, h=1e-5):
    """eval_numerical_gradient_blobs for a net's forward function."""
    return eval_numerical_gradient_blobs(lambda *args: net.forward(), inputs, output, h=h)


def grad_check_sparse(f, x, analytic_grad, num_checks=10, h=1e-5):
    """Sample a few random coordinates of x and compare the numerical and analytic gradients,
    printing "numerical: %f analytic: %f, relative error: %e" for each.

    Returns
    -------
    errors : list of float, the relative error at each sampled coordinate
    """
    errors = []
    for _ in range(num_checks):
        ix = tuple([randrange(m) for m in x.shape])
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad_numerical = (fxph - fxmh) / (2 * h)
        grad_analytic = analytic_grad[ix]
        denom = abs(grad_numerical) + abs(grad_analytic)
        rel = abs(grad_numerical - grad_analytic) / denom if denom > 0 else 0.0
        errors.append(rel)
        print("numerical: %f analytic: %f, relative error: %e" % (grad_numerical, grad_analytic, rel))
    return errors
