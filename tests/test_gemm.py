"""The GEMM (cv_gemm_f32/f64 through _C.gemm and cvnn.matmul): against a float64 NumPy product
with an error bound per element, every transpose, alpha/beta, leading dimensions, the edges of
every block size, NaN/Inf, empty sizes, every ISA path, and 1 vs 2 threads bit for bit."""
import itertools

import numpy as np
import pytest

import cvnn
from cvnn import _C

TRANS = list(itertools.product([False, True], [False, True]))  # NN, NT, TN, TT
UNIT_ROUNDOFF = {np.float32: 2.0 ** -24, np.float64: 2.0 ** -53}


def operands(rng, M, N, K, ta, tb, dtype):
    """a stored (K, M) when ta else (M, K); b stored (N, K) when tb else (K, N)."""
    a = rng.standard_normal((K, M) if ta else (M, K)).astype(dtype)
    b = rng.standard_normal((N, K) if tb else (K, N)).astype(dtype)
    return a, b


def check_gemm(got, ta, tb, alpha, a, b, beta, c0):
    """got must equal alpha * op(a) @ op(b) + beta * c0 within the rounding error a K-term sum
    can make: (K + 4) u (|alpha| |op(a)| |op(b)| + |beta c0|) per element (u: unit roundoff).
    Missing, doubled or misplaced terms exceed it; in float64 it is far below any term."""
    dtype = got.dtype.type
    A = (a.T if ta else a).astype(np.float64)
    B = (b.T if tb else b).astype(np.float64)
    K = A.shape[1]
    ref = alpha * (A @ B)
    size = abs(alpha) * (np.abs(A) @ np.abs(B))
    if beta != 0:
        ref = ref + beta * c0.astype(np.float64)
        size = size + abs(beta) * np.abs(c0.astype(np.float64))
    bound = (K + 4) * UNIT_ROUNDOFF[dtype] * size + 1e-300
    err = np.abs(got.astype(np.float64) - ref)
    assert got.shape == ref.shape
    if not np.all(err <= bound):
        i = np.unravel_index(np.argmax(err - bound), err.shape)
        pytest.fail("element %s: got %r, want %r, error %.3g > bound %.3g"
                    % (i, got[i], ref[i], err[i], bound[i]))


@pytest.fixture(params=["in place", "packed"])
def gemm_path(request):
    """Run the test on both ways of reading small row-major operands: in place (the default for
    an op(B) of at most _C.gemm_inplace_bytes(), and then A too), and packed, as large products
    are (a limit below 0)."""
    before = _C.gemm_inplace_bytes()
    if request.param == "packed":
        _C.gemm_inplace_bytes(-1.0)
    yield request.param
    _C.gemm_inplace_bytes(before)


def run_gemm(rng, M, N, K, ta, tb, dtype, alpha=1.0, beta=0.0):
    a, b = operands(rng, M, N, K, ta, tb, dtype)
    c = rng.standard_normal((M, N)).astype(dtype)
    c0 = c.copy()
    _C.gemm(ta, tb, alpha, a, b, beta, c)
    check_gemm(c, ta, tb, alpha, a, b, beta, c0)
    return c


# 1x1x1, primes, tall-skinny and wide, K=1, M=1, N=1, dimensions of 2 (the direct path),
# just above the direct-path threshold, and sizes that fill several tiles
SHAPES = [(1, 1, 1), (37, 53, 71), (1000, 3, 5), (3, 1000, 5), (40, 50, 1), (1, 64, 33),
          (64, 1, 33), (2, 300, 2), (9, 9, 9), (16, 16, 16), (100, 130, 90), (29, 67, 300)]


@pytest.mark.parametrize("ta,tb", TRANS, ids=["NN", "NT", "TN", "TT"])
@pytest.mark.parametrize("M,N,K", SHAPES)
def test_gemm_matches_numpy(M, N, K, ta, tb, dtype, isa, rng, gemm_path):
    run_gemm(rng, M, N, K, ta, tb, dtype, alpha=1.0, beta=0.0)


