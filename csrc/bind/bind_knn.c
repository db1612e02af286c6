/* bind_knn.c: knn_distances(X_test, X_train, num_loops) -> dists and
 * knn_predict_labels(dists, y_train, k) -> y_pred. */
#include "args.h"

static int knn_is_f32(PyObject *obj)
{
    return PyArray_Check(obj) && PyArray_TYPE((PyArrayObject *)obj) == NPY_FLOAT;
}

/* X_test (M, ...) and X_train (N, ...) flattened to (M,D), (N,D); num_loops in {0,1,2} ->
 * dists (M,N) */
static PyObject *py_knn_distances(PyObject *self, PyObject *args)
{
    static const char *fn = "knn_distances";
    PyObject *oa, *ob;
    int loops;
    PyArrayObject *a = NULL, *b = NULL, *out = NULL;
    int64_t M, N, D, Db, MN;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOi", &oa, &ob, &loops)) return NULL;
    if (loops < 0 || loops > 2) {
        PyErr_Format(PyExc_ValueError, "%s: invalid value %d for num_loops (must be 0, 1 or 2)",
                     fn, loops);
        return NULL;
    }
    /* float32 only when both inputs are float32; anything else real-valued (uint8 images
     * included) is converted to float64 before any arithmetic */
    int t = knn_is_f32(oa) && knn_is_f32(ob) ? NPY_FLOAT : NPY_DOUBLE;
    if (!(a = cv_float_as(oa, t, fn, "X")) || !(b = cv_float_as(ob, t, fn, "X_train"))) goto fail;
    if (cv_check_ndim_min(a, 1, fn, "X") < 0 || cv_check_ndim_min(b, 1, fn, "X_train") < 0)
        goto fail;
    M = PyArray_DIM(a, 0);
    N = PyArray_DIM(b, 0);
    if (cv_prod(a, 1, PyArray_NDIM(a), &D, fn, "X") < 0 ||
        cv_prod(b, 1, PyArray_NDIM(b), &Db, fn, "X_train") < 0)
        goto fail;
    if (cv_check_eq(D, Db, fn, "prod(X.shape[1:])", "prod(X_train.shape[1:])") < 0) goto fail;
    if (cv_mul(M, N, &MN, fn) < 0) goto fail;
    {
        npy_intp dims[2] = {(npy_intp)M, (npy_intp)N};
        if (!(out = cv_empty(2, dims, t))) goto fail;
    }
    {
        void *po = CV_DATA(out), *pa = CV_DATA(a), *pb = CV_DATA(b);
        int st = CV_OK;
        Py_BEGIN_ALLOW_THREADS
        if (CV_IS_F32(t)) {
            if (loops == 2) cv_knn_dist_two_loops_f32(po, pa, pb, M, N, D);
            else if (loops == 1) cv_knn_dist_one_loop_f32(po, pa, pb, M, N, D);
            else st = cv_knn_dist_no_loops_f32(po, pa, pb, M, N, D);
        } else {
            if (loops == 2) cv_knn_dist_two_loops_f64(po, pa, pb, M, N, D);
            else if (loops == 1) cv_knn_dist_one_loop_f64(po, pa, pb, M, N, D);
            else st = cv_knn_dist_no_loops_f64(po, pa, pb, M, N, D);
        }
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(a); Py_DECREF(b);
    return (PyObject *)out;
fail:
    Py_XDECREF(a); Py_XDECREF(b); Py_XDECREF(out);
    return NULL;
}

/* dists (M, N), y_train (N,) integer labels, 1 <= k <= N -> y_pred (M,) int64 */
static PyObject *py_knn_predict_labels(PyObject *self, PyObject *args)
{
    static const char *fn = "predict_labels";
    PyObject *od, *oy;
    long long k;
    PyArrayObject *d = NULL, *y = NULL, *out = NULL;
    int t;
    int64_t M, N;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOL", &od, &oy, &k)) return NULL;
    if (!(d = cv_float_main(od, fn, "dists", &t))) goto fail;
    if (cv_check_ndim(d, 2, fn, "dists") < 0) goto fail;
    M = PyArray_DIM(d, 0);
    N = PyArray_DIM(d, 1);
    if (!(y = cv_int64_array(oy, fn, "y_train"))) goto fail;
    if (cv_check_ndim(y, 1, fn, "y_train") < 0) goto fail;
    if (cv_check_eq(PyArray_DIM(y, 0), N, fn, "len(y_train)", "dists.shape[1]") < 0) goto fail;
    if (k < 1 || k > N) {
        PyErr_Format(PyExc_ValueError, "%s: k (%lld) must be between 1 and the number of "
                     "training points (%lld)", fn, k, (long long)N);
        goto fail;
    }
    {
        npy_intp dims[1] = {(npy_intp)M};
        if (!(out = cv_empty(1, dims, NPY_INT64))) goto fail;
    }
    {
        int64_t *po = CV_DATA(out);
        const int64_t *py = CV_DATA(y);
        void *pd = CV_DATA(d);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? cv_knn_predict_labels_f32(po, pd, py, M, N, (int64_t)k)
                          : cv_knn_predict_labels_f64(po, pd, py, M, N, (int64_t)k);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(d); Py_DECREF(y);
    return (PyObject *)out;
fail:
    Py_XDECREF(d); Py_XDECREF(y); Py_XDECREF(out);
    return NULL;
}

PyMethodDef cv_methods_knn[] = {
    {"knn_distances", py_knn_distances, METH_VARARGS,
     "knn_distances(X_test, X_train, num_loops) -> dists (num_test, num_train)"},
    {"knn_predict_labels", py_knn_predict_labels, METH_VARARGS,
     "knn_predict_labels(dists, y_train, k) -> y_pred"},
    {NULL, NULL, 0, NULL},
};
