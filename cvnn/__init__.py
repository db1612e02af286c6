"""cvnn: the CS231n / EECS 498 layer API, with every layer a C kernel on NumPy buffers.

Change ``from cs231n.layers import *`` to ``from cvnn.layers import *`` and the notebook runs
on cvnn's kernels. See ``cvnn.show_config()`` for the CPU path and thread count in use.
"""
__version__ = "0.1.0"

try:
    from . import _C
except ImportError as exc:  # pragma: no cover - only without a build
    raise ImportError(
        "cvnn's C extension (cvnn._C) is not built or does not match this Python: "
        "install the package with `pip install .` from the project's root. (%s)" % exc
    ) from exc


def get_num_threads():
    """Return the number of threads cvnn's kernels may use."""
    return _C.get_num_threads()


def set_num_threads(n):
    """Set the number of threads cvnn's kernels may use (n >= 1). Returns the value in force,
    which is 1 when the build has no OpenMP. Results do not depend on it."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError("set_num_threads: n must be an int, got %s" % type(n).__name__)
    return _C.set_num_threads(n)


def get_isa():
    """Return the ISA path the kernels use: 'avx512', 'avx2' or 'generic'."""
    return _C.get_isa()


def set_isa(name):
    """Force the kernels onto one ISA path ('generic', 'avx2', 'avx512'); the CPU must support
    it. The environment variable CVNN_ISA does the same at import time."""
    _C.set_isa(name)


def matmul(a, b):
    """Matrix product ``a @ b`` of two 2-D arrays on cvnn's GEMM (packed, cache-blocked, SIMD
    micro-kernels, threaded above a work threshold; results do not depend on the thread count).

    Parameters
    ----------
    a : array_like, shape (M, K), float32 or float64
        Decides the dtype of the product. Any layout (C, Fortran, strided views) is accepted;
        only layouts that are neither row- nor column-contiguous are copied.
    b : array_like, shape (K, N)
        Converted to ``a``'s dtype.

    Returns
    -------
    out : ndarray, shape (M, N), a's dtype, C-contiguous

    Raises
    ------
    TypeError
        If ``a`` is not float32/float64 or ``b`` is not real-valued.
    ValueError
        If either is not 2-D, or ``a.shape[1]`` differs from ``b.shape[0]``.
    """
    return _C.matmul(a, b)


def show_config(file=None):
    """Print cvnn's version, the active ISA path, the thread count and NumPy's version."""
    import sys

    import numpy

    out = file or sys.stdout
    print("cvnn %s" % __version__, file=out)
    print("  ISA path:   %s (best on this CPU: %s)" % (_C.get_isa(), _C.best_isa()), file=out)
    print("  threads:    %d (OpenMP: %s)" % (_C.get_num_threads(), "yes" if _C.have_openmp() else "no"), file=out)
    print("  NumPy:      %s" % numpy.__version__, file=out)


__all__ = ["__version__", "get_num_threads", "set_num_threads", "get_isa", "set_isa", "matmul",
           "show_config"]