@pytest.mark.parametrize("alpha,beta", [(1.0, 1.0), (-0.5, 0.0), (-0.5, 2.0), (2.0, -1.0),
                                        (1.0, 0.25)])
@pytest.mark.parametrize("M,N,K", [(5, 7, 3), (61, 45, 77), (150, 70, 400)])
def test_gemm_alpha_beta(M, N, K, alpha, beta, dtype, isa, rng, gemm_path):
    for ta, tb in TRANS:
        run_gemm(rng, M, N, K, ta, tb, dtype, alpha=alpha, beta=beta)


@pytest.mark.parametrize("M,N,K", [(4, 5, 6), (50, 70, 90)])
def test_beta_zero_ignores_nan_in_c(M, N, K, dtype, isa, rng, gemm_path):
    for ta, tb in TRANS:
        a, b = operands(rng, M, N, K, ta, tb, dtype)
        c = np.full((M, N), np.nan, dtype)
        c[::2] = np.inf
        _C.gemm(ta, tb, 1.0, a, b, 0.0, c)
        assert np.all(np.isfinite(c))
        check_gemm(c, ta, tb, 1.0, a, b, 0.0, c)


@pytest.mark.parametrize("M,N,K", [(4, 5, 6), (50, 70, 90)])
def test_alpha_zero_is_beta_times_c(M, N, K, dtype, rng):
    # as BLAS: with alpha == 0, op(a) @ op(b) is not computed (so NaN there does not spread)
    a, b = operands(rng, M, N, K, False, False, dtype)
    a[0, 0] = np.nan
    c = rng.standard_normal((M, N)).astype(dtype)
    want = (c * dtype(0.5)).astype(dtype)
    _C.gemm(False, False, 0.0, a, b, 0.5, c)
    np.testing.assert_array_equal(c, want)
    c[:] = np.nan
    _C.gemm(False, False, 0.0, a, b, 0.0, c)
    np.testing.assert_array_equal(c, np.zeros((M, N), dtype))


def block_shapes(blk):
    """(M, N, K) at MR, NR, MC, KC, NC plus and minus one, each along its own dimension."""
    mr, nr, mc, kc, nc = blk["MR"], blk["NR"], blk["MC"], blk["KC"], blk["NC"]
    shapes = []
    for m in {mr - 1, mr, mr + 1, 2 * mr + 1, mc - 1, mc, mc + 1}:
        shapes.append((max(m, 3), 37, 41))
    for n in {nr - 1, nr, nr + 1, 2 * nr + 1, nc - 1, nc + 1}:
        shapes.append((17, max(n, 3), 41))
    for k in {kc - 1, kc, kc + 1, 2 * kc + 1}:
        shapes.append((17, 37, max(k, 3)))
    shapes.append((mc + 1, nr + 1, kc + 1))
    return sorted(set(shapes))


def test_block_sizes_are_consistent(isa):
    for name, blk in _C.gemm_blocking().items():
        assert name in ("float32", "float64")
        assert blk["MC"] % blk["MR"] == 0 and blk["NC"] % blk["NR"] == 0, blk
        assert blk["KC"] >= 1 and blk["MR"] >= 1 and blk["NR"] >= 1


def test_gemm_at_block_edges(dtype, isa, rng, gemm_path):
    blk = _C.gemm_blocking()[np.dtype(dtype).name]
    for M, N, K in block_shapes(blk):
        for ta, tb in TRANS:
            run_gemm(rng, M, N, K, ta, tb, dtype, alpha=1.0, beta=0.5)


