/* bind_snorm.c: spatial batch norm and spatial group norm on x (N,C,H,W).
 *   spatial_batchnorm_forward(x, gamma, beta, mean, var, eps) -> (out, mean, var)
 *       mean/var None: train mode, the batch statistics (C,) are computed and returned;
 *       otherwise they are used as given (test mode) and returned as converted.
 *   spatial_groupnorm_forward(x, gamma, beta, G, eps) -> (out, mean, var), mean/var (N, G)
 *   spatial_norm_backward(dout, x, gamma, mean, var, eps, G, train) -> (dx, dgamma, dbeta)
 *       G == 0 for batch norm (train: batch statistics, else the running ones), else G groups
 * gamma, beta, dgamma, dbeta are (C,) here; the Python layer reshapes group norm's. */
#include "args.h"

#include <math.h>

/* a 1-D-or-more array of exactly n values, converted to typenum */
static PyArrayObject *vec_of(PyObject *o, int t, const char *fn, const char *name, int64_t n,
                             const char *what)
{
    PyArrayObject *a = cv_float_as(o, t, fn, name);
    if (!a) return NULL;
    if (cv_check_eq(PyArray_SIZE(a), n, fn, name, what) < 0) {
        Py_DECREF(a);
        return NULL;
    }
    return a;
}

static int check_eps(const char *fn, double eps)
{
    char buf[32];
    if (eps > 0 && isfinite(eps)) return 0;
    snprintf(buf, sizeof buf, "%g", eps); /* PyErr_Format has no %g */
    PyErr_Format(PyExc_ValueError, "%s: eps (%s) must be a positive finite number", fn, buf);
    return -1;
}

static PyObject *py_sbn_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "spatial_batchnorm_forward";
    PyObject *ox, *og, *ob, *om, *ov;
    PyArrayObject *x = NULL, *g = NULL, *b = NULL, *mean = NULL, *var = NULL, *out = NULL;
    double eps;
    int t, train;
    int64_t N, C, HW;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOd", &ox, &og, &ob, &om, &ov, &eps)) return NULL;
    if (check_eps(fn, eps) < 0) return NULL;
    train = om == Py_None || ov == Py_None;
    if (!(x = cv_float_main(ox, fn, "x", &t)) || cv_check_ndim(x, 4, fn, "x") < 0) goto fail;
    N = PyArray_DIM(x, 0); C = PyArray_DIM(x, 1); HW = PyArray_DIM(x, 2) * PyArray_DIM(x, 3);
    if (!(g = vec_of(og, t, fn, "gamma.size", C, "C")) || !(b = vec_of(ob, t, fn, "beta.size", C, "C")))
        goto fail;
    if (train) {
        if (N * HW == 0) {
            PyErr_Format(PyExc_ValueError,
                         "%s: train mode needs at least one value per channel (N*H*W = %lld)",
                         fn, (long long)(N * HW));
            goto fail;
        }
        npy_intp dc[1] = {(npy_intp)C};
        if (!(mean = cv_empty(1, dc, t)) || !(var = cv_empty(1, dc, t))) goto fail;
    } else if (!(mean = vec_of(om, t, fn, "running_mean.size", C, "C")) ||
               !(var = vec_of(ov, t, fn, "running_var.size", C, "C"))) {
        goto fail;
    }
    if (!(out = cv_empty_like(x))) goto fail;
    {
        void *po = CV_DATA(out), *px = CV_DATA(x), *pg = CV_DATA(g), *pb = CV_DATA(b);
        void *pm = CV_DATA(mean), *pv = CV_DATA(var);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) {
            if (train) cv_sbn_stats_f32(pm, pv, px, N, C, HW);
            cv_sbn_apply_f32(po, px, pm, pv, pg, pb, N, C, HW, eps);
        } else {
            if (train) cv_sbn_stats_f64(pm, pv, px, N, C, HW);
            cv_sbn_apply_f64(po, px, pm, pv, pg, pb, N, C, HW, eps);
        }
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(g); Py_DECREF(b);
    return Py_BuildValue("(NNN)", out, mean, var);
fail:
    Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(b);
    Py_XDECREF(mean); Py_XDECREF(var); Py_XDECREF(out);
    return NULL;
}

static int check_groups(const char *fn, int64_t G, int64_t C)
{
    if (G >= 1 && C % G == 0) return 0;
    PyErr_Format(PyExc_ValueError, "%s: G (%lld) must be >= 1 and divide C (%lld)", fn,
                 (long long)G, (long long)C);
    return -1;
}

