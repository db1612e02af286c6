"""Shared fixtures: dtypes with their tolerances, every ISA path, thread counts, and the
location of the real CIFAR-10."""
import os
import pathlib

import numpy as np
import pytest

import cvnn
from cvnn import _C

ROOT = pathlib.Path(__file__).resolve().parent.parent

# rtol per dtype (STYLE.md: float64 1e-10, float32 1e-4)
RTOL = {np.float64: 1e-10, np.float32: 1e-4}


def assert_close(got, ref, dtype, scale=None):
    """Compare a kernel's output with the float64 oracle. Elements are held to rtol of their
    own size, plus rtol of the array's largest element (cancellation in sums of many terms)."""
    got = np.asarray(got)
    ref = np.asarray(ref, np.float64)
    assert got.shape == ref.shape, (got.shape, ref.shape)
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    rtol = RTOL[np.dtype(dtype).type]
    if scale is None:
        scale = float(np.max(np.abs(ref))) if ref.size else 0.0
    np.testing.assert_allclose(got.astype(np.float64), ref, rtol=rtol, atol=rtol * scale + 1e-300)


def run_python(args, timeout=600, cwd=None, **env):
    """Run `python ARGS` in a child process that imports the same cvnn as this one (the
    installed package in CI, the in-place build in a checkout), from a folder other than the
    project's root, whose unbuilt cvnn/ would otherwise shadow it."""
    import subprocess
    import sys
    import tempfile

    package_parent = str(pathlib.Path(cvnn.__file__).resolve().parent.parent)
    e = dict(os.environ, MPLBACKEND="Agg", **env)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, env=e,
                          timeout=timeout, cwd=cwd or tempfile.gettempdir())


def assert_no_leaks(call, arrays, repeats=200):
    """Run call() (a binding, successful or raising ValueError/TypeError) many times and
    assert that the reference counts of `arrays` do not grow: a missing Py_DECREF on any path
    of the binding shows up here."""
    import sys

    def run():
        try:
            call()
        except (ValueError, TypeError):
            pass

    for _ in range(3):  # warm up caches of interned objects
        run()
    before = [sys.getrefcount(a) for a in arrays]
    for _ in range(repeats):
        run()
    assert [sys.getrefcount(a) for a in arrays] == before


@pytest.fixture(params=[np.float64, np.float32], ids=["f64", "f32"])
def dtype(request):
    return request.param


def supported_isas():
    order = ["generic", "avx2", "avx512"]
    return order[: order.index(_C.best_isa()) + 1]


@pytest.fixture(params=supported_isas())
def isa(request):
    """Run the test on one ISA path, then restore the one in force."""
    before = _C.get_isa()
    _C.set_isa(request.param)
    yield request.param
    _C.set_isa(before)


@pytest.fixture
def threads():
    """Yields a setter for the thread count and restores the count afterwards."""
    before = cvnn.get_num_threads()
    yield cvnn.set_num_threads
    cvnn.set_num_threads(before)


@pytest.fixture
def rng():
    return np.random.default_rng(231)


def _cifar_dir():
    """The binary CIFAR-10 folder: $CVNN_DATA (a folder holding cifar-10-batches-bin or the
    folder itself), then datasets/ in the project, then ../shared/datasets/cifar10."""
    candidates = []
    env = os.environ.get("CVNN_DATA")
    if env:
        candidates += [pathlib.Path(env), pathlib.Path(env) / "cifar-10-batches-bin"]
    candidates += [ROOT / "datasets" / "cifar-10-batches-bin",
                   ROOT.parent / "shared" / "datasets" / "cifar10" / "cifar-10-batches-bin"]
    for c in candidates:
        if (c / "data_batch_1.bin").is_file():
            return c
    return None


@pytest.fixture(scope="session")
def cifar10_dir():
    """Skips, with instructions, where the data are missing; fails instead when the run
    demands the data (CVNN_REQUIRE_DATA=1, as .ci/run sets)."""
    d = _cifar_dir()
    if d is None:
        msg = ("CIFAR-10 not found: run `python -m cvnn download` (or put cifar-10-batches-bin "
               "or cifar-10-batches-py under datasets/, or set CVNN_DATA to its folder)")
        if os.environ.get("CVNN_REQUIRE_DATA") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return d