def test_leading_dimensions_and_views(dtype, isa, rng, gemm_path):
    """Row slices of bigger arrays (lda, ldb, ldc larger than the row), Fortran-ordered and
    negatively strided operands; c outside its view is not touched."""
    M, N, K = 45, 67, 89
    for ta, tb in TRANS:
        big_a = rng.standard_normal((K + 9, M + 7) if ta else (M + 9, K + 7)).astype(dtype)
        big_b = rng.standard_normal((N + 5, K + 3) if tb else (K + 5, N + 3)).astype(dtype)
        a = big_a[4:4 + (K if ta else M), 2:2 + (M if ta else K)]
        b = big_b[1:1 + (N if tb else K), 3:3 + (K if tb else N)]
        big_c = rng.standard_normal((M + 6, N + 11)).astype(dtype)
        before = big_c.copy()
        c = big_c[3:3 + M, 5:5 + N]
        _C.gemm(ta, tb, 1.5, a, b, -1.0, c)
        check_gemm(c, ta, tb, 1.5, a, b, -1.0, before[3:3 + M, 5:5 + N])
        outside = np.ones(big_c.shape, bool)
        outside[3:3 + M, 5:5 + N] = False
        np.testing.assert_array_equal(big_c[outside], before[outside])
        for a2, b2 in [(np.asfortranarray(a), b), (a, np.asfortranarray(b)),
                       (a[::-1][::-1], b[:, ::-1][:, ::-1]), (a.copy()[::-1], b.copy()[::-1])]:
            c2 = np.zeros((M, N), dtype)
            _C.gemm(ta, tb, 1.0, a2, b2, 0.0, c2)
            check_gemm(c2, ta, tb, 1.0, a2, b2, 0.0, c2)


# strips of columns, of rows (few columns), a small B read in place, wide im2col-like shapes
@pytest.mark.parametrize("M,N,K", [(300, 257, 511), (32, 5000, 147), (3000, 20, 100),
                                   (2000, 64, 64), (200, 4200, 70)])
def test_one_and_two_threads_bitwise_identical(M, N, K, dtype, isa, threads, rng):
    if not _C.have_openmp():
        pytest.skip("built without OpenMP")
    for ta, tb in TRANS:
        a, b = operands(rng, M, N, K, ta, tb, dtype)
        c0 = rng.standard_normal((M, N)).astype(dtype)
        out = []
        for t in (1, 2):
            threads(t)
            c = c0.copy()
            _C.gemm(ta, tb, 0.75, a, b, 0.5, c)
            out.append(c)
        np.testing.assert_array_equal(out[0], out[1])
    check_gemm(out[1], ta, tb, 0.75, a, b, 0.5, c0)


# tiles of every row count, K cut into KC blocks (900 > 384), N of one partial vector, rows
# 4 KiB apart (packed whatever the limit: they share one L1 set) and 2 KiB apart (in place)
@pytest.mark.parametrize("M,N,K", [(64, 64, 64), (127, 45, 900), (33, 5, 17), (29, 10, 1024),
                                   (29, 10, 512), (300, 16, 16)])
def test_in_place_and_packed_bitwise_identical(M, N, K, dtype, isa, rng):
    """Reading small operands in place runs the same arithmetic as packing them: the two paths
    agree bit for bit (on row slices of bigger arrays too), and with the reference."""
    before = _C.gemm_inplace_bytes()
    try:
        for ta, tb in TRANS:
            big_a = rng.standard_normal((K, M) if ta else (M, K + 3)).astype(dtype)
            a = big_a if ta else big_a[:, 1:K + 1]
            b = rng.standard_normal((N, K) if tb else (K, N)).astype(dtype)
            c0 = rng.standard_normal((M, N)).astype(dtype)
            out = []
            for limit in (before, -1.0):
                _C.gemm_inplace_bytes(limit)
                c = c0.copy()
                _C.gemm(ta, tb, 0.75, a, b, 0.5, c)
                out.append(c)
            np.testing.assert_array_equal(out[0], out[1])
            check_gemm(out[0], ta, tb, 0.75, a, b, 0.5, c0)
    finally:
        _C.gemm_inplace_bytes(before)


def test_inplace_limit_knob():
    before = _C.gemm_inplace_bytes()
    assert before == 131072.0
    assert _C.gemm_inplace_bytes(1000.0) == before
    assert _C.gemm_inplace_bytes() == 1000.0
    _C.gemm_inplace_bytes(before)


