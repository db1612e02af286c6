/* bind_affine.c: affine_forward(x, w, b) -> out; affine_backward(dout, x, w) -> (dx, dw, db). */
#include "args.h"

/* x (N, d1, ..., dk) is flattened to (N, D); w (D, M); b (M,) -> out (N, M) */
static PyObject *py_affine_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "affine_forward";
    PyObject *ox, *ow, *ob;
    PyArrayObject *x = NULL, *w = NULL, *b = NULL, *out = NULL;
    int t;
    int64_t N, D, M;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &ox, &ow, &ob)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (!(w = cv_float_as(ow, t, fn, "w"))) goto fail;
    if (!(b = cv_float_as(ob, t, fn, "b"))) goto fail;
    if (cv_check_ndim_min(x, 2, fn, "x") < 0 || cv_check_ndim(w, 2, fn, "w") < 0 ||
        cv_check_ndim(b, 1, fn, "b") < 0)
        goto fail;
    N = PyArray_DIM(x, 0);
    if (cv_prod(x, 1, PyArray_NDIM(x), &D, fn, "x") < 0) goto fail;
    M = PyArray_DIM(w, 1);
    if (cv_check_eq(PyArray_DIM(w, 0), D, fn, "w.shape[0]", "prod(x.shape[1:])") < 0 ||
        cv_check_eq(PyArray_DIM(b, 0), M, fn, "b.shape[0]", "w.shape[1]") < 0)
        goto fail;
    {
        int64_t NM;
        if (cv_mul(N, M, &NM, fn) < 0) goto fail;
        npy_intp dims[2] = {(npy_intp)N, (npy_intp)M};
        if (!(out = cv_empty(2, dims, t))) goto fail;
    }
    {
        void *po = CV_DATA(out), *px = CV_DATA(x), *pw = CV_DATA(w), *pb = CV_DATA(b);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? cv_affine_forward_f32(po, px, pw, pb, N, D, M)
                          : cv_affine_forward_f64(po, px, pw, pb, N, D, M);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(x); Py_DECREF(w); Py_DECREF(b);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(w); Py_XDECREF(b); Py_XDECREF(out);
    return NULL;
}

/* dout (N, M), x (N, d1, ..., dk), w (D, M) -> dx (x's shape), dw (D, M), db (M,) */
static PyObject *py_affine_backward(PyObject *self, PyObject *args)
{
    static const char *fn = "affine_backward";
    PyObject *od, *ox, *ow;
    PyArrayObject *dout = NULL, *x = NULL, *w = NULL, *dx = NULL, *dw = NULL, *db = NULL;
    int t;
    int64_t N, D, M;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOO", &od, &ox, &ow)) return NULL;
    if (!(dout = cv_float_main(od, fn, "dout", &t))) goto fail;
    if (!(x = cv_float_as(ox, t, fn, "x"))) goto fail;
    if (!(w = cv_float_as(ow, t, fn, "w"))) goto fail;
    if (cv_check_ndim(dout, 2, fn, "dout") < 0 || cv_check_ndim_min(x, 2, fn, "x") < 0 ||
        cv_check_ndim(w, 2, fn, "w") < 0)
        goto fail;
    N = PyArray_DIM(x, 0);
    if (cv_prod(x, 1, PyArray_NDIM(x), &D, fn, "x") < 0) goto fail;
    M = PyArray_DIM(w, 1);
    if (cv_check_eq(PyArray_DIM(w, 0), D, fn, "w.shape[0]", "prod(x.shape[1:])") < 0 ||
        cv_check_eq(PyArray_DIM(dout, 0), N, fn, "dout.shape[0]", "x.shape[0]") < 0 ||
        cv_check_eq(PyArray_DIM(dout, 1), M, fn, "dout.shape[1]", "w.shape[1]") < 0)
        goto fail;
    if (!(dx = cv_empty_like(x)) || !(dw = cv_empty_like(w))) goto fail;
    {
        npy_intp dm[1] = {(npy_intp)M};
        if (!(db = cv_empty(1, dm, t))) goto fail;
    }
    {
        void *pdx = CV_DATA(dx), *pdw = CV_DATA(dw), *pdb = CV_DATA(db);
        void *pd = CV_DATA(dout), *px = CV_DATA(x), *pw = CV_DATA(w);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? cv_affine_backward_f32(pdx, pdw, pdb, pd, px, pw, N, D, M)
                          : cv_affine_backward_f64(pdx, pdw, pdb, pd, px, pw, N, D, M);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(dout); Py_DECREF(x); Py_DECREF(w);
    return Py_BuildValue("(NNN)", dx, dw, db);
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(w);
    Py_XDECREF(dx); Py_XDECREF(dw); Py_XDECREF(db);
    return NULL;
}

PyMethodDef cv_methods_affine[] = {
    {"affine_forward", py_affine_forward, METH_VARARGS, "affine_forward(x, w, b) -> out"},
    {"affine_backward", py_affine_backward, METH_VARARGS, "affine_backward(dout, x, w) -> (dx, dw, db)"},
    {NULL, NULL, 0, NULL},
};
