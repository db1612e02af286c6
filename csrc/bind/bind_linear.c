/* bind_linear.c: svm_loss_naive / svm_loss_vectorized / softmax_loss_naive /
 * softmax_loss_vectorized (W, X, y, reg) -> (loss, dW). */
#include "args.h"

typedef int (*lin_f32_t)(double *, float *, const float *, const float *, const int64_t *,
                         double, int64_t, int64_t, int64_t);
typedef int (*lin_f64_t)(double *, double *, const double *, const double *, const int64_t *,
                         double, int64_t, int64_t, int64_t);

/* W (D, C) decides the dtype; X (N, D) (or (N, d1, ...) flattened) is converted to it;
 * y (N,) integer labels in [0, C); reg a float */
static PyObject *run_linear(PyObject *args, const char *fn, lin_f32_t f32, lin_f64_t f64)
{
    PyObject *ow, *ox, *oy;
    double reg, loss = 0.0;
    PyArrayObject *W = NULL, *X = NULL, *y = NULL, *dW = NULL;
    int t;
    int64_t N, D, C;
    if (!PyArg_ParseTuple(args, "OOOd", &ow, &ox, &oy, &reg)) return NULL;
    if (!(W = cv_float_main(ow, fn, "W", &t))) goto fail;
    if (!(X = cv_float_as(ox, t, fn, "X"))) goto fail;
    if (cv_check_ndim(W, 2, fn, "W") < 0 || cv_check_ndim_min(X, 2, fn, "X") < 0) goto fail;
    D = PyArray_DIM(W, 0);
    C = PyArray_DIM(W, 1);
    N = PyArray_DIM(X, 0);
    {
        int64_t DX;
        if (cv_prod(X, 1, PyArray_NDIM(X), &DX, fn, "X") < 0) goto fail;
        if (cv_check_eq(DX, D, fn, "X.shape[1]", "W.shape[0]") < 0) goto fail;
    }
    if (N == 0) {
        PyErr_Format(PyExc_ValueError, "%s: empty batch (X.shape[0] == 0); the mean loss is undefined", fn);
        goto fail;
    }
    if (C == 0) {
        PyErr_Format(PyExc_ValueError, "%s: W.shape[1] (number of classes) must be >= 1, got 0", fn);
        goto fail;
    }
    if (!(y = cv_labels(oy, fn, "y", N, C))) goto fail;
    if (!(dW = cv_empty_like(W))) goto fail;
    {
        void *pdw = CV_DATA(dW), *pw = CV_DATA(W), *px = CV_DATA(X);
        const int64_t *py = CV_DATA(y);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? f32(&loss, pdw, pw, px, py, reg, N, D, C)
                          : f64(&loss, pdw, pw, px, py, reg, N, D, C);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(W); Py_DECREF(X); Py_DECREF(y);
    return Py_BuildValue("(dN)", loss, dW);
fail:
    Py_XDECREF(W); Py_XDECREF(X); Py_XDECREF(y); Py_XDECREF(dW);
    return NULL;
}

#define CV_LINEAR_ENTRY(name)                                                                  \
    static PyObject *py_##name(PyObject *self, PyObject *args)                                 \
    {                                                                                           \
        (void)self;                                                                             \
        return run_linear(args, #name, cv_linear_##name##_f32, cv_linear_##name##_f64);        \
    }
CV_LINEAR_ENTRY(svm_loss_naive)
CV_LINEAR_ENTRY(svm_loss_vectorized)
CV_LINEAR_ENTRY(softmax_loss_naive)
CV_LINEAR_ENTRY(softmax_loss_vectorized)
#undef CV_LINEAR_ENTRY

PyMethodDef cv_methods_linear[] = {
    {"svm_loss_naive", py_svm_loss_naive, METH_VARARGS, "svm_loss_naive(W, X, y, reg) -> (loss, dW)"},
    {"svm_loss_vectorized", py_svm_loss_vectorized, METH_VARARGS,
     "svm_loss_vectorized(W, X, y, reg) -> (loss, dW)"},
    {"softmax_loss_naive", py_softmax_loss_naive, METH_VARARGS,
     "softmax_loss_naive(W, X, y, reg) -> (loss, dW)"},
    {"softmax_loss_vectorized", py_softmax_loss_vectorized, METH_VARARGS,
     "softmax_loss_vectorized(W, X, y, reg) -> (loss, dW)"},
    {NULL, NULL, 0, NULL},
};
