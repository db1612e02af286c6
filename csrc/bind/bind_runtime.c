/* bind_runtime.c: ISA path, threads, workspace statistics. */
#include "args.h"

static PyObject *py_get_isa(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyUnicode_FromString(cv_isa_name(cv_isa_active()));
}

static PyObject *py_best_isa(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyUnicode_FromString(cv_isa_name(cv_isa_best()));
}

static PyObject *py_set_isa(PyObject *self, PyObject *args)
{
    const char *name;
    cv_isa_t isa;
    (void)self;
    if (!PyArg_ParseTuple(args, "s", &name)) return NULL;
    if (cv_isa_from_name(name, &isa) != CV_OK) {
        PyErr_Format(PyExc_ValueError, "set_isa: unknown ISA '%s'; use generic, avx2 or avx512", name);
        return NULL;
    }
    if (cv_isa_set(isa) != CV_OK) {
        PyErr_Format(PyExc_ValueError, "set_isa: '%s' is not supported by this CPU (best: %s)",
                     name, cv_isa_name(cv_isa_best()));
        return NULL;
    }
    Py_RETURN_NONE;
}

static PyObject *py_get_num_threads(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyLong_FromLong(cv_get_num_threads());
}

static PyObject *py_set_num_threads(PyObject *self, PyObject *args)
{
    int n;
    (void)self;
    if (!PyArg_ParseTuple(args, "i", &n)) return NULL;
    if (n < 1) {
        PyErr_Format(PyExc_ValueError, "set_num_threads: n must be >= 1, got %d", n);
        return NULL;
    }
    cv_set_num_threads(n);
    return PyLong_FromLong(cv_get_num_threads());
}

static PyObject *py_have_openmp(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyBool_FromLong(cv_have_openmp());
}

static PyObject *py_workspace_bytes(PyObject *self, PyObject *noargs)
{
    (void)self; (void)noargs;
    return PyLong_FromSize_t(cv_ws_bytes_reserved());
}

PyMethodDef cv_methods_runtime[] = {
    {"get_isa", py_get_isa, METH_NOARGS, "The ISA path the kernels use now."},
    {"best_isa", py_best_isa, METH_NOARGS, "The best ISA path this CPU supports."},
    {"set_isa", py_set_isa, METH_VARARGS, "set_isa(name): force 'generic', 'avx2' or 'avx512'."},
    {"get_num_threads", py_get_num_threads, METH_NOARGS, "Threads the kernels may use."},
    {"set_num_threads", py_set_num_threads, METH_VARARGS, "set_num_threads(n)"},
    {"have_openmp", py_have_openmp, METH_NOARGS, "Whether the build has OpenMP."},
    {"workspace_bytes", py_workspace_bytes, METH_NOARGS, "Bytes held by the scratch workspace."},
    {NULL, NULL, 0, NULL},
};
