"""The bindings own what they create and nothing else: no reference is leaked on the success
path or on any error path (a leak shows up as a growing sys.getrefcount of the inputs)."""
import sys

import numpy as np
import pytest

from conftest import assert_no_leaks
from cvnn import _C

x = np.random.default_rng(0).standard_normal((4, 6))
w = np.random.default_rng(1).standard_normal((6, 3))
b = np.zeros(3)
y = np.array([0, 1, 2, 1])
dout = np.ones((4, 3))

CALLS = [
    ("affine_forward ok", lambda: _C.affine_forward(x, w, b)),
    ("affine_forward bad shape", lambda: _C.affine_forward(x, w[:5], b)),
    ("affine_forward bad dtype", lambda: _C.affine_forward(x.astype(np.int32), w, b)),
    ("affine_backward ok", lambda: _C.affine_backward(dout, x, w)),
    ("affine_backward bad", lambda: _C.affine_backward(dout[:3], x, w)),
    ("relu ok", lambda: _C.relu_backward(x, x)),
    ("relu bad", lambda: _C.relu_backward(x, w)),
    ("softmax ok", lambda: _C.softmax_loss(x[:, :3], y)),
    ("softmax bad label", lambda: _C.softmax_loss(x[:, :3], y + 5)),
    ("svm bad length", lambda: _C.svm_loss(x[:, :3], y[:2])),
]


@pytest.mark.parametrize("name,call", CALLS, ids=[c[0] for c in CALLS])
def test_no_reference_leaks(name, call):
    assert_no_leaks(call, (x, w, b, y, dout))


def test_results_are_fresh_arrays_that_free():
    import gc
    import weakref
    out = _C.affine_forward(x, w, b)
    assert sys.getrefcount(out) == 2  # our name and the call's argument
    dx, dw, db = _C.affine_backward(dout, x, w)
    assert sys.getrefcount(dx) == 2 and sys.getrefcount(dw) == 2 and sys.getrefcount(db) == 2
    r = weakref.ref(out.base) if out.base is not None else None
    del out
    gc.collect()
    assert r is None or r() is None