@pytest.mark.parametrize("M,N,K", [(6, 5, 4), (70, 90, 130)])
def test_nan_and_inf_propagate(M, N, K, dtype, isa, rng, gemm_path):
    for ta, tb in TRANS:
        a, b = operands(rng, M, N, K, ta, tb, dtype)
        A = a.T if ta else a  # views: writing them writes a and b
        B = b.T if tb else b
        A[1, 2] = np.nan
        B[3, N - 1] = np.inf
        B[0, 0] = -np.inf
        c = np.zeros((M, N), dtype)
        _C.gemm(ta, tb, 1.0, a, b, 0.0, c)
        with np.errstate(invalid="ignore"):
            want = A.astype(np.float64) @ B.astype(np.float64)
        np.testing.assert_array_equal(np.isnan(c), np.isnan(want))
        np.testing.assert_array_equal(np.isposinf(c), np.isposinf(want))
        np.testing.assert_array_equal(np.isneginf(c), np.isneginf(want))
        assert np.isnan(c[1]).all()


@pytest.mark.parametrize("M,N,K", [(0, 5, 4), (5, 0, 4), (0, 0, 0), (5, 4, 0), (50, 60, 0)])
def test_empty_sizes(M, N, K, dtype, rng):
    for ta, tb in TRANS:
        a, b = operands(rng, M, N, K, ta, tb, dtype)
        c = rng.standard_normal((M, N)).astype(dtype)
        want = (c * dtype(-2.0)).astype(dtype)
        _C.gemm(ta, tb, 1.0, a, b, -2.0, c)
        np.testing.assert_array_equal(c, want)  # K = 0: C = beta * C
        c[:] = np.nan
        _C.gemm(ta, tb, 1.0, a, b, 0.0, c)
        np.testing.assert_array_equal(c, np.zeros((M, N), dtype))


def test_gemm_bad_arguments(rng):
    a = rng.standard_normal((3, 4))
    b = rng.standard_normal((4, 5))
    c = np.zeros((3, 5))
    with pytest.raises(TypeError, match="gemm: a must be float32 or float64, got int64"):
        _C.gemm(False, False, 1.0, a.astype(np.int64), b, 0.0, c)
    with pytest.raises(TypeError, match="gemm: c must have a's dtype \\(float64\\)"):
        _C.gemm(False, False, 1.0, a, b, 0.0, c.astype(np.float32))
    with pytest.raises(TypeError, match="gemm: c must be a numpy array"):
        _C.gemm(False, False, 1.0, a, b, 0.0, c.tolist())
    with pytest.raises(ValueError, match=r"gemm: op\(a\).shape\[1\] \(4\) must equal op\(b\).shape\[0\] \(5\)"):
        _C.gemm(False, True, 1.0, a, b, 0.0, c)
    with pytest.raises(ValueError, match=r"gemm: c.shape\[1\] \(4\) must equal op\(b\).shape\[1\] \(5\)"):
        _C.gemm(False, False, 1.0, a, b, 0.0, np.zeros((3, 4)))
    with pytest.raises(ValueError, match="gemm: c must be a writeable C-contiguous array"):
        _C.gemm(False, False, 1.0, a, b, 0.0, np.zeros((5, 3)).T)
    ro = np.zeros((3, 5))
    ro.flags.writeable = False
    with pytest.raises(ValueError, match="gemm: c must be a writeable C-contiguous array"):
        _C.gemm(False, False, 1.0, a, b, 0.0, ro)
    with pytest.raises(ValueError, match="gemm: a must be 2-D, got 1-D"):
        _C.gemm(False, False, 1.0, a[0], b, 0.0, c)
    with pytest.raises(TypeError, match="gemm: b must be a real-valued array"):
        _C.gemm(False, False, 1.0, a, b.astype(np.complex128), 0.0, c)


