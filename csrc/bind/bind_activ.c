/* bind_activ.c: relu_forward(x) -> out; relu_backward(dout, x) -> dx. Any shape. */
#include "args.h"

static PyObject *py_relu_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "relu_forward";
    PyObject *ox;
    PyArrayObject *x = NULL, *out = NULL;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "O", &ox)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (!(out = cv_empty_like(x))) goto fail;
    {
        void *po = CV_DATA(out), *px = CV_DATA(x);
        int64_t n = PyArray_SIZE(x);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_relu_forward_f32(po, px, n);
        else cv_relu_forward_f64(po, px, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(out);
    return NULL;
}

static PyObject *py_relu_backward(PyObject *self, PyObject *args)
{
    static const char *fn = "relu_backward";
    PyObject *od, *ox;
    PyArrayObject *dout = NULL, *x = NULL, *dx = NULL;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OO", &od, &ox)) return NULL;
    if (!(dout = cv_float_main(od, fn, "dout", &t))) goto fail;
    if (!(x = cv_float_as(ox, t, fn, "x"))) goto fail;
    if (cv_check_same_shape(dout, x, fn, "dout", "x") < 0) goto fail;
    if (!(dx = cv_empty_like(dout))) goto fail;
    {
        void *pdx = CV_DATA(dx), *pd = CV_DATA(dout), *px = CV_DATA(x);
        int64_t n = PyArray_SIZE(x);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_relu_backward_f32(pdx, pd, px, n);
        else cv_relu_backward_f64(pdx, pd, px, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(dout); Py_DECREF(x);
    return (PyObject *)dx;
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(dx);
    return NULL;
}

PyMethodDef cv_methods_activ[] = {
    {"relu_forward", py_relu_forward, METH_VARARGS, "relu_forward(x) -> out"},
    {"relu_backward", py_relu_backward, METH_VARARGS, "relu_backward(dout, x) -> dx"},
    {NULL, NULL, 0, NULL},
};
