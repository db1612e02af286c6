/* bind_optim.c: the arithmetic of cvnn.optim's update rules.
 *   optim_sgd(w, dw, lr) -> next_w
 *   optim_sgd_momentum(w, dw, v, lr, mu) -> next_w            (v updated in place)
 *   optim_rmsprop(w, dw, cache, lr, decay, eps) -> next_w     (cache updated in place)
 *   optim_adam(w, dw, m, v, lr, beta1, beta2, eps, t) -> next_w  (m, v updated in place)
 * State arrays must already be C-contiguous, writeable, of w's dtype and size: cvnn/optim.py
 * prepares them, so an in-place update is never silently lost on a converted copy. */
#include "args.h"

/* w (any shape) and dw (same shape) -> contiguous arrays and the empty next_w */
static int take_w_dw(PyObject *ow, PyObject *odw, const char *fn, PyArrayObject **w,
                     PyArrayObject **dw, PyArrayObject **next_w, int *t)
{
    if (!(*w = cv_float_main(ow, fn, "w", t))) return -1;
    if (!(*dw = cv_float_as(odw, *t, fn, "dw"))) return -1;
    if (cv_check_same_shape(*dw, *w, fn, "dw", "w") < 0) return -1;
    if (!(*next_w = cv_empty_like(*w))) return -1;
    return 0;
}

/* a state array updated in place: exactly w's dtype and size, C-contiguous, writeable */
static int check_state(PyObject *o, PyArrayObject *w, int t, const char *fn, const char *name)
{
    PyArrayObject *a;
    if (!PyArray_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be a numpy array", fn, name);
        return -1;
    }
    a = (PyArrayObject *)o;
    if (PyArray_TYPE(a) != t) {
        PyErr_Format(PyExc_TypeError, "%s: %s must have w's dtype (%s)", fn, name,
                     t == NPY_FLOAT ? "float32" : "float64");
        return -1;
    }
    if (!PyArray_ISCARRAY(a)) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be C-contiguous, aligned and writeable", fn, name);
        return -1;
    }
    return cv_check_same_shape(a, w, fn, name, "w");
}