@pytest.mark.parametrize("M,N,K", [(1, 1, 1), (37, 53, 71), (200, 3, 300)])
def test_matmul(M, N, K, dtype, rng):
    a = rng.standard_normal((M, K)).astype(dtype)
    b = rng.standard_normal((K, N))  # float64: converted to a's dtype
    out = cvnn.matmul(a, b)
    assert out.dtype == dtype and out.shape == (M, N) and out.flags.c_contiguous
    check_gemm(out, False, False, 1.0, a, b.astype(dtype), 0.0, out)
    for a2, b2 in [(np.asfortranarray(a), np.asfortranarray(b)), (a[:, ::-1][:, ::-1], b.tolist())]:
        np.testing.assert_array_equal(cvnn.matmul(a2, b2), out)
    bi = rng.integers(-3, 4, (K, N))
    check_gemm(cvnn.matmul(a, bi), False, False, 1.0, a, bi.astype(dtype), 0.0, out)


def test_matmul_errors(rng):
    a = rng.standard_normal((3, 4))
    with pytest.raises(ValueError, match=r"matmul: a.shape\[1\] \(4\) must equal b.shape\[0\] \(5\)"):
        cvnn.matmul(a, np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"matmul: a.shape\[1\] \(4\) must equal b.shape\[0\] \(3\)"):
        cvnn.matmul(np.asfortranarray(a), np.zeros((3, 2)))
    with pytest.raises(TypeError, match="matmul: a must be float32 or float64, got int64"):
        cvnn.matmul(np.ones((3, 4), np.int64), np.ones((4, 2)))
    with pytest.raises(TypeError, match="matmul: a must be float32 or float64, got complex128"):
        cvnn.matmul(np.ones((3, 4), complex), np.ones((4, 2)))
    with pytest.raises(ValueError, match="matmul: b must be 2-D, got 1-D"):
        cvnn.matmul(a, np.ones(4))
    with pytest.raises(ValueError, match="matmul: a must be 2-D, got 3-D"):
        cvnn.matmul(np.ones((2, 3, 4)), np.ones((4, 2)))
    assert cvnn.matmul(np.zeros((0, 4)), np.zeros((4, 3))).shape == (0, 3)
    np.testing.assert_array_equal(cvnn.matmul(np.zeros((2, 0)), np.zeros((0, 3))), np.zeros((2, 3)))


def test_fma_peak(isa):
    g = _C.fma_peak(np.float32, 1)
    assert g > 0.1
    with pytest.raises(TypeError, match="fma_peak: dtype must be float32 or float64"):
        _C.fma_peak(np.int32, 1)
    with pytest.raises(ValueError, match="fma_peak: threads must be >= 1, got 0"):
        _C.fma_peak(np.float64, 0)


def test_bindings_leak_no_references(rng):
    """Every path of gemm/matmul (in place, Fortran and copied operands, each error) leaves the
    reference counts of its arguments as they were. (main's conftest.assert_no_leaks does the
    same for the other families; this one predates it on this branch.)"""
    import sys
    a = rng.standard_normal((5, 7))
    af = np.asfortranarray(a)
    b = rng.standard_normal((7, 3))
    c = np.zeros((5, 3))
    c32 = np.zeros((5, 3), np.float32)
    calls = [lambda: _C.gemm(False, False, 1.0, a, b, 0.0, c),
             lambda: _C.gemm(False, False, 1.0, af, b[::-1], 1.0, c),
             lambda: _C.gemm(False, False, 1.0, a, b, 0.0, c32),
             lambda: _C.gemm(True, False, 1.0, a, b, 0.0, c),
             lambda: _C.gemm(False, False, 1.0, a, b, 0.0, c.T),
             lambda: _C.gemm(False, False, 1.0, a.astype(int), b, 0.0, c),
             lambda: cvnn.matmul(a, b), lambda: cvnn.matmul(af, b.astype(np.float32)),
             lambda: cvnn.matmul(a, b[:3]), lambda: cvnn.matmul(a[0], b)]
    for call in calls:
        def run():
            try:
                call()
            except (ValueError, TypeError):
                pass
        for _ in range(3):
            run()
        before = [sys.getrefcount(x) for x in (a, af, b, c, c32)]
        for _ in range(100):
            run()
        assert [sys.getrefcount(x) for x in (a, af, b, c, c32)] == before
