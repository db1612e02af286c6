/* bind_gemm.c: gemm(transA, transB, alpha, a, b, beta, c) updates c in place;
 * matmul(a, b) -> a @ b; gemm_blocking() -> block sizes; fma_peak(dtype, threads) -> GFLOP/s. */
#include "args.h"

/* One operand of a product, as the matrix stored row-major at its data with leading dimension
 * *ld, (*rows, *cols) stored. No copy when its rows are contiguous (a C array, or a slice of one)
 * nor when it is Fortran-ordered: then the stored matrix is its transpose and *trans flips.
 * Anything else (negative or odd strides, misaligned, byte-swapped) is copied.
 * *typenum < 0: this operand decides the dtype (float32/float64, else TypeError). */
static PyArrayObject *gemm_operand(PyObject *obj, int *typenum, const char *fn, const char *name,
                                   int *trans, int64_t *rows, int64_t *cols, int64_t *ld)
{
    PyArrayObject *raw, *a;
    if (!(raw = (PyArrayObject *)PyArray_FROM_O(obj))) return NULL;
    if (*typenum < 0) {
        int t = PyArray_DESCR(raw)->type_num;
        if (t != NPY_FLOAT && t != NPY_DOUBLE) {
            int ignored;
            Py_DECREF(raw);
            return cv_float_main(obj, fn, name, &ignored); /* NULL, with the TypeError */
        }
        *typenum = t;
    }
    if (cv_check_ndim(raw, 2, fn, name) < 0) goto fail;
    if (PyArray_DESCR(raw)->type_num == *typenum && PyArray_ISALIGNED(raw) &&
        PyArray_ISNOTSWAPPED(raw)) {
        const npy_intp s = PyArray_ITEMSIZE(raw), d0 = PyArray_DIM(raw, 0), d1 = PyArray_DIM(raw, 1);
        const npy_intp s0 = PyArray_STRIDE(raw, 0), s1 = PyArray_STRIDE(raw, 1);
        if ((d1 <= 1 || s1 == s) && (d0 <= 1 || (s0 % s == 0 && s0 / s >= d1))) {
            *rows = d0; *cols = d1;
            *ld = d0 <= 1 ? d1 : s0 / s;
            if (*ld < 1) *ld = 1;
            return raw;
        }
        if ((d0 <= 1 || s0 == s) && (d1 <= 1 || (s1 % s == 0 && s1 / s >= d0))) {
            *rows = d1; *cols = d0;
            *ld = d1 <= 1 ? d0 : s1 / s;
            if (*ld < 1) *ld = 1;
            *trans = !*trans;
            return raw;
        }
    }
    a = cv_float_as((PyObject *)raw, *typenum, fn, name);
    Py_DECREF(raw);
    if (!a) return NULL;
    *rows = PyArray_DIM(a, 0); *cols = PyArray_DIM(a, 1);
    *ld = *cols > 1 ? *cols : 1;
    return a;
fail:
    Py_DECREF(raw);
    return NULL;
}

