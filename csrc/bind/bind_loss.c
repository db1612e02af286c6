/* bind_loss.c: softmax_loss(x, y) and svm_loss(x, y) -> (loss, dx). */
#include "args.h"

typedef double (*loss_f32_t)(float *, const float *, const int64_t *, int64_t, int64_t);
typedef double (*loss_f64_t)(double *, const double *, const int64_t *, int64_t, int64_t);

/* x (N, C) scores, y (N,) integer labels in [0, C) */
static PyObject *run_loss(PyObject *args, const char *fn, loss_f32_t f32, loss_f64_t f64)
{
    PyObject *ox, *oy;
    PyArrayObject *x = NULL, *y = NULL, *dx = NULL;
    int t;
    int64_t N, C;
    double loss;
    if (!PyArg_ParseTuple(args, "OO", &ox, &oy)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (cv_check_ndim(x, 2, fn, "x") < 0) goto fail;
    N = PyArray_DIM(x, 0);
    C = PyArray_DIM(x, 1);
    if (N == 0) {
        PyErr_Format(PyExc_ValueError, "%s: empty batch (x.shape[0] == 0); the mean loss is undefined", fn);
        goto fail;
    }
    if (C == 0) {
        PyErr_Format(PyExc_ValueError, "%s: x.shape[1] (number of classes) must be >= 1, got 0", fn);
        goto fail;
    }
    if (!(y = cv_labels(oy, fn, "y", N, C))) goto fail;
    if (!(dx = cv_empty_like(x))) goto fail;
    {
        void *pdx = CV_DATA(dx), *px = CV_DATA(x);
        const int64_t *py = (const int64_t *)CV_DATA(y);
        Py_BEGIN_ALLOW_THREADS
        loss = CV_IS_F32(t) ? f32(pdx, px, py, N, C) : f64(pdx, px, py, N, C);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(y);
    return Py_BuildValue("(dN)", loss, dx);
fail:
    Py_XDECREF(x); Py_XDECREF(y); Py_XDECREF(dx);
    return NULL;
}

static PyObject *py_softmax_loss(PyObject *self, PyObject *args)
{
    (void)self;
    return run_loss(args, "softmax_loss", cv_softmax_loss_f32, cv_softmax_loss_f64);
}

static PyObject *py_svm_loss(PyObject *self, PyObject *args)
{
    (void)self;
    return run_loss(args, "svm_loss", cv_svm_loss_f32, cv_svm_loss_f64);
}

PyMethodDef cv_methods_loss[] = {
    {"softmax_loss", py_softmax_loss, METH_VARARGS, "softmax_loss(x, y) -> (loss, dx)"},
    {"svm_loss", py_svm_loss, METH_VARARGS, "svm_loss(x, y) -> (loss, dx)"},
    {NULL, NULL, 0, NULL},
};
