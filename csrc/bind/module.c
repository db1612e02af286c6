/* module.c: PyInit__C. Joins the method tables of every family (args.h, CV_FAMILIES),
 * calls import_array(), applies CVNN_ISA / CVNN_NUM_THREADS, frees the workspace at teardown. */
#define CV_MODULE_C
#include "args.h"

#include <stdlib.h>

static PyMethodDef *g_methods = NULL;

static void module_free(void *m)
{
    (void)m;
    cv_ws_free_all();
}

static struct PyModuleDef cvnn_module = {
    PyModuleDef_HEAD_INIT, "cvnn._C",
    "cvnn's C kernels. Use the Python modules of the cvnn package, not this one.", -1, NULL,
    NULL, NULL, NULL, module_free,
};

static int count_methods(const PyMethodDef *t)
{
    int n = 0;
    while (t[n].ml_name) n++;
    return n;
}

static int apply_environment(void)
{
    const char *isa = getenv("CVNN_ISA");
    if (isa && *isa) {
        cv_isa_t want;
        if (cv_isa_from_name(isa, &want) != CV_OK) {
            PyErr_Format(PyExc_ImportError,
                         "cvnn: CVNN_ISA=%s is unknown; use generic, avx2 or avx512", isa);
            return -1;
        }
        if (cv_isa_set(want) != CV_OK) {
            PyErr_Format(PyExc_ImportError,
                         "cvnn: CVNN_ISA=%s is not supported by this CPU (best: %s)", isa,
                         cv_isa_name(cv_isa_best()));
            return -1;
        }
    }
    const char *nt = getenv("CVNN_NUM_THREADS");
    if (nt && *nt) {
        char *end = NULL;
        long v = strtol(nt, &end, 10);
        if (*end != '\0' || v < 1 || v > 4096) {
            PyErr_Format(PyExc_ImportError, "cvnn: CVNN_NUM_THREADS=%s must be a positive integer", nt);
            return -1;
        }
        cv_set_num_threads((int)v);
    }
    return 0;
}

PyMODINIT_FUNC PyInit__C(void)
{
    import_array();
    if (cv_outbuf_init() < 0) return NULL;
    if (!g_methods) {
        int total = 0, k = 0;
#define CV_COUNT(name) total += count_methods(cv_methods_##name);
        CV_FAMILIES(CV_COUNT)
#undef CV_COUNT
        g_methods = (PyMethodDef *)calloc((size_t)total + 1, sizeof(PyMethodDef));
        if (!g_methods) return PyErr_NoMemory();
#define CV_COPY(name)                                                                           \
    for (const PyMethodDef *m = cv_methods_##name; m->ml_name; m++) g_methods[k++] = *m;
        CV_FAMILIES(CV_COPY)
#undef CV_COPY
        cvnn_module.m_methods = g_methods;
    }
    if (apply_environment() < 0) return NULL;
    return PyModule_Create(&cvnn_module);
}