/* c = alpha * op(a) @ op(b) + beta * c, or a new (M, N) array when oc is NULL (beta ignored) */
static PyObject *gemm_call(const char *fn, int ta, int tb, double alpha, PyObject *oa,
                           PyObject *ob, double beta, PyObject *oc)
{
    PyArrayObject *a = NULL, *b = NULL, *c = NULL;
    int t = -1;
    int64_t ar, ac, br, bc, lda, ldb, ldc, M, N, K, Kb;
    if (!(a = gemm_operand(oa, &t, fn, "a", &ta, &ar, &ac, &lda))) goto fail;
    if (!(b = gemm_operand(ob, &t, fn, "b", &tb, &br, &bc, &ldb))) goto fail;
    M = ta ? ac : ar;
    K = ta ? ar : ac;
    Kb = tb ? bc : br;
    N = tb ? br : bc;
    if (oc == NULL) {
        if (cv_check_eq(K, Kb, fn, "a.shape[1]", "b.shape[0]") < 0) goto fail;
        int64_t MN;
        if (cv_mul(M, N, &MN, fn) < 0) goto fail;
        npy_intp dims[2] = {(npy_intp)M, (npy_intp)N};
        if (!(c = cv_empty(2, dims, t))) goto fail;
        ldc = N > 1 ? N : 1;
        beta = 0.0;
    } else {
        if (cv_check_eq(K, Kb, fn, "op(a).shape[1]", "op(b).shape[0]") < 0) goto fail;
        if (!PyArray_Check(oc)) {
            PyErr_Format(PyExc_TypeError, "%s: c must be a numpy array", fn);
            goto fail;
        }
        c = (PyArrayObject *)oc;
        Py_INCREF(c);
        if (PyArray_DESCR(c)->type_num != t) {
            PyErr_Format(PyExc_TypeError, "%s: c must have a's dtype (%s)", fn,
                         t == NPY_FLOAT ? "float32" : "float64");
            goto fail;
        }
        if (cv_check_ndim(c, 2, fn, "c") < 0 ||
            cv_check_eq(PyArray_DIM(c, 0), M, fn, "c.shape[0]", "op(a).shape[0]") < 0 ||
            cv_check_eq(PyArray_DIM(c, 1), N, fn, "c.shape[1]", "op(b).shape[1]") < 0)
            goto fail;
        const npy_intp s = PyArray_ITEMSIZE(c), s0 = PyArray_STRIDE(c, 0), s1 = PyArray_STRIDE(c, 1);
        if (!PyArray_ISWRITEABLE(c) || !PyArray_ISALIGNED(c) || !PyArray_ISNOTSWAPPED(c) ||
            (M > 0 && N > 0 && (!(N <= 1 || s1 == s) || !(M <= 1 || (s0 % s == 0 && s0 / s >= N))))) {
            PyErr_Format(PyExc_ValueError,
                         "%s: c must be a writeable C-contiguous array (or a slice of rows and "
                         "columns of one), got strides (%lld, %lld)", fn, (long long)s0, (long long)s1);
            goto fail;
        }
        ldc = M <= 1 || N == 0 ? N : s0 / s;
        if (ldc < 1) ldc = 1;
    }
    {
        const void *pa = CV_DATA(a), *pb = CV_DATA(b);
        void *pc = CV_DATA(c);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? cv_gemm_f32(ta, tb, M, N, K, (float)alpha, pa, lda, pb, ldb,
                                        (float)beta, pc, ldc)
                          : cv_gemm_f64(ta, tb, M, N, K, alpha, pa, lda, pb, ldb, beta, pc, ldc);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(a); Py_DECREF(b);
    if (oc != NULL) {
        Py_DECREF(c);
        Py_RETURN_NONE;
    }
    return (PyObject *)c;
fail:
    Py_XDECREF(a); Py_XDECREF(b); Py_XDECREF(c);
    return NULL;
}

static PyObject *py_gemm(PyObject *self, PyObject *args)
{
    int ta, tb;
    double alpha, beta;
    PyObject *oa, *ob, *oc;
    (void)self;
    if (!PyArg_ParseTuple(args, "ppdOOdO", &ta, &tb, &alpha, &oa, &ob, &beta, &oc)) return NULL;
    return gemm_call("gemm", ta, tb, alpha, oa, ob, beta, oc);
}

static PyObject *py_matmul(PyObject *self, PyObject *args)
{
    PyObject *oa, *ob;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO", &oa, &ob)) return NULL;
    return gemm_call("matmul", 0, 0, 1.0, oa, ob, 0.0, NULL);
}

static PyObject *blocking_dict(int f64)
{
    int mr, nr;
    int64_t mc, kc, nc;
    if (f64) cv_gemm_blocking_f64(&mr, &nr, &mc, &kc, &nc);
    else cv_gemm_blocking_f32(&mr, &nr, &mc, &kc, &nc);
    return Py_BuildValue("{s:i,s:i,s:L,s:L,s:L}", "MR", mr, "NR", nr, "MC", (long long)mc, "KC",
                         (long long)kc, "NC", (long long)nc);
}

static PyObject *py_gemm_blocking(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return Py_BuildValue("{s:N,s:N}", "float32", blocking_dict(0), "float64", blocking_dict(1));
}

/* the dtype as float32 (0) / float64 (1), or -1 with TypeError */
static int dtype_is_f64(PyObject *od, const char *fn)
{
    PyArray_Descr *d = NULL;
    int r = -1;
    if (!PyArray_DescrConverter(od, &d)) return -1;
    if (d->type_num == NPY_FLOAT) r = 0;
    else if (d->type_num == NPY_DOUBLE) r = 1;
    else PyErr_Format(PyExc_TypeError, "%s: dtype must be float32 or float64", fn);
    Py_DECREF(d);
    return r;
}

static PyObject *py_fma_peak(PyObject *self, PyObject *args)
{
    PyObject *od;
    int threads = 1, f64;
    double g;
    (void)self;
    if (!PyArg_ParseTuple(args, "O|i", &od, &threads)) return NULL;
    if ((f64 = dtype_is_f64(od, "fma_peak")) < 0) return NULL;
    if (threads < 1) {
        PyErr_Format(PyExc_ValueError, "fma_peak: threads must be >= 1, got %d", threads);
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    g = cv_gemm_fma_peak(f64, threads);
    Py_END_ALLOW_THREADS
    return PyFloat_FromDouble(g);
}

static PyObject *py_gemm_inplace_bytes(PyObject *self, PyObject *args)
{
    double limit = NAN;
    (void)self;
    if (!PyArg_ParseTuple(args, "|d", &limit)) return NULL;
    return PyFloat_FromDouble(cv_gemm_inplace_bytes(limit));
}

PyMethodDef cv_methods_gemm[] = {
    {"gemm", py_gemm, METH_VARARGS,
     "gemm(transA, transB, alpha, a, b, beta, c): c = alpha * op(a) @ op(b) + beta * c in place.\n"
     "op(x) is x.T when its flag is true. a decides the dtype (float32/float64), b is converted.\n"
     "c must have a's dtype, be writeable with contiguous rows (a C array or a slice of one), and\n"
     "not overlap a or b. beta == 0 overwrites c (NaN there is ignored); alpha == 0 or K == 0\n"
     "gives beta * c without reading a and b, as BLAS."},
    {"matmul", py_matmul, METH_VARARGS, "matmul(a, b) -> a @ b (2-D, float32/float64 from a)"},
    {"gemm_blocking", py_gemm_blocking, METH_NOARGS,
     "Block sizes (MR, NR, MC, KC, NC) of the active ISA path, per dtype."},
    {"gemm_inplace_bytes", py_gemm_inplace_bytes, METH_VARARGS,
     "gemm_inplace_bytes([limit]) -> the previous limit: a row-major op(B) of at most this many "
     "bytes is read in place, not packed (internal; tests set it below 0 to pack everything)"},
    {"fma_peak", py_fma_peak, METH_VARARGS,
     "fma_peak(dtype, threads=1) -> GFLOP/s of independent FMA chains on the active ISA path"},
    {NULL, NULL, 0, NULL},
};