static PyObject *py_optim_sgd(PyObject *self, PyObject *args)
{
    static const char *fn = "sgd";
    PyObject *ow, *odw;
    PyArrayObject *w = NULL, *dw = NULL, *nw = NULL;
    double lr;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOd", &ow, &odw, &lr)) return NULL;
    if (take_w_dw(ow, odw, fn, &w, &dw, &nw, &t) < 0) goto fail;
    {
        void *pn = CV_DATA(nw), *pw = CV_DATA(w), *pd = CV_DATA(dw);
        int64_t n = PyArray_SIZE(w);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_optim_sgd_f32(pn, pw, pd, (float)lr, n);
        else cv_optim_sgd_f64(pn, pw, pd, lr, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(w); Py_DECREF(dw);
    return (PyObject *)nw;
fail:
    Py_XDECREF(w); Py_XDECREF(dw); Py_XDECREF(nw);
    return NULL;
}

static PyObject *py_optim_sgd_momentum(PyObject *self, PyObject *args)
{
    static const char *fn = "sgd_momentum";
    PyObject *ow, *odw, *ov;
    PyArrayObject *w = NULL, *dw = NULL, *nw = NULL;
    double lr, mu;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOdd", &ow, &odw, &ov, &lr, &mu)) return NULL;
    if (take_w_dw(ow, odw, fn, &w, &dw, &nw, &t) < 0) goto fail;
    if (check_state(ov, w, t, fn, "velocity") < 0) goto fail;
    {
        void *pn = CV_DATA(nw), *pw = CV_DATA(w), *pd = CV_DATA(dw);
        void *pv = CV_DATA((PyArrayObject *)ov);
        int64_t n = PyArray_SIZE(w);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_optim_sgd_momentum_f32(pn, pv, pw, pd, (float)lr, (float)mu, n);
        else cv_optim_sgd_momentum_f64(pn, pv, pw, pd, lr, mu, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(w); Py_DECREF(dw);
    return (PyObject *)nw;
fail:
    Py_XDECREF(w); Py_XDECREF(dw); Py_XDECREF(nw);
    return NULL;
}

static PyObject *py_optim_rmsprop(PyObject *self, PyObject *args)
{
    static const char *fn = "rmsprop";
    PyObject *ow, *odw, *oc;
    PyArrayObject *w = NULL, *dw = NULL, *nw = NULL;
    double lr, decay, eps;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOddd", &ow, &odw, &oc, &lr, &decay, &eps)) return NULL;
    if (take_w_dw(ow, odw, fn, &w, &dw, &nw, &t) < 0) goto fail;
    if (check_state(oc, w, t, fn, "cache") < 0) goto fail;
    {
        void *pn = CV_DATA(nw), *pw = CV_DATA(w), *pd = CV_DATA(dw);
        void *pc = CV_DATA((PyArrayObject *)oc);
        int64_t n = PyArray_SIZE(w);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t))
            cv_optim_rmsprop_f32(pn, pc, pw, pd, (float)lr, (float)decay, (float)eps, n);
        else
            cv_optim_rmsprop_f64(pn, pc, pw, pd, lr, decay, eps, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(w); Py_DECREF(dw);
    return (PyObject *)nw;
fail:
    Py_XDECREF(w); Py_XDECREF(dw); Py_XDECREF(nw);
    return NULL;
}

static PyObject *py_optim_adam(PyObject *self, PyObject *args)
{
    static const char *fn = "adam";
    PyObject *ow, *odw, *om, *ov;
    PyArrayObject *w = NULL, *dw = NULL, *nw = NULL;
    double lr, b1, b2, eps;
    long long step;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOddddL", &ow, &odw, &om, &ov, &lr, &b1, &b2, &eps, &step))
        return NULL;
    if (step < 1) {
        PyErr_Format(PyExc_ValueError, "adam: t (%lld) must be >= 1 after the increment", step);
        return NULL;
    }
    if (take_w_dw(ow, odw, fn, &w, &dw, &nw, &t) < 0) goto fail;
    if (check_state(om, w, t, fn, "m") < 0 || check_state(ov, w, t, fn, "v") < 0) goto fail;
    if (om == ov) {
        PyErr_SetString(PyExc_ValueError, "adam: m and v must be different arrays");
        goto fail;
    }
    {
        void *pn = CV_DATA(nw), *pw = CV_DATA(w), *pd = CV_DATA(dw);
        void *pm = CV_DATA((PyArrayObject *)om), *pv = CV_DATA((PyArrayObject *)ov);
        int64_t n = PyArray_SIZE(w);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t))
            cv_optim_adam_f32(pn, pm, pv, pw, pd, (float)lr, (float)b1, (float)b2, (float)eps,
                              (int64_t)step, n);
        else
            cv_optim_adam_f64(pn, pm, pv, pw, pd, lr, b1, b2, eps, (int64_t)step, n);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(w); Py_DECREF(dw);
    return (PyObject *)nw;
fail:
    Py_XDECREF(w); Py_XDECREF(dw); Py_XDECREF(nw);
    return NULL;
}

PyMethodDef cv_methods_optim[] = {
    {"optim_sgd", py_optim_sgd, METH_VARARGS, "optim_sgd(w, dw, lr) -> next_w"},
    {"optim_sgd_momentum", py_optim_sgd_momentum, METH_VARARGS,
     "optim_sgd_momentum(w, dw, v, lr, mu) -> next_w; v updated in place"},
    {"optim_rmsprop", py_optim_rmsprop, METH_VARARGS,
     "optim_rmsprop(w, dw, cache, lr, decay, eps) -> next_w; cache updated in place"},
    {"optim_adam", py_optim_adam, METH_VARARGS,
     "optim_adam(w, dw, m, v, lr, beta1, beta2, eps, t) -> next_w; m, v updated in place"},
    {NULL, NULL, 0, NULL},
};
