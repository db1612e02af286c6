/* outbuf.c: memory for the arrays the kernels return.
 *
 * Every call returns new arrays (the CS231n API), and a training step allocates and frees the
 * same large sizes again and again. From malloc, each large block is a fresh mmap whose pages
 * fault in on first touch: a DeepConvNet step spent 10-15% of its time in the kernel's page
 * fault handler. So output arrays of at least CV_OUTBUF_MIN bytes are created with a NumPy
 * memory handler (NumPy >= 1.22, PyDataMem_SetHandler) that keeps freed blocks in a small
 * cache and hands them out again for a request of about the same size (at most 1/8 larger).
 * The cache holds at most CV_OUTBUF_SLOTS blocks and min(1 GiB, 1/16 of the physical memory)
 * in all; to make room for a freed block it frees the blocks freed longest ago. Only arrays created here use the handler (NumPy records the handler
 * in each array, so it also frees them here); everything else NumPy allocates is untouched. */
#include "args.h" /* Python.h first: it sets _POSIX_C_SOURCE, so posix_memalign is declared */

#include <stdlib.h>
#include <string.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h> /* sysconf */
#endif

#define CV_OUTBUF_MIN ((size_t)1 << 18)          /* 256 KiB: below, NumPy's own allocation */
#define CV_OUTBUF_SLOTS 64
#define CV_OUTBUF_MAX_BYTES ((size_t)1 << 30)    /* freed blocks kept: at most 1 GiB ... */
#define CV_OUTBUF_HEAD 64                        /* header before each block: 64-byte aligned data */

typedef struct {
    void *base; /* what posix_memalign returned */
    size_t n;   /* usable bytes after the header */
} cv_blk_t;

static cv_blk_t g_free[CV_OUTBUF_SLOTS];
static int g_nfree;
static size_t g_free_bytes;
static long long g_hits, g_misses;
static char g_lock; /* spinlock: the sections are a few dozen instructions */
static size_t g_max_bytes = CV_OUTBUF_MAX_BYTES; /* ... and 1/16 of the physical memory */

static void lock(void)
{
    while (__atomic_test_and_set(&g_lock, __ATOMIC_ACQUIRE)) {
    }
}

static void unlock(void) { __atomic_clear(&g_lock, __ATOMIC_RELEASE); }

/* A block of at least n usable bytes: a cached one of n..n + n/8 bytes (the smallest), or new. */
static void *outbuf_malloc(void *ctx, size_t n)
{
    (void)ctx;
    if (n == 0) n = 1;
    if (n >= CV_OUTBUF_MIN) {
        int best = -1;
        lock();
        for (int i = 0; i < g_nfree; i++)
            if (g_free[i].n >= n && g_free[i].n - n <= n / 8 &&
                (best < 0 || g_free[i].n < g_free[best].n))
                best = i;
        if (best >= 0) {
            cv_blk_t b = g_free[best];
            memmove(g_free + best, g_free + best + 1, (size_t)(g_nfree - best - 1) * sizeof(cv_blk_t));
            g_nfree--;
            g_free_bytes -= b.n;
            g_hits++;
            unlock();
            return (char *)b.base + CV_OUTBUF_HEAD;
        }
        g_misses++;
        unlock();
    }
    void *base = NULL;
    if (n > (size_t)-1 - CV_OUTBUF_HEAD || posix_memalign(&base, CV_OUTBUF_HEAD, n + CV_OUTBUF_HEAD))
        return NULL;
    *(size_t *)base = n;
    return (char *)base + CV_OUTBUF_HEAD;
}

