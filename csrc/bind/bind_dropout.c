/* bind_dropout.c: dropout_forward(x, u, p) -> (out, mask); dropout_backward(dout, mask) -> dx.
 * Any shape. u holds NumPy's uniform numbers (float64, x's shape); cvnn.layers draws them. */
#include "args.h"

static PyObject *py_dropout_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "dropout_forward";
    PyObject *ox, *ou;
    double p;
    PyArrayObject *x = NULL, *u = NULL, *out = NULL, *mask = NULL;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOd", &ox, &ou, &p)) return NULL;
    if (!(p > 0.0 && p <= 1.0)) { /* also rejects NaN */
        PyErr_Format(PyExc_ValueError, "%s: p (keep probability) must be in (0, 1]", fn);
        return NULL;
    }
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (!(u = cv_float_as(ou, NPY_DOUBLE, fn, "u"))) goto fail;
    if (cv_check_same_shape(u, x, fn, "u", "x") < 0) goto fail;
    if (!(out = cv_empty_like(x)) || !(mask = cv_empty_like(x))) goto fail;
    {
        void *po = CV_DATA(out), *pm = CV_DATA(mask), *px = CV_DATA(x);
        const double *pu = CV_DATA(u);
        int64_t n = PyArray_SIZE(x);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_dropout_forward_f32(po, pm, px, pu, p, n);
        else cv_dropout_forward_f64(po, pm, px, pu, p, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(u);
    return Py_BuildValue("(NN)", out, mask);
fail:
    Py_XDECREF(x); Py_XDECREF(u); Py_XDECREF(out); Py_XDECREF(mask);
    return NULL;
}

static PyObject *py_dropout_backward(PyObject *self, PyObject *args)
{
    static const char *fn = "dropout_backward";
    PyObject *od, *om;
    PyArrayObject *dout = NULL, *mask = NULL, *dx = NULL;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO", &od, &om)) return NULL;
    if (!(dout = cv_float_main(od, fn, "dout", &t))) goto fail;
    if (!(mask = cv_float_as(om, t, fn, "mask"))) goto fail;
    if (cv_check_same_shape(dout, mask, fn, "dout", "mask") < 0) goto fail;
    if (!(dx = cv_empty_like(dout))) goto fail;
    {
        void *pdx = CV_DATA(dx), *pd = CV_DATA(dout), *pm = CV_DATA(mask);
        int64_t n = PyArray_SIZE(dout);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_dropout_backward_f32(pdx, pd, pm, n);
        else cv_dropout_backward_f64(pdx, pd, pm, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(dout); Py_DECREF(mask);
    return (PyObject *)dx;
fail:
    Py_XDECREF(dout); Py_XDECREF(mask); Py_XDECREF(dx);
    return NULL;
}

PyMethodDef cv_methods_dropout[] = {
    {"dropout_forward", py_dropout_forward, METH_VARARGS, "dropout_forward(x, u, p) -> (out, mask)"},
    {"dropout_backward", py_dropout_backward, METH_VARARGS, "dropout_backward(dout, mask) -> dx"},
    {NULL, NULL, 0, NULL},
};
