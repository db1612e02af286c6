/* bind_conv.c: convolution (direct loops and im2col + GEMM) and the im2col / col2im steps.
 *   conv_forward_naive(x, w, b, stride, pad) -> out        conv_forward(...) (fast, same args)
 *   conv_backward_naive(dout, x, w, stride, pad) -> (dx, dw, db)    conv_backward(...) (fast)
 *   (conv_backward takes need_dx after the name: False returns None for dx and skips its work)
 *   im2col(x, HH, WW, stride, pad) -> cols (C*HH*WW, N*Ho*Wo), column n*Ho*Wo + oh*Wo + ow
 *   col2im(cols, x_shape, HH, WW, stride, pad) -> x (the sum of the columns back in place)
 * The conv entries take an optional last argument, the Python name for error messages. */
#include "args.h"

#include <math.h> /* NAN */

typedef struct {
    int64_t N, C, H, W, F, HH, WW, s, pad, Ho, Wo;
} conv_geom_t;

/* Checks stride, pad and the kernel against the padded input; fills Ho, Wo. */
static int check_window(const char *fn, conv_geom_t *g)
{
    if (g->s < 1) {
        PyErr_Format(PyExc_ValueError, "%s: stride (%lld) must be >= 1", fn, (long long)g->s);
        return -1;
    }
    if (g->pad < 0) {
        PyErr_Format(PyExc_ValueError, "%s: pad (%lld) must be >= 0", fn, (long long)g->pad);
        return -1;
    }
    if (g->pad > (int64_t)1 << 40 || g->s > (int64_t)1 << 40) {
        PyErr_Format(PyExc_ValueError, "%s: stride (%lld) or pad (%lld) is too large", fn,
                     (long long)g->s, (long long)g->pad);
        return -1;
    }
    if (g->HH > g->H + 2 * g->pad || g->WW > g->W + 2 * g->pad) {
        PyErr_Format(PyExc_ValueError,
                     "%s: the %lldx%lld kernel (HH x WW) is larger than the padded input "
                     "%lldx%lld (H + 2*pad x W + 2*pad, H=%lld, W=%lld, pad=%lld)",
                     fn, (long long)g->HH, (long long)g->WW, (long long)(g->H + 2 * g->pad),
                     (long long)(g->W + 2 * g->pad), (long long)g->H, (long long)g->W,
                     (long long)g->pad);
        return -1;
    }
    if (g->HH < 1 || g->WW < 1) {
        PyErr_Format(PyExc_ValueError, "%s: the kernel %lldx%lld (HH x WW) must not be empty", fn,
                     (long long)g->HH, (long long)g->WW);
        return -1;
    }
    g->Ho = 1 + (g->H + 2 * g->pad - g->HH) / g->s;
    g->Wo = 1 + (g->W + 2 * g->pad - g->WW) / g->s;
    return 0;
}

/* x (N,C,H,W) and w (F,C,HH,WW): ndim, channels, window */
static int conv_geom(const char *fn, PyArrayObject *x, PyArrayObject *w, conv_geom_t *g)
{
    if (cv_check_ndim(x, 4, fn, "x") < 0 || cv_check_ndim(w, 4, fn, "w") < 0) return -1;
    g->N = PyArray_DIM(x, 0); g->C = PyArray_DIM(x, 1);
    g->H = PyArray_DIM(x, 2); g->W = PyArray_DIM(x, 3);
    g->F = PyArray_DIM(w, 0); g->HH = PyArray_DIM(w, 2); g->WW = PyArray_DIM(w, 3);
    if (cv_check_eq(PyArray_DIM(w, 1), g->C, fn, "w.shape[1] (input channels)", "x.shape[1]") < 0)
        return -1;
    if (check_window(fn, g) < 0) return -1;
    int64_t t;
    if (cv_mul(g->N, g->F, &t, fn) < 0 || cv_mul(t, g->Ho, &t, fn) < 0 ||
        cv_mul(t, g->Wo, &t, fn) < 0)
        return -1;
    return 0;
}

