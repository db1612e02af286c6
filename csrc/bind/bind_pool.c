/* bind_pool.c: max pooling on x (N,C,H,W), window ph x pw, stride, no padding.
 *   max_pool_forward(x, ph, pw, stride, want_idx) -> out, or (out, idx) when want_idx
 *   max_pool_backward(dout, x, ph, pw, stride, argmax=None, out=None) -> dx
 *       with argmax (from the forward pass): each window's gradient to its argmax;
 *       with out (the forward's output): elements equal to the maximum share it (CS231n
 *       "reshape"); with neither: the argmax is recomputed from x
 * Each takes an optional last argument, the Python function's name for error messages. */
#include "args.h"

typedef struct {
    int64_t N, C, H, W, ph, pw, s, Ho, Wo;
} pool_geom_t;

static int pool_geom(const char *fn, PyArrayObject *x, pool_geom_t *g)
{
    if (cv_check_ndim(x, 4, fn, "x") < 0) return -1;
    g->N = PyArray_DIM(x, 0); g->C = PyArray_DIM(x, 1);
    g->H = PyArray_DIM(x, 2); g->W = PyArray_DIM(x, 3);
    if (g->ph < 1 || g->pw < 1 || g->s < 1) {
        PyErr_Format(PyExc_ValueError,
                     "%s: pool_height (%lld), pool_width (%lld) and stride (%lld) must be >= 1",
                     fn, (long long)g->ph, (long long)g->pw, (long long)g->s);
        return -1;
    }
    if (g->ph > g->H || g->pw > g->W) {
        PyErr_Format(PyExc_ValueError,
                     "%s: the %lldx%lld pool window (pool_height x pool_width) is larger than "
                     "the %lldx%lld input (H x W)", fn, (long long)g->ph, (long long)g->pw,
                     (long long)g->H, (long long)g->W);
        return -1;
    }
    g->Ho = 1 + (g->H - g->ph) / g->s;
    g->Wo = 1 + (g->W - g->pw) / g->s;
    return 0;
}

/* a (N, C, Ho, Wo) */
static int check_out_shape(const char *fn, const char *name, PyArrayObject *a, const pool_geom_t *g)
{
    if (cv_check_ndim(a, 4, fn, name) < 0) return -1;
    if (PyArray_DIM(a, 0) == g->N && PyArray_DIM(a, 1) == g->C && PyArray_DIM(a, 2) == g->Ho &&
        PyArray_DIM(a, 3) == g->Wo)
        return 0;
    PyErr_Format(PyExc_ValueError,
                 "%s: %s.shape (%lld, %lld, %lld, %lld) must equal (N, C, Ho, Wo) "
                 "(%lld, %lld, %lld, %lld)", fn, name, (long long)PyArray_DIM(a, 0),
                 (long long)PyArray_DIM(a, 1), (long long)PyArray_DIM(a, 2),
                 (long long)PyArray_DIM(a, 3), (long long)g->N, (long long)g->C,
                 (long long)g->Ho, (long long)g->Wo);
    return -1;
}

static PyObject *py_max_pool_forward(PyObject *self, PyObject *args)
{
    const char *fn = "max_pool_forward";
    PyObject *ox;
    PyArrayObject *x = NULL, *out = NULL, *idx = NULL;
    pool_geom_t g;
    int t, want_idx;
    (void)self;
    if (!PyArg_ParseTuple(args, "OLLLp|s", &ox, &g.ph, &g.pw, &g.s, &want_idx, &fn)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t)) || pool_geom(fn, x, &g) < 0) goto fail;
    {
        npy_intp dims[4] = {(npy_intp)g.N, (npy_intp)g.C, (npy_intp)g.Ho, (npy_intp)g.Wo};
        if (!(out = cv_empty(4, dims, t))) goto fail;
        if (want_idx && !(idx = cv_empty(4, dims, NPY_INT64))) goto fail;
    }
    {
        void *po = CV_DATA(out), *px = CV_DATA(x);
        int64_t *pi = idx ? (int64_t *)CV_DATA(idx) : NULL;
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_maxpool_forward_f32(po, pi, px, g.N * g.C, g.H, g.W, g.ph, g.pw, g.s);
        else cv_maxpool_forward_f64(po, pi, px, g.N * g.C, g.H, g.W, g.ph, g.pw, g.s);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x);
    if (idx) return Py_BuildValue("(NN)", out, idx);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(out); Py_XDECREF(idx);
    return NULL;
}

