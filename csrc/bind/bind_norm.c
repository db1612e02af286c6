/* bind_norm.c: batch and layer normalisation on (N,D) arrays.
 *   batchnorm_forward(x, gamma, beta, running_mean, running_var, train, eps, momentum)
 *       -> (out, mean, istd, running_mean_new, running_var_new); in test mode the last two are
 *          None. mean and istd are float64 (D,).
 *   batchnorm_backward(dout, x, gamma, mean, istd, train, alt) -> (dx, dgamma, dbeta)
 *   layernorm_forward(x, gamma, beta, eps) -> (out, mean, istd), mean and istd float64 (N,)
 *   layernorm_backward(dout, x, gamma, mean, istd) -> (dx, dgamma, dbeta) */
#include "args.h"

/* a (len,) or a ValueError naming fn, the array and both lengths */
static int check_vec(PyArrayObject *a, int64_t len, const char *fn, const char *name,
                     const char *what_len)
{
    char what[64];
    if (cv_check_ndim(a, 1, fn, name) < 0) return -1;
    snprintf(what, sizeof what, "%s.shape[0]", name);
    return cv_check_eq(PyArray_DIM(a, 0), len, fn, what, what_len);
}

/* x (N,D) decides the dtype; gamma (and beta, when ob is not NULL) must be (D,). The caller
 * releases whatever was set, on success and on failure. */
static int x_gamma_beta(PyObject *ox, PyObject *og, PyObject *ob, const char *fn,
                        const char *xname, PyArrayObject **x, PyArrayObject **g,
                        PyArrayObject **b, int *t, int64_t *N, int64_t *D)
{
    if (!(*x = cv_float_main(ox, fn, xname, t))) return -1;
    if (cv_check_ndim(*x, 2, fn, xname) < 0) return -1;
    *N = PyArray_DIM(*x, 0);
    *D = PyArray_DIM(*x, 1);
    if (!(*g = cv_float_as(og, *t, fn, "gamma"))) return -1;
    if (check_vec(*g, *D, fn, "gamma", xname[0] == 'd' ? "dout.shape[1]" : "x.shape[1]") < 0)
        return -1;
    if (!ob) return 0;
    if (!(*b = cv_float_as(ob, *t, fn, "beta"))) return -1;
    return check_vec(*b, *D, fn, "beta", "x.shape[1]");
}

