/* args.c: array conversion and checks shared by every binding. */
#include "args.h"

static const char *dtype_name(PyArray_Descr *d, char *buf, size_t n)
{
    PyObject *s = PyObject_Str((PyObject *)d);
    const char *u = s ? PyUnicode_AsUTF8(s) : NULL;
    snprintf(buf, n, "%s", u ? u : "?");
    Py_XDECREF(s);
    PyErr_Clear();
    return buf;
}

PyArrayObject *cv_float_main(PyObject *obj, const char *fn, const char *name, int *typenum)
{
    char buf[64];
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_O(obj);
    if (!raw) return NULL;
    int t = PyArray_DESCR(raw)->type_num;
    if (t != NPY_FLOAT && t != NPY_DOUBLE) {
        PyErr_Format(PyExc_TypeError, "%s: %s must be float32 or float64, got %s", fn, name,
                     dtype_name(PyArray_DESCR(raw), buf, sizeof buf));
        Py_DECREF(raw);
        return NULL;
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)raw, t, NPY_ARRAY_IN_ARRAY);
    Py_DECREF(raw);
    if (a) *typenum = t;
    return a;
}

PyArrayObject *cv_float_as(PyObject *obj, int typenum, const char *fn, const char *name)
{
    char buf[64];
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_O(obj);
    if (!raw) return NULL;
    char kind = PyArray_DESCR(raw)->kind;
    if (kind != 'f' && kind != 'i' && kind != 'u' && kind != 'b') {
        PyErr_Format(PyExc_TypeError, "%s: %s must be a real-valued array, got %s", fn, name,
                     dtype_name(PyArray_DESCR(raw), buf, sizeof buf));
        Py_DECREF(raw);
        return NULL;
    }
    PyArrayObject *a =
        (PyArrayObject *)PyArray_FROM_OTF((PyObject *)raw, typenum, NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    Py_DECREF(raw);
    return a;
}

PyArrayObject *cv_int64_array(PyObject *obj, const char *fn, const char *name)
{
    char buf[64];
    PyArrayObject *raw = (PyArrayObject *)PyArray_FROM_O(obj);
    if (!raw) return NULL;
    char kind = PyArray_DESCR(raw)->kind;
    if (kind != 'i' && kind != 'u' && PyArray_SIZE(raw) != 0) { /* np.array([]) is float64 */
        PyErr_Format(PyExc_TypeError, "%s: %s must be an integer array, got %s", fn, name,
                     dtype_name(PyArray_DESCR(raw), buf, sizeof buf));
        Py_DECREF(raw);
        return NULL;
    }
    if (kind == 'u' && PyArray_ITEMSIZE(raw) == 8) {
        /* uint64 values above INT64_MAX would wrap: check before casting */
        PyObject *mx = PyArray_Max(raw, NPY_RAVEL_AXIS, NULL);
        int too_big = 0;
        PyObject *mx_int = mx ? PyNumber_Long(mx) : NULL;
        if (mx_int && PyArray_SIZE(raw) > 0) {
            unsigned long long v = PyLong_AsUnsignedLongLong(mx_int);
            too_big = !PyErr_Occurred() && v > (unsigned long long)INT64_MAX;
        }
        Py_XDECREF(mx_int);
        Py_XDECREF(mx);
        PyErr_Clear();
        if (too_big) {
            PyErr_Format(PyExc_ValueError, "%s: %s has values above int64 range", fn, name);
            Py_DECREF(raw);
            return NULL;
        }
    }
    PyArrayObject *a = (PyArrayObject *)PyArray_FROM_OTF((PyObject *)raw, NPY_INT64,
                                                         NPY_ARRAY_IN_ARRAY | NPY_ARRAY_FORCECAST);
    Py_DECREF(raw);
    return a;
}

PyArrayObject *cv_labels(PyObject *obj, const char *fn, const char *name, int64_t N, int64_t C)
{
    PyArrayObject *y = cv_int64_array(obj, fn, name);
    if (!y) return NULL;
    if (PyArray_NDIM(y) != 1) {
        PyErr_Format(PyExc_ValueError, "%s: %s must be 1-D of length N (%lld), got ndim %d", fn,
                     name, (long long)N, PyArray_NDIM(y));
        goto fail;
    }
    if ((int64_t)PyArray_DIM(y, 0) != N) {
        PyErr_Format(PyExc_ValueError, "%s: %s has length %lld, must equal N (%lld)", fn, name,
                     (long long)PyArray_DIM(y, 0), (long long)N);
        goto fail;
    }
    const int64_t *v = (const int64_t *)PyArray_DATA(y);
    for (int64_t i = 0; i < N; i++) {
        if (v[i] < 0 || v[i] >= C) {
            PyErr_Format(PyExc_ValueError, "%s: %s[%lld] = %lld is out of range [0, %lld)", fn,
                         name, (long long)i, (long long)v[i], (long long)C);
            goto fail;
        }
    }
    return y;
fail:
    Py_DECREF(y);
    return NULL;
}

int cv_check_ndim(PyArrayObject *a, int ndim, const char *fn, const char *name)
{
    if (PyArray_NDIM(a) == ndim) return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s must be %d-D, got %d-D", fn, name, ndim, PyArray_NDIM(a));
    return -1;
}

int cv_check_ndim_min(PyArrayObject *a, int min_ndim, const char *fn, const char *name)
{
    if (PyArray_NDIM(a) >= min_ndim) return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s must have at least %d dimensions, got %d", fn, name,
                 min_ndim, PyArray_NDIM(a));
    return -1;
}