/* dout, x, pool sizes, and either the argmax of the forward pass, or its output (for the
 * ties-share rule), or neither (the argmax is recomputed from x) */
static PyObject *py_max_pool_backward(PyObject *self, PyObject *args)
{
    const char *fn = "max_pool_backward";
    PyObject *od, *ox, *oi = Py_None, *oo = Py_None;
    PyArrayObject *dout = NULL, *x = NULL, *idx = NULL, *out = NULL, *dx = NULL;
    pool_geom_t g;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOLLL|OOs", &od, &ox, &g.ph, &g.pw, &g.s, &oi, &oo, &fn))
        return NULL;
    if (!(dout = cv_float_main(od, fn, "dout", &t))) goto fail;
    if (!(x = cv_float_as(ox, t, fn, "x"))) goto fail;
    if (pool_geom(fn, x, &g) < 0 || check_out_shape(fn, "dout", dout, &g) < 0) goto fail;
    if (oi != Py_None) {
        if (!(idx = cv_int64_array(oi, fn, "argmax")) || check_out_shape(fn, "argmax", idx, &g) < 0)
            goto fail;
        /* the indices address dx: each must lie inside its plane */
        const int64_t *pi = (const int64_t *)CV_DATA(idx), n = PyArray_SIZE(idx), HW = g.H * g.W;
        for (int64_t k = 0; k < n; k++)
            if (pi[k] < 0 || pi[k] >= HW) {
                PyErr_Format(PyExc_ValueError, "%s: argmax[%lld] = %lld is outside [0, H*W = %lld)",
                             fn, (long long)k, (long long)pi[k], (long long)HW);
                goto fail;
            }
    } else if (oo != Py_None) {
        if (!(out = cv_float_as(oo, t, fn, "out")) || check_out_shape(fn, "out", out, &g) < 0)
            goto fail;
    }
    if (!(dx = cv_empty_like(x))) goto fail;
    {
        void *pdx = CV_DATA(dx), *pd = CV_DATA(dout), *px = CV_DATA(x);
        const int64_t *pi = idx ? (const int64_t *)CV_DATA(idx) : NULL;
        void *po = out ? CV_DATA(out) : NULL;
        const int64_t NC = g.N * g.C;
        Py_BEGIN_ALLOW_THREADS
        if (po && CV_IS_F32(t)) cv_maxpool_backward_split_f32(pdx, pd, px, po, NC, g.H, g.W, g.ph, g.pw, g.s);
        else if (po) cv_maxpool_backward_split_f64(pdx, pd, px, po, NC, g.H, g.W, g.ph, g.pw, g.s);
        else if (CV_IS_F32(t)) cv_maxpool_backward_f32(pdx, pd, pi, px, NC, g.H, g.W, g.ph, g.pw, g.s);
        else cv_maxpool_backward_f64(pdx, pd, pi, px, NC, g.H, g.W, g.ph, g.pw, g.s);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(dout); Py_DECREF(x); Py_XDECREF(idx); Py_XDECREF(out);
    return (PyObject *)dx;
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(idx); Py_XDECREF(out); Py_XDECREF(dx);
    return NULL;
}

PyMethodDef cv_methods_pool[] = {
    {"max_pool_forward", py_max_pool_forward, METH_VARARGS,
     "max_pool_forward(x, ph, pw, stride, want_idx) -> out or (out, argmax)"},
    {"max_pool_backward", py_max_pool_backward, METH_VARARGS,
     "max_pool_backward(dout, x, ph, pw, stride, argmax=None, out=None) -> dx"},
    {NULL, NULL, 0, NULL},
};