static void outbuf_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size; /* NumPy's idea of the size; the header has the block's */
    if (!p) return;
    void *base = (char *)p - CV_OUTBUF_HEAD;
    size_t n = *(size_t *)base;
    if (n >= CV_OUTBUF_MIN && n <= g_max_bytes) {
        /* keep it; make room by freeing the oldest blocks (the cache is in freeing order, so
         * sizes a workload stopped using leave first) */
        void *evict[CV_OUTBUF_SLOTS];
        int ne = 0;
        lock();
        while (g_nfree > 0 && (g_nfree == CV_OUTBUF_SLOTS || g_free_bytes + n > g_max_bytes)) {
            evict[ne++] = g_free[0].base;
            g_free_bytes -= g_free[0].n;
            memmove(g_free, g_free + 1, (size_t)(--g_nfree) * sizeof(cv_blk_t));
        }
        g_free[g_nfree].base = base;
        g_free[g_nfree].n = n;
        g_nfree++;
        g_free_bytes += n;
        unlock();
        for (int i = 0; i < ne; i++) free(evict[i]);
        return;
    }
    free(base);
}

static void *outbuf_calloc(void *ctx, size_t nelem, size_t elsize)
{
    if (elsize && nelem > (size_t)-1 / elsize) return NULL;
    void *p = outbuf_malloc(ctx, nelem * elsize);
    if (p) memset(p, 0, nelem * elsize);
    return p;
}

static void *outbuf_realloc(void *ctx, void *p, size_t n)
{
    if (!p) return outbuf_malloc(ctx, n);
    size_t old = *(size_t *)((char *)p - CV_OUTBUF_HEAD);
    void *q = outbuf_malloc(ctx, n);
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    outbuf_free(ctx, p, old);
    return q;
}

static PyDataMem_Handler g_handler = {
    "cvnn_outbuf", 1, {NULL, outbuf_malloc, outbuf_calloc, outbuf_realloc, outbuf_free}};
static PyObject *g_capsule; /* kept for the life of the process: arrays hold references */

int cv_outbuf_init(void)
{
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0 && (double)pages * (double)psize / 16 < (double)g_max_bytes)
        g_max_bytes = (size_t)((double)pages * (double)psize / 16);
#endif
    if (!g_capsule) g_capsule = PyCapsule_New(&g_handler, "mem_handler", NULL);
    return g_capsule ? 0 : -1;
}

PyArrayObject *cv_empty(int ndim, const npy_intp *dims, int typenum)
{
    PyArray_Descr *d = PyArray_DescrFromType(typenum);
    if (!d) return NULL;
    size_t bytes = (size_t)PyDataType_ELSIZE(d);
    Py_DECREF(d);
    for (int i = 0; i < ndim; i++) bytes *= (size_t)dims[i];
    if (bytes < CV_OUTBUF_MIN || !g_capsule)
        return (PyArrayObject *)PyArray_EMPTY(ndim, (npy_intp *)dims, typenum, 0);
    PyObject *old = PyDataMem_SetHandler(g_capsule);
    if (!old) return NULL;
    PyArrayObject *a = (PyArrayObject *)PyArray_EMPTY(ndim, (npy_intp *)dims, typenum, 0);
    PyObject *back = PyDataMem_SetHandler(old);
    Py_DECREF(old);
    if (!back) {
        Py_XDECREF(a);
        return NULL;
    }
    Py_DECREF(back);
    return a;
}

/* the cache's state and limits, for tests and diagnostics */
static PyObject *py_outbuf_stats(PyObject *self, PyObject *noargs)
{
    (void)self;
    (void)noargs;
    lock();
    int nb = g_nfree;
    size_t bytes = g_free_bytes;
    long long hits = g_hits, misses = g_misses;
    unlock();
    return Py_BuildValue("{s:i,s:n,s:n,s:L,s:L,s:n}", "cached_blocks", nb, "cached_bytes",
                         (Py_ssize_t)bytes, "max_bytes", (Py_ssize_t)g_max_bytes, "hits", hits,
                         "misses", misses, "min_bytes", (Py_ssize_t)CV_OUTBUF_MIN);
}

PyMethodDef cv_methods_outbuf[] = {
    {"outbuf_stats", py_outbuf_stats, METH_NOARGS,
     "outbuf_stats() -> {cached_blocks, cached_bytes, max_bytes, hits, misses, min_bytes} of "
     "the cache of freed output arrays (internal)"},
    {NULL, NULL, 0, NULL},
};
