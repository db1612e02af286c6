/* args.h: what every binding file needs. Array conversion, checks that name the function and
 * the numbers, status-to-exception, and the list of families whose methods module.c joins. */
#ifndef CVNN_ARGS_H
#define CVNN_ARGS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
/* NumPy >= 1.22 at run time (pyproject asks for 1.26): PyDataMem_SetHandler (outbuf.c) */
#define NPY_TARGET_VERSION NPY_1_22_API_VERSION
#define PY_ARRAY_UNIQUE_SYMBOL cvnn_ARRAY_API
#ifndef CV_MODULE_C
#define NO_IMPORT_ARRAY
#endif
#include <numpy/arrayobject.h>

#include "cvnn.h"

/* The main input decides the dtype: float32 or float64, anything else is a TypeError.
 * Returns a new reference to a C-contiguous, aligned, native-order array; *typenum is set. */
PyArrayObject *cv_float_main(PyObject *obj, const char *fn, const char *name, int *typenum);
/* Any other real-valued input, converted to typenum (a copy only when needed). Complex,
 * object and string arrays are a TypeError. */
PyArrayObject *cv_float_as(PyObject *obj, int typenum, const char *fn, const char *name);
/* Integer labels of any integer dtype -> int64 (N,), each in [0, C). ValueError otherwise. */
PyArrayObject *cv_labels(PyObject *obj, const char *fn, const char *name, int64_t N, int64_t C);
/* Integer index arrays of any integer dtype -> contiguous int64, no range check. */
PyArrayObject *cv_int64_array(PyObject *obj, const char *fn, const char *name);

int cv_check_ndim(PyArrayObject *a, int ndim, const char *fn, const char *name);
int cv_check_ndim_min(PyArrayObject *a, int min_ndim, const char *fn, const char *name);
/* ValueError "fn: what (got) must equal what_want (want)" unless got == want */
int cv_check_eq(int64_t got, int64_t want, const char *fn, const char *what, const char *what_want);
/* Same shape as ref, named in the message. */
int cv_check_same_shape(PyArrayObject *a, PyArrayObject *ref, const char *fn, const char *name,
                        const char *ref_name);
/* Product of dims[from:to], with overflow checked against INT64_MAX / 64 (room for bytes). */
int cv_prod(PyArrayObject *a, int from, int to, int64_t *out, const char *fn, const char *name);
int cv_mul(int64_t a, int64_t b, int64_t *out, const char *fn);

/* New uninitialised arrays for results; large ones come from the cache of outbuf.c. */
PyArrayObject *cv_empty(int ndim, const npy_intp *dims, int typenum);
PyArrayObject *cv_empty_like(PyArrayObject *a);
/* module init: the NumPy memory handler of outbuf.c; -1 with an exception on failure */
int cv_outbuf_init(void);
/* 0 for CV_OK; otherwise sets MemoryError / ValueError naming fn and returns -1 */
int cv_status(int st, const char *fn);

#define CV_DATA(a) PyArray_DATA(a)
#define CV_IS_F32(typenum) ((typenum) == NPY_FLOAT)

/* Every bind_<family>.c defines `PyMethodDef cv_methods_<family>[]`, ending with a NULL
 * entry. To add a family, add one `CV_FAMILY(name) \\` line above the end marker. */
#define CV_FAMILIES(CV_FAMILY)                                                                 \
    CV_FAMILY(runtime)                                                                         \
    CV_FAMILY(outbuf)                                                                          \
    CV_FAMILY(affine)                                                                          \
    CV_FAMILY(activ)                                                                           \
    CV_FAMILY(loss)                                                                            \
    CV_FAMILY(conv)                                                                            \
    CV_FAMILY(pool)                                                                            \
    CV_FAMILY(snorm)                                                                           \
    CV_FAMILY(optim)                                                                           \
    CV_FAMILY(dropout)                                                                         \
    CV_FAMILY(norm)                                                                            \
    CV_FAMILY(gemm)                                                                            \
    CV_FAMILY(knn)                                                                             \
    CV_FAMILY(linear)                                                                          \
    CV_FAMILY(features)                                                                        \
    /* end of families: add new ones above this line */

#define CV_DECLARE_FAMILY(name) extern PyMethodDef cv_methods_##name[];
CV_FAMILIES(CV_DECLARE_FAMILY)
#undef CV_DECLARE_FAMILY

#endif
