/* bind_optim.c: the arithmetic of cvnn.optim's update rules.
 *   optim_sgd(w, dw, lr) -> next_w
 *   optim_sgd_momentum(w, dw, v, lr, mu) -> next_w            (v updated in place)
 *   optim_rmsprop(w, dw, cache, lr, decay, eps) -> next_w     (cache updated in place)
 *   optim_adam(w, dw, m, v, lr, beta1, beta2, eps, t) -> next_w  (m, v updated in place)
 * State arrays must already be C-contiguous, writeable, of w's dtype and size: cvnn/optim.py
 * prepares them, so an in-place update is never silently lost on a converted copy. */
#include "args.h"

/* What every update shares: w and dw converted, the state arrays checked, next_w allocated. */
typedef struct {
    PyArrayObject *w, *dw, *nw;
    void *pn, *pw, *pd;  /* their data, taken while holding the GIL */
    void *state[2];
    int t;       /* NPY_FLOAT or NPY_DOUBLE */
    int64_t n;   /* elements of w */
} optim_args;

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

/* w (any shape), dw (same shape) and ns state arrays -> a; -1 with an exception set */
static int optim_prepare(optim_args *a, const char *fn, PyObject *ow, PyObject *odw, int ns,
                         PyObject *const *states, const char *const *names)
{
    a->w = a->dw = a->nw = NULL;
    if (!(a->w = cv_float_main(ow, fn, "w", &a->t))) return -1;
    if (!(a->dw = cv_float_as(odw, a->t, fn, "dw"))) return -1;
    if (cv_check_same_shape(a->dw, a->w, fn, "dw", "w") < 0) return -1;
    for (int i = 0; i < ns; i++) {
        if (check_state(states[i], a->w, a->t, fn, names[i]) < 0) return -1;
        a->state[i] = CV_DATA((PyArrayObject *)states[i]);
    }
    if (ns == 2 && states[0] == states[1]) {
        PyErr_Format(PyExc_ValueError, "%s: %s and %s must be different arrays", fn, names[0], names[1]);
        return -1;
    }
    if (!(a->nw = cv_empty_like(a->w))) return -1;
    a->n = PyArray_SIZE(a->w);
    a->pn = CV_DATA(a->nw);
    a->pw = CV_DATA(a->w);
    a->pd = CV_DATA(a->dw);
    return 0;
}

/* one cleanup path: next_w on success, NULL (exception set) otherwise */
static PyObject *optim_finish(optim_args *a, int ok)
{
    Py_XDECREF(a->w);
    Py_XDECREF(a->dw);
    if (ok) return (PyObject *)a->nw;
    Py_XDECREF(a->nw);
    return NULL;
}

static PyObject *py_optim_sgd(PyObject *self, PyObject *args)
{
    PyObject *ow, *odw;
    double lr;
    optim_args a;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOd", &ow, &odw, &lr)) return NULL;
    if (optim_prepare(&a, "sgd", ow, odw, 0, NULL, NULL) < 0) return optim_finish(&a, 0);
    Py_BEGIN_ALLOW_THREADS
    if (CV_IS_F32(a.t)) cv_optim_sgd_f32(a.pn, a.pw, a.pd, (float)lr, a.n);
    else cv_optim_sgd_f64(a.pn, a.pw, a.pd, lr, a.n);
    Py_END_ALLOW_THREADS
    return optim_finish(&a, 1);
}

static PyObject *py_optim_sgd_momentum(PyObject *self, PyObject *args)
{
    static const char *const names[] = {"velocity"};
    PyObject *ow, *odw, *st[1];
    double lr, mu;
    optim_args a;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOdd", &ow, &odw, &st[0], &lr, &mu)) return NULL;
    if (optim_prepare(&a, "sgd_momentum", ow, odw, 1, st, names) < 0) return optim_finish(&a, 0);
    Py_BEGIN_ALLOW_THREADS
    if (CV_IS_F32(a.t))
        cv_optim_sgd_momentum_f32(a.pn, a.state[0], a.pw, a.pd,
                                  (float)lr, (float)mu, a.n);
    else
        cv_optim_sgd_momentum_f64(a.pn, a.state[0], a.pw, a.pd, lr,
                                  mu, a.n);
    Py_END_ALLOW_THREADS
    return optim_finish(&a, 1);
}

static PyObject *py_optim_rmsprop(PyObject *self, PyObject *args)
{
    static const char *const names[] = {"cache"};
    PyObject *ow, *odw, *st[1];
    double lr, decay, eps;
    optim_args a;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOddd", &ow, &odw, &st[0], &lr, &decay, &eps)) return NULL;
    if (optim_prepare(&a, "rmsprop", ow, odw, 1, st, names) < 0) return optim_finish(&a, 0);
    Py_BEGIN_ALLOW_THREADS
    if (CV_IS_F32(a.t))
        cv_optim_rmsprop_f32(a.pn, a.state[0], a.pw, a.pd, (float)lr,
                             (float)decay, (float)eps, a.n);
    else
        cv_optim_rmsprop_f64(a.pn, a.state[0], a.pw, a.pd, lr, decay,
                             eps, a.n);
    Py_END_ALLOW_THREADS
    return optim_finish(&a, 1);
}

static PyObject *py_optim_adam(PyObject *self, PyObject *args)
{
    static const char *const names[] = {"m", "v"};
    PyObject *ow, *odw, *st[2];
    double lr, b1, b2, eps;
    long long step;
    optim_args a;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOddddL", &ow, &odw, &st[0], &st[1], &lr, &b1, &b2, &eps, &step))
        return NULL;
    if (step < 1) {
        PyErr_Format(PyExc_ValueError, "adam: t (%lld) must be >= 1 after the increment", step);
        return NULL;
    }
    if (optim_prepare(&a, "adam", ow, odw, 2, st, names) < 0) return optim_finish(&a, 0);
    Py_BEGIN_ALLOW_THREADS
    if (CV_IS_F32(a.t))
        cv_optim_adam_f32(a.pn, a.state[0], a.state[1], a.pw, a.pd,
                          (float)lr, (float)b1, (float)b2, (float)eps, (int64_t)step, a.n);
    else
        cv_optim_adam_f64(a.pn, a.state[0], a.state[1], a.pw, a.pd, lr,
                          b1, b2, eps, (int64_t)step, a.n);
    Py_END_ALLOW_THREADS
    return optim_finish(&a, 1);
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