static PyObject *py_batchnorm_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "batchnorm_forward";
    PyObject *ox, *og, *ob, *orm, *orv;
    int train;
    double eps, momentum;
    PyArrayObject *x = NULL, *g = NULL, *b = NULL, *rm = NULL, *rv = NULL;
    PyArrayObject *out = NULL, *mean = NULL, *istd = NULL, *rm2 = NULL, *rv2 = NULL;
    int t;
    int64_t N, D;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOOOpdd", &ox, &og, &ob, &orm, &orv, &train, &eps, &momentum))
        return NULL;
    if (x_gamma_beta(ox, og, ob, fn, "x", &x, &g, &b, &t, &N, &D) < 0) goto fail;
    if (!(rm = cv_float_as(orm, t, fn, "running_mean")) ||
        check_vec(rm, D, fn, "running_mean", "x.shape[1]") < 0)
        goto fail;
    if (!(rv = cv_float_as(orv, t, fn, "running_var")) ||
        check_vec(rv, D, fn, "running_var", "x.shape[1]") < 0)
        goto fail;
    if (train && N == 0) {
        PyErr_Format(PyExc_ValueError,
                     "%s: batch statistics need at least one sample, got N = 0 in train mode", fn);
        goto fail;
    }
    {
        npy_intp dd[1] = {(npy_intp)D};
        if (!(out = cv_empty_like(x)) || !(mean = cv_empty(1, dd, NPY_DOUBLE)) ||
            !(istd = cv_empty(1, dd, NPY_DOUBLE)))
            goto fail;
        if (train && (!(rm2 = cv_empty(1, dd, t)) || !(rv2 = cv_empty(1, dd, t)))) goto fail;
    }
    {
        void *po = CV_DATA(out), *px = CV_DATA(x), *pg = CV_DATA(g), *pb = CV_DATA(b);
        void *prm = CV_DATA(rm), *prv = CV_DATA(rv);
        void *prm2 = train ? CV_DATA(rm2) : NULL, *prv2 = train ? CV_DATA(rv2) : NULL;
        double *pmean = CV_DATA(mean), *pistd = CV_DATA(istd);
        Py_BEGIN_ALLOW_THREADS
        if (train && CV_IS_F32(t))
            cv_batchnorm_forward_train_f32(po, pmean, pistd, prm2, prv2, px, pg, pb, prm, prv, N,
                                           D, eps, momentum);
        else if (train)
            cv_batchnorm_forward_train_f64(po, pmean, pistd, prm2, prv2, px, pg, pb, prm, prv, N,
                                           D, eps, momentum);
        else if (CV_IS_F32(t))
            cv_batchnorm_forward_test_f32(po, pmean, pistd, px, pg, pb, prm, prv, N, D, eps);
        else
            cv_batchnorm_forward_test_f64(po, pmean, pistd, px, pg, pb, prm, prv, N, D, eps);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(g); Py_DECREF(b); Py_DECREF(rm); Py_DECREF(rv);
    if (!train) return Py_BuildValue("(NNNOO)", out, mean, istd, Py_None, Py_None);
    return Py_BuildValue("(NNNNN)", out, mean, istd, rm2, rv2);
fail:
    Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(b); Py_XDECREF(rm); Py_XDECREF(rv);
    Py_XDECREF(out); Py_XDECREF(mean); Py_XDECREF(istd); Py_XDECREF(rm2); Py_XDECREF(rv2);
    return NULL;
}

/* The backward entry of both families: mean and istd are (D,) for batch norm (per feature)
 * and (N,) for layer norm (per sample). */
