/* bind_features.c: hog_features(imgs) -> (N, F) and hue_histograms(imgs, edges, xmax) ->
 * counts (N, nbin), the batched kernels behind cvnn.features. */
#include "args.h"

/* imgs (N, H, W) grayscale or (N, H, W, C) with C == 1 or C >= 3 (the first three are RGB),
 * any real dtype (converted to float64, as CS231n's rgb2gray does) -> (N, (W/8)*(H/8)*9) */
static PyObject *py_hog_features(PyObject *self, PyObject *args)
{
    static const char *fn = "hog_features";
    PyObject *oi;
    PyArrayObject *im = NULL, *out = NULL;
    int64_t N, H, W, Cin = 1;
    (void)self;
    if (!PyArg_ParseTuple(args, "O", &oi)) return NULL;
    if (!(im = cv_float_as(oi, NPY_DOUBLE, fn, "imgs"))) goto fail;
    if (PyArray_NDIM(im) != 3 && PyArray_NDIM(im) != 4) {
        PyErr_Format(PyExc_ValueError, "%s: imgs must be (N, H, W) or (N, H, W, C), got %d-D", fn,
                     PyArray_NDIM(im));
        goto fail;
    }
    N = PyArray_DIM(im, 0);
    H = PyArray_DIM(im, 1);
    W = PyArray_DIM(im, 2);
    if (PyArray_NDIM(im) == 4) Cin = PyArray_DIM(im, 3);
    if (Cin == 0 || Cin == 2) {
        PyErr_Format(PyExc_ValueError, "%s: imgs must have 1 or at least 3 channels, got %lld",
                     fn, (long long)Cin);
        goto fail;
    }
    {
        int64_t F = (H / 8) * (W / 8) * 9, NF;
        if (cv_mul(N, F, &NF, fn) < 0) goto fail;
        npy_intp dims[2] = {(npy_intp)N, (npy_intp)F};
        if (!(out = cv_empty(2, dims, NPY_DOUBLE))) goto fail;
    }
    {
        double *po = CV_DATA(out);
        const double *pi = CV_DATA(im);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = cv_hog_f64(po, pi, N, H, W, Cin);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(im);
    return (PyObject *)out;
fail:
    Py_XDECREF(im); Py_XDECREF(out);
    return NULL;
}

/* imgs (N, H, W, 3) RGB in [0, xmax] (float32 stays float32, anything else becomes float64),
 * edges (nbin + 1,) ascending float64, xmax > 0 -> counts (N, nbin) int64 */
static PyObject *py_hue_histograms(PyObject *self, PyObject *args)
{
    static const char *fn = "color_histogram_hsv";
    PyObject *oi, *oe;
    double xmax;
    PyArrayObject *im = NULL, *e = NULL, *out = NULL;
    int64_t N, HW, nbin;
    (void)self;
    if (!PyArg_ParseTuple(args, "OOd", &oi, &oe, &xmax)) return NULL;
    int t = PyArray_Check(oi) && PyArray_TYPE((PyArrayObject *)oi) == NPY_FLOAT ? NPY_FLOAT
                                                                                : NPY_DOUBLE;
    if (!(im = cv_float_as(oi, t, fn, "im"))) goto fail;
    if (!(e = cv_float_as(oe, NPY_DOUBLE, fn, "bins"))) goto fail;
    if (cv_check_ndim(im, 4, fn, "imgs") < 0 || cv_check_ndim(e, 1, fn, "bins") < 0) goto fail;
    if (cv_check_eq(PyArray_DIM(im, 3), 3, fn, "im.shape[-1]", "the number of RGB channels") < 0)
        goto fail;
    if (PyArray_DIM(e, 0) < 2) {
        PyErr_Format(PyExc_ValueError, "%s: nbin must be >= 1, got %lld", fn,
                     (long long)PyArray_DIM(e, 0) - 1);
        goto fail;
    }
    N = PyArray_DIM(im, 0);
    if (cv_mul(PyArray_DIM(im, 1), PyArray_DIM(im, 2), &HW, fn) < 0) goto fail;
    nbin = PyArray_DIM(e, 0) - 1;
    {
        npy_intp dims[2] = {(npy_intp)N, (npy_intp)nbin};
        if (!(out = cv_empty(2, dims, NPY_INT64))) goto fail;
    }
    {
        int64_t *po = CV_DATA(out);
        const double *pe = CV_DATA(e);
        void *pi = CV_DATA(im);
        int st;
        Py_BEGIN_ALLOW_THREADS
        st = CV_IS_F32(t) ? cv_hue_hist_f32(po, pi, pe, xmax, N, HW, nbin)
                          : cv_hue_hist_f64(po, pi, pe, xmax, N, HW, nbin);
        Py_END_ALLOW_THREADS
        if (cv_status(st, fn) < 0) goto fail;
    }
    Py_DECREF(im); Py_DECREF(e);
    return (PyObject *)out;
fail:
    Py_XDECREF(im); Py_XDECREF(e); Py_XDECREF(out);
    return NULL;
}

PyMethodDef cv_methods_features[] = {
    {"hog_features", py_hog_features, METH_VARARGS, "hog_features(imgs) -> (N, F) float64"},
    {"hue_histograms", py_hue_histograms, METH_VARARGS,
     "hue_histograms(imgs, edges, xmax) -> counts (N, nbin) int64"},
    {NULL, NULL, 0, NULL},
};