int cv_check_eq(int64_t got, int64_t want, const char *fn, const char *what, const char *what_want)
{
    if (got == want) return 0;
    PyErr_Format(PyExc_ValueError, "%s: %s (%lld) must equal %s (%lld)", fn, what, (long long)got,
                 what_want, (long long)want);
    return -1;
}

static void shape_str(PyArrayObject *a, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < PyArray_NDIM(a) && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, i ? ", %lld" : "%lld", (long long)PyArray_DIM(a, i));
    if (k < n) snprintf(buf + k, n - k, PyArray_NDIM(a) == 1 ? ",)" : ")");
}

int cv_check_same_shape(PyArrayObject *a, PyArrayObject *ref, const char *fn, const char *name,
                        const char *ref_name)
{
    if (PyArray_NDIM(a) == PyArray_NDIM(ref) &&
        PyArray_CompareLists(PyArray_DIMS(a), PyArray_DIMS(ref), PyArray_NDIM(a)))
        return 0;
    char s1[160], s2[160];
    shape_str(a, s1, sizeof s1);
    shape_str(ref, s2, sizeof s2);
    PyErr_Format(PyExc_ValueError, "%s: %s.shape %s must equal %s.shape %s", fn, name, s1,
                 ref_name, s2);
    return -1;
}

int cv_mul(int64_t a, int64_t b, int64_t *out, const char *fn)
{
    const int64_t lim = INT64_MAX / 64;
    if (a < 0 || b < 0 || (a != 0 && b > lim / a)) {
        PyErr_Format(PyExc_ValueError, "%s: size %lld x %lld is too large", fn, (long long)a,
                     (long long)b);
        return -1;
    }
    *out = a * b;
    return 0;
}

int cv_prod(PyArrayObject *a, int from, int to, int64_t *out, const char *fn, const char *name)
{
    int64_t p = 1;
    (void)name;
    for (int i = from; i < to; i++)
        if (cv_mul(p, (int64_t)PyArray_DIM(a, i), &p, fn) < 0) return -1;
    *out = p;
    return 0;
}

PyArrayObject *cv_empty_like(PyArrayObject *a)
{
    return cv_empty(PyArray_NDIM(a), PyArray_DIMS(a), PyArray_DESCR(a)->type_num);
}

int cv_status(int st, const char *fn)
{
    if (st == CV_OK) return 0;
    if (st == CV_ENOMEM)
        PyErr_Format(PyExc_MemoryError, "%s: out of memory for scratch buffers", fn);
    else
        PyErr_Format(PyExc_ValueError, "%s: invalid arguments (status %d)", fn, st);
    return -1;
}