static PyObject *norm_backward(PyObject *args, const char *fn, int layer)
{
    PyObject *od, *ox, *og, *om, *os;
    int train = 1, alt = 0;
    PyArrayObject *dout = NULL, *x = NULL, *g = NULL, *mean = NULL, *istd = NULL;
    PyArrayObject *dx = NULL, *dg = NULL, *db = NULL;
    int t;
    int64_t N, D;
    if (layer) {
        if (!PyArg_ParseTuple(args, "OOOOO", &od, &ox, &og, &om, &os)) return NULL;
    } else if (!PyArg_ParseTuple(args, "OOOOOpp", &od, &ox, &og, &om, &os, &train, &alt)) {
        return NULL;
    }
    if (alt) fn = "batchnorm_backward_alt";
    if (x_gamma_beta(od, og, NULL, fn, "dout", &dout, &g, NULL, &t, &N, &D) < 0) goto fail;
    if (!(x = cv_float_as(ox, t, fn, "x")) || cv_check_same_shape(x, dout, fn, "x", "dout") < 0)
        goto fail;
    {
        const int64_t len = layer ? N : D;
        const char *what = layer ? "dout.shape[0]" : "dout.shape[1]";
        if (!(mean = cv_float_as(om, NPY_DOUBLE, fn, "mean")) ||
            check_vec(mean, len, fn, "mean", what) < 0)
            goto fail;
        if (!(istd = cv_float_as(os, NPY_DOUBLE, fn, "istd")) ||
            check_vec(istd, len, fn, "istd", what) < 0)
            goto fail;
    }
    if (!(dx = cv_empty_like(dout)) || !(dg = cv_empty_like(g)) || !(db = cv_empty_like(g)))
        goto fail;
    {
        void *pdx = CV_DATA(dx), *pdg = CV_DATA(dg), *pdb = CV_DATA(db);
        void *pd = CV_DATA(dout), *px = CV_DATA(x), *pg = CV_DATA(g);
        const double *pm = CV_DATA(mean), *ps = CV_DATA(istd);
        const int f32 = CV_IS_F32(t);
        Py_BEGIN_ALLOW_THREADS
        if (layer && f32)
            cv_layernorm_backward_f32(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D);
        else if (layer)
            cv_layernorm_backward_f64(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D);
        else if (alt && f32)
            cv_batchnorm_backward_alt_f32(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D, train);
        else if (alt)
            cv_batchnorm_backward_alt_f64(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D, train);
        else if (f32)
            cv_batchnorm_backward_f32(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D, train);
        else
            cv_batchnorm_backward_f64(pdx, pdg, pdb, pd, px, pg, pm, ps, N, D, train);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(dout); Py_DECREF(x); Py_DECREF(g); Py_DECREF(mean); Py_DECREF(istd);
    return Py_BuildValue("(NNN)", dx, dg, db);
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(mean); Py_XDECREF(istd);
    Py_XDECREF(dx); Py_XDECREF(dg); Py_XDECREF(db);
    return NULL;
}

static PyObject *py_batchnorm_backward(PyObject *self, PyObject *args)
{
    (void)self;
    return norm_backward(args, "batchnorm_backward", 0);
}

static PyObject *py_layernorm_backward(PyObject *self, PyObject *args)
{
    (void)self;
    return norm_backward(args, "layernorm_backward", 1);
}

static PyObject *py_layernorm_forward(PyObject *self, PyObject *args)
{
    static const char *fn = "layernorm_forward";
    PyObject *ox, *og, *ob;
    double eps;
    PyArrayObject *x = NULL, *g = NULL, *b = NULL, *out = NULL, *mean = NULL, *istd = NULL;
    int t;
    int64_t N, D;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOOd", &ox, &og, &ob, &eps)) return NULL;
    if (x_gamma_beta(ox, og, ob, fn, "x", &x, &g, &b, &t, &N, &D) < 0) goto fail;
    {
        npy_intp dn[1] = {(npy_intp)N};
        if (!(out = cv_empty_like(x)) || !(mean = cv_empty(1, dn, NPY_DOUBLE)) ||
            !(istd = cv_empty(1, dn, NPY_DOUBLE)))
            goto fail;
    }
    {
        void *po = CV_DATA(out), *px = CV_DATA(x), *pg = CV_DATA(g), *pb = CV_DATA(b);
        double *pm = CV_DATA(mean), *ps = CV_DATA(istd);
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) cv_layernorm_forward_f32(po, pm, ps, px, pg, pb, N, D, eps);
        else cv_layernorm_forward_f64(po, pm, ps, px, pg, pb, N, D, eps);
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x); Py_DECREF(g); Py_DECREF(b);
    return Py_BuildValue("(NNN)", out, mean, istd);
fail:
    Py_XDECREF(x); Py_XDECREF(g); Py_XDECREF(b);
    Py_XDECREF(out); Py_XDECREF(mean); Py_XDECREF(istd);
    return NULL;
}

PyMethodDef cv_methods_norm[] = {
    {"batchnorm_forward", py_batchnorm_forward, METH_VARARGS,
     "batchnorm_forward(x, gamma, beta, running_mean, running_var, train, eps, momentum) -> "
     "(out, mean, istd, running_mean_new or None, running_var_new or None)"},
    {"batchnorm_backward", py_batchnorm_backward, METH_VARARGS,
     "batchnorm_backward(dout, x, gamma, mean, istd, train, alt) -> (dx, dgamma, dbeta)"},
    {"layernorm_forward", py_layernorm_forward, METH_VARARGS,
     "layernorm_forward(x, gamma, beta, eps) -> (out, mean, istd)"},
    {"layernorm_backward", py_layernorm_backward, METH_VARARGS,
     "layernorm_backward(dout, x, gamma, mean, istd) -> (dx, dgamma, dbeta)"},
    {NULL, NULL, 0, NULL},
};