static PyObject *py_gn_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "spatial_groupnorm_forward";
    PyObject *ox, *og, *ob;
    PyArrayObject *x = NULL, *g = NULL, *b = NULL, *mean = NULL, *var = NULL, *out = NULL;
    double eps;
    int t;
    int64_t N, C, HW, G;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOLd", &ox, &og, &ob, &G, &eps)) return NULL;
    if (check_eps(fn, eps) < 0) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t)) || cv_check_ndim(x, 4, fn, "x") < 0) goto fail;
    N = PyArray_DIM(x, 0); C = PyArray_DIM(x, 1); HW = PyArray_DIM(x, 2) * PyArray_DIM(x, 3);
    if (check_groups(fn, G, C) < 0) goto fail;
    if (!(g = vec_of(og, t, fn, "gamma.size", C, "C")) || !(b = vec_of(ob, t, fn, "beta.size", C, "C")))
        goto fail;
    {
        npy_intp dm[2] = {(npy_intp)N, (npy_intp)G};
        if (!(mean = cv_empty(2, dm, t)) || !(var = cv_empty(2, dm, t)) || !(out = cv_empty_like(x)))
            goto fail;
    }
    {
        void *po = CV_DATA(out), *pm = CV_DATA(mean), *pv = CV_DATA(var), *px = CV_DATA(x);
        void *pg = CV_DATA(g), *pb = CV_DATA(b);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_gn_forward_f32(po, pm, pv, px, pg, pb, N, C, HW, G, eps);
        else cv_gn_forward_f64(po, pm, pv, px, pg, pb, N, C, HW, G, eps);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(g); Py_DECREF(b);
    return Py_BuildValue("(NNN)", out, mean, var);
fail:
    Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(b);
    Py_XDECREF(mean); Py_XDECREF(var); Py_XDECREF(out);
    return NULL;
}

/* G == 0: batch norm (mean/var (C,), train selects the train-mode gradient);
 * G >= 1: group norm (mean/var (N, G), always the train-mode gradient) */
static PyObject *py_norm_backward(PyObject *self, PyObject *args)
{
    PyObject *od, *ox, *og, *om, *ov;
    PyArrayObject *dout = NULL, *x = NULL, *g = NULL, *mean = NULL, *var = NULL;
    PyArrayObject *dx = NULL, *dg = NULL, *db = NULL;
    double eps;
    int t, train;
    int64_t N, C, HW, G, S;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOdLp", &od, &ox, &og, &om, &ov, &eps, &G, &train)) return NULL;
    const char *fn = G ? "spatial_groupnorm_backward" : "spatial_batchnorm_backward";
    if (check_eps(fn, eps) < 0) return NULL;
    if (!(dout = cv_float_main(od, fn, "dout", &t)) || !(x = cv_float_as(ox, t, fn, "x")))
        goto fail;
    if (cv_check_ndim(x, 4, fn, "x") < 0 || cv_check_same_shape(dout, x, fn, "dout", "x") < 0)
        goto fail;
    N = PyArray_DIM(x, 0); C = PyArray_DIM(x, 1); HW = PyArray_DIM(x, 2) * PyArray_DIM(x, 3);
    if (G && check_groups(fn, G, C) < 0) goto fail;
    S = G ? N * G : C; /* how many statistics */
    if (!(g = vec_of(og, t, fn, "gamma.size", C, "C")) ||
        !(mean = vec_of(om, t, fn, "mean.size", S, G ? "N*G" : "C")) ||
        !(var = vec_of(ov, t, fn, "var.size", S, G ? "N*G" : "C")))
        goto fail;
    {
        npy_intp dc[1] = {(npy_intp)C};
        if (!(dx = cv_empty_like(x)) || !(dg = cv_empty(1, dc, t)) || !(db = cv_empty(1, dc, t)))
            goto fail;
    }
    {
        void *pdx = CV_DATA(dx), *pdg = CV_DATA(dg), *pdb = CV_DATA(db), *pd = CV_DATA(dout);
        void *px = CV_DATA(x), *pm = CV_DATA(mean), *pv = CV_DATA(var), *pg = CV_DATA(g);
        Py_BEGIN_ALLOW_THREADS
        if (G && CV_IS_F32(t)) cv_gn_backward_f32(pdx, pdg, pdb, pd, px, pm, pv, pg, N, C, HW, G, eps);
        else if (G) cv_gn_backward_f64(pdx, pdg, pdb, pd, px, pm, pv, pg, N, C, HW, G, eps);
        else if (CV_IS_F32(t)) cv_sbn_backward_f32(pdx, pdg, pdb, pd, px, pm, pv, pg, N, C, HW, eps, train);
        else cv_sbn_backward_f64(pdx, pdg, pdb, pd, px, pm, pv, pg, N, C, HW, eps, train);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(dout); Py_DECREF(x); Py_DECREF(g); Py_DECREF(mean); Py_DECREF(var);
    return Py_BuildValue("(NNN)", dx, dg, db);
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(mean); Py_XDECREF(var);
    Py_XDECREF(dx); Py_XDECREF(dg); Py_XDECREF(db);
    return NULL;
}

PyMethodDef cv_methods_snorm[] = {
    {"spatial_batchnorm_forward", py_sbn_forward, METH_VARARGS,
     "spatial_batchnorm_forward(x, gamma, beta, mean|None, var|None, eps) -> (out, mean, var)"},
    {"spatial_groupnorm_forward", py_gn_forward, METH_VARARGS,
     "spatial_groupnorm_forward(x, gamma, beta, G, eps) -> (out, mean, var)"},
    {"spatial_norm_backward", py_norm_backward, METH_VARARGS,
     "spatial_norm_backward(dout, x, gamma, mean, var, eps, G, train) -> (dx, dgamma, dbeta)"},
    {NULL, NULL, 0, NULL},
};