/* dout must be (N, F, Ho, Wo) */
static int check_dout(const char *fn, PyArrayObject *dout, const conv_geom_t *g)
{
    if (cv_check_ndim(dout, 4, fn, "dout") < 0) return -1;
    if (PyArray_DIM(dout, 0) == g->N && PyArray_DIM(dout, 1) == g->F &&
        PyArray_DIM(dout, 2) == g->Ho && PyArray_DIM(dout, 3) == g->Wo)
        return 0;
    PyErr_Format(PyExc_ValueError,
                 "%s: dout.shape (%lld, %lld, %lld, %lld) must equal (N, F, Ho, Wo) "
                 "(%lld, %lld, %lld, %lld)", fn, (long long)PyArray_DIM(dout, 0),
                 (long long)PyArray_DIM(dout, 1), (long long)PyArray_DIM(dout, 2),
                 (long long)PyArray_DIM(dout, 3), (long long)g->N, (long long)g->F,
                 (long long)g->Ho, (long long)g->Wo);
    return -1;
}

/* 0 for CV_OK; a MemoryError that gives the size of the columns for CV_ENOMEM */
static int conv_status(int st, const char *fn, const conv_geom_t *g)
{
    if (st != CV_ENOMEM) return cv_status(st, fn);
    PyErr_Format(PyExc_MemoryError,
                 "%s: the im2col columns of one image (%lld x %lld values) do not fit in memory",
                 fn, (long long)(g->C * g->HH * g->WW), (long long)(g->Ho * g->Wo));
    return -1;
}

