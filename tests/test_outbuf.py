"""The cache of freed output arrays (csrc/bind/outbuf.c): large results reuse freed blocks of
about their size, small ones and everything NumPy allocates itself are untouched, the cache
stays within its limits, and arrays behave as any NumPy array (resize, views, pickling)."""
import pickle

import numpy as np

from cvnn import _C

try:
    from numpy._core.multiarray import get_handler_name
except ImportError:  # NumPy 1.x
    from numpy.core.multiarray import get_handler_name


def _big(rng, n=512 * 1024):
    return rng.standard_normal(n)  # 4 MB of float64


def test_a_freed_result_is_reused_for_the_next_one_of_its_size(rng):
    x = _big(rng)
    a = _C.relu_forward(x)
    assert get_handler_name(a) == "cvnn_outbuf"
    ptr = a.ctypes.data
    before = _C.outbuf_stats()
    del a  # cached, even when the cache is full: the blocks freed longest ago make room
    assert _C.outbuf_stats()["cached_bytes"] >= x.nbytes
    b = _C.relu_forward(x)
    after = _C.outbuf_stats()
    assert b.ctypes.data == ptr and after["hits"] == before["hits"] + 1
    assert np.array_equal(b, np.maximum(x, 0))  # every element written, none left from before
    assert b.ctypes.data % 64 == 0


def test_sizes_far_apart_do_not_share_blocks(rng):
    a = _C.relu_forward(_big(rng))
    ptr = a.ctypes.data
    del a
    # a request 1/4 smaller would waste too much of the 4 MB block: a new one
    c = _C.relu_forward(_big(rng, 384 * 1024))
    assert c.ctypes.data != ptr


def test_small_results_and_numpy_arrays_use_numpys_allocator(rng):
    small = _C.relu_forward(rng.standard_normal(100))
    assert small.nbytes < _C.outbuf_stats()["min_bytes"]
    assert get_handler_name(small) == get_handler_name(np.empty(3))
    assert get_handler_name(np.empty(10**6)) != "cvnn_outbuf"  # only cvnn's results


def test_cache_stays_within_its_limits(rng):
    stats = _C.outbuf_stats()
    arrays = [_C.relu_forward(_big(rng, 512 * 1024 + 4096 * k)) for k in range(80)]
    del arrays
    stats = _C.outbuf_stats()
    assert stats["cached_blocks"] <= 64
    assert 0 < stats["cached_bytes"] <= stats["max_bytes"] <= 1 << 30


def test_results_behave_as_numpy_arrays(rng):
    x = _big(rng)
    a = _C.relu_forward(x)
    want = np.maximum(x, 0)
    v = a[::2]  # a view keeps the block alive after its base name goes
    del a
    assert np.array_equal(v, want[::2])
    b = _C.relu_forward(x)
    b.resize(2 * b.size, refcheck=False)  # NumPy reallocates through the same handler
    assert np.array_equal(b[: x.size], want) and not b[x.size:].any()
    c = pickle.loads(pickle.dumps(_C.relu_forward(x)))
    assert np.array_equal(c, want)