static PyObject *conv_forward_any(PyObject *args, const char *fn, int fast)
{
    PyObject *ox, *ow, *ob;
    PyArrayObject *x = NULL, *w = NULL, *b = NULL, *out = NULL;
    conv_geom_t g;
    int t;
    if (!PyArg_ParseTuple(args, "OOOLL|s", &ox, &ow, &ob, &g.s, &g.pad, &fn)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (!(w = cv_float_as(ow, t, fn, "w"))) goto fail;
    if (!(b = cv_float_as(ob, t, fn, "b"))) goto fail;
    if (conv_geom(fn, x, w, &g) < 0 || cv_check_ndim(b, 1, fn, "b") < 0 ||
        cv_check_eq(PyArray_DIM(b, 0), g.F, fn, "b.shape[0]", "w.shape[0] (filters)") < 0)
        goto fail;
    {
        npy_intp dims[4] = {(npy_intp)g.N, (npy_intp)g.F, (npy_intp)g.Ho, (npy_intp)g.Wo};
        if (!(out = cv_empty(4, dims, t))) goto fail;
    }
    {
        void *po = CV_DATA(out), *px = CV_DATA(x), *pw = CV_DATA(w), *pb = CV_DATA(b);
        int st = CV_OK;
        Py_BEGIN_ALLOW_THREADS
        if (fast)
            st = CV_IS_F32(t) ? cv_conv_forward_f32(po, px, pw, pb, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad)
                              : cv_conv_forward_f64(po, px, pw, pb, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        else if (CV_IS_F32(t))
            cv_conv_forward_naive_f32(po, px, pw, pb, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        else
            cv_conv_forward_naive_f64(po, px, pw, pb, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        Py_END_ALLOW_THREADS
        if (conv_status(st, fn, &g) < 0) goto fail;
    }
    Py_DECREF(x); Py_DECREF(w); Py_DECREF(b);
    return (PyObject *)out;
fail:
    Py_XDECREF(x); Py_XDECREF(w); Py_XDECREF(b); Py_XDECREF(out);
    return NULL;
}

static PyObject *conv_backward_any(PyObject *args, const char *fn, int fast)
{
    PyObject *od, *ox, *ow;
    PyArrayObject *dout = NULL, *x = NULL, *w = NULL, *dx = NULL, *dw = NULL, *db = NULL;
    conv_geom_t g;
    int t, need_dx = 1;
    if (!PyArg_ParseTuple(args, "OOOLL|sp", &od, &ox, &ow, &g.s, &g.pad, &fn, &need_dx))
        return NULL;
    need_dx = need_dx || !fast; /* the direct loops always compute dx */
    if (!(dout = cv_float_main(od, fn, "dout", &t))) goto fail;
    if (!(x = cv_float_as(ox, t, fn, "x"))) goto fail;
    if (!(w = cv_float_as(ow, t, fn, "w"))) goto fail;
    if (conv_geom(fn, x, w, &g) < 0 || check_dout(fn, dout, &g) < 0) goto fail;
    if ((need_dx && !(dx = cv_empty_like(x))) || !(dw = cv_empty_like(w))) goto fail;
    {
        npy_intp dm[1] = {(npy_intp)g.F};
        if (!(db = cv_empty(1, dm, t))) goto fail;
    }
    {
        void *pdx = dx ? CV_DATA(dx) : NULL, *pdw = CV_DATA(dw), *pdb = CV_DATA(db);
        void *pd = CV_DATA(dout), *px = CV_DATA(x), *pw = CV_DATA(w);
        int st = CV_OK;
        Py_BEGIN_ALLOW_THREADS
        if (fast)
            st = CV_IS_F32(t) ? cv_conv_backward_f32(pdx, pdw, pdb, pd, px, pw, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad)
                              : cv_conv_backward_f64(pdx, pdw, pdb, pd, px, pw, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        else if (CV_IS_F32(t))
            cv_conv_backward_naive_f32(pdx, pdw, pdb, pd, px, pw, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        else
            cv_conv_backward_naive_f64(pdx, pdw, pdb, pd, px, pw, g.N, g.C, g.H, g.W, g.F, g.HH, g.WW, g.s, g.pad);
        Py_END_ALLOW_THREADS
        if (conv_status(st, fn, &g) < 0) goto fail;
    }
    Py_DECREF(dout); Py_DECREF(x); Py_DECREF(w);
    if (!dx) {
        Py_INCREF(Py_None);
        dx = (PyArrayObject *)Py_None;
    }
    return Py_BuildValue("(NNN)", dx, dw, db);
fail:
    Py_XDECREF(dout); Py_XDECREF(x); Py_XDECREF(w);
    Py_XDECREF(dx); Py_XDECREF(dw); Py_XDECREF(db);
    return NULL;
}

static PyObject *py_conv_forward_naive(PyObject *self, PyObject *args)
{
    (void)self;
    return conv_forward_any(args, "conv_forward_naive", 0);
}

static PyObject *py_conv_backward_naive(PyObject *self, PyObject *args)
{
    (void)self;
    return conv_backward_any(args, "conv_backward_naive", 0);
}

static PyObject *py_conv_forward(PyObject *self, PyObject *args)
{
    (void)self;
    return conv_forward_any(args, "conv_forward_fast", 1);
}

static PyObject *py_conv_backward(PyObject *self, PyObject *args)
{
    (void)self;
    return conv_backward_any(args, "conv_backward_fast", 1);
}

/* x (N,C,H,W) -> cols (C*HH*WW, N*Ho*Wo) */
static PyObject *py_im2col(PyObject *self, PyObject *args)
{
    static const char *fn = "im2col";
    PyObject *ox;
    PyArrayObject *x = NULL, *cols = NULL;
    conv_geom_t g;
    int t;
    int64_t K, NP;
    (void)self;
    if (!PyArg_ParseTuple(args, "OLLLL", &ox, &g.HH, &g.WW, &g.s, &g.pad)) return NULL;
    if (!(x = cv_float_main(ox, fn, "x", &t))) goto fail;
    if (cv_check_ndim(x, 4, fn, "x") < 0) goto fail;
    g.N = PyArray_DIM(x, 0); g.C = PyArray_DIM(x, 1);
    g.H = PyArray_DIM(x, 2); g.W = PyArray_DIM(x, 3);
    if (check_window(fn, &g) < 0 || cv_mul(g.C * g.HH, g.WW, &K, fn) < 0 ||
        cv_mul(g.N, g.Ho * g.Wo, &NP, fn) < 0 || cv_mul(K, NP, &K, fn) < 0)
        goto fail;
    {
        npy_intp dims[2] = {(npy_intp)(g.C * g.HH * g.WW), (npy_intp)NP};
        if (!(cols = cv_empty(2, dims, t))) goto fail;
    }
    {
        char *pc = CV_DATA(cols);
        const char *px = CV_DATA(x);
        size_t sz = CV_IS_F32(t) ? sizeof(float) : sizeof(double);
        int64_t P = g.Ho * g.Wo, CHW = g.C * g.H * g.W;
        Py_BEGIN_ALLOW_THREADS
        for (int64_t n = 0; n < g.N; n++) {
            if (CV_IS_F32(t))
                cv_im2col_f32((float *)(pc + n * P * sz), NP, (const float *)(px + n * CHW * sz),
                              g.C, g.H, g.W, g.HH, g.WW, g.s, g.pad, g.Ho, g.Wo);
            else
                cv_im2col_f64((double *)(pc + n * P * sz), NP, (const double *)(px + n * CHW * sz),
                              g.C, g.H, g.W, g.HH, g.WW, g.s, g.pad, g.Ho, g.Wo);
        }
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(x);
    return (PyObject *)cols;
fail:
    Py_XDECREF(x); Py_XDECREF(cols);
    return NULL;
}

/* cols (C*HH*WW, N*Ho*Wo), x_shape (N,C,H,W) -> x: every column entry added back to its pixel */
static PyObject *py_col2im(PyObject *self, PyObject *args)
{
    static const char *fn = "col2im";
    PyObject *oc;
    PyArrayObject *cols = NULL, *x = NULL;
    conv_geom_t g;
    int t;
    (void)self;
    if (!PyArg_ParseTuple(args, "O(LLLL)LLLL", &oc, &g.N, &g.C, &g.H, &g.W, &g.HH, &g.WW, &g.s,
                          &g.pad))
        return NULL;
    if (!(cols = cv_float_main(oc, fn, "cols", &t))) goto fail;
    if (g.N < 0 || g.C < 0 || g.H < 0 || g.W < 0) {
        PyErr_Format(PyExc_ValueError, "%s: x_shape has a negative size", fn);
        goto fail;
    }
    if (cv_check_ndim(cols, 2, fn, "cols") < 0 || check_window(fn, &g) < 0) goto fail;
    if (cv_check_eq(PyArray_DIM(cols, 0), g.C * g.HH * g.WW, fn, "cols.shape[0]", "C*HH*WW") < 0 ||
        cv_check_eq(PyArray_DIM(cols, 1), g.N * g.Ho * g.Wo, fn, "cols.shape[1]", "N*Ho*Wo") < 0)
        goto fail;
    {
        npy_intp dims[4] = {(npy_intp)g.N, (npy_intp)g.C, (npy_intp)g.H, (npy_intp)g.W};
        if (!(x = (PyArrayObject *)PyArray_ZEROS(4, dims, t, 0))) goto fail;
    }
    {
        const char *pc = CV_DATA(cols);
        char *px = CV_DATA(x);
        size_t sz = CV_IS_F32(t) ? sizeof(float) : sizeof(double);
        int64_t P = g.Ho * g.Wo, CHW = g.C * g.H * g.W, NP = g.N * P;
        Py_BEGIN_ALLOW_THREADS
        for (int64_t n = 0; n < g.N; n++) {
            if (CV_IS_F32(t))
                cv_col2im_acc_f32((float *)(px + n * CHW * sz), (const float *)(pc + n * P * sz), NP,
                                  g.C, g.H, g.W, g.HH, g.WW, g.s, g.pad, g.Ho, g.Wo);
            else
                cv_col2im_acc_f64((double *)(px + n * CHW * sz), (const double *)(pc + n * P * sz), NP,
                                  g.C, g.H, g.W, g.HH, g.WW, g.s, g.pad, g.Ho, g.Wo);
        }
        Py_END_ALLOW_THREADS
    }
    Py_DECREF(cols);
    return (PyObject *)x;
fail:
    Py_XDECREF(cols); Py_XDECREF(x);
    return NULL;
}

static PyObject *py_conv_fused_bytes(PyObject *self, PyObject *args)
{
    double limit = NAN;
    (void)self;
    if (!PyArg_ParseTuple(args, "|d", &limit)) return NULL;
    return PyFloat_FromDouble(cv_conv_fused_bytes(limit));
}

PyMethodDef cv_methods_conv[] = {
    {"conv_forward_naive", py_conv_forward_naive, METH_VARARGS,
     "conv_forward_naive(x, w, b, stride, pad) -> out (direct loops)"},
    {"conv_backward_naive", py_conv_backward_naive, METH_VARARGS,
     "conv_backward_naive(dout, x, w, stride, pad) -> (dx, dw, db) (direct loops)"},
    {"conv_forward", py_conv_forward, METH_VARARGS,
     "conv_forward(x, w, b, stride, pad) -> out (im2col + GEMM)"},
    {"conv_backward", py_conv_backward, METH_VARARGS,
     "conv_backward(dout, x, w, stride, pad[, name, need_dx]) -> (dx or None, dw, db) (im2col + GEMM)"},
    {"conv_fused_bytes", py_conv_fused_bytes, METH_VARARGS,
     "conv_fused_bytes([limit]) -> the previous limit: images whose columns take at most this "
     "many bytes go one at a time (internal; tests set it below 0 to use chunks)"},
    {"im2col", py_im2col, METH_VARARGS,
     "im2col(x, HH, WW, stride, pad) -> cols (C*HH*WW, N*Ho*Wo)"},
    {"col2im", py_col2im, METH_VARARGS,
     "col2im(cols, x_shape, HH, WW, stride, pad) -> x (entries summed back into place)"},
    {NULL, NULL, 0, NULL},
};
