/* workspace.c: grow-only, 64-byte aligned scratch buffers for hot paths (GEMM packing panels,
 * im2col columns). A few slots, each owned by one caller at a time through an atomic flag, so
 * two Python threads running kernels with the GIL released never share a buffer. Freed only at
 * module teardown. */
#define _GNU_SOURCE
#include "cvnn.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* Inside a conv's per-image loop every thread holds two slots (its columns and its GEMM's
 * packing buffers) besides the caller's few: 64 keep that allocation-free up to ~30 threads.
 * Slots are taken first-free, so only as many as are ever held at once get memory. */
#define CV_WS_SLOTS 64
#define CV_WS_ALIGN 64
#define CV_HUGE (2u << 20)

typedef struct {
    void *ptr;
    size_t size;
    int busy; /* accessed with __atomic builtins */
} cv_slot_t;

static cv_slot_t g_slots[CV_WS_SLOTS];

static void *aligned_big_alloc(size_t bytes)
{
    size_t align = bytes >= CV_HUGE ? CV_HUGE : CV_WS_ALIGN;
    void *p = NULL;
    bytes = (bytes + align - 1) / align * align;
    if (posix_memalign(&p, align, bytes) != 0) return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= CV_HUGE) madvise(p, bytes, MADV_HUGEPAGE);
#endif
    return p;
}

void *cv_ws_acquire(cv_ws_t *ws, size_t bytes)
{
    if (bytes == 0) bytes = CV_WS_ALIGN;
    for (int i = 0; i < CV_WS_SLOTS; i++) {
        int expected = 0;
        if (__atomic_compare_exchange_n(&g_slots[i].busy, &expected, 1, 0, __ATOMIC_ACQUIRE,
                                        __ATOMIC_RELAXED)) {
            cv_slot_t *s = &g_slots[i];
            if (s->size < bytes) {
                /* grow by at least 1.5x so a slowly growing batch does not reallocate each call */
                size_t want = bytes > s->size + s->size / 2 ? bytes : s->size + s->size / 2;
                void *p = aligned_big_alloc(want);
                if (!p) {
                    __atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
                    ws->ptr = NULL;
                    ws->slot = -1;
                    return NULL;
                }
                free(s->ptr);
                s->ptr = p;
                s->size = want;
            }
            ws->ptr = s->ptr;
            ws->slot = i;
            return ws->ptr;
        }
    }
    ws->ptr = aligned_big_alloc(bytes); /* every slot busy: a private buffer */
    ws->slot = -1;
    return ws->ptr;
}

void cv_ws_release(cv_ws_t *ws)
{
    if (ws->slot >= 0)
        __atomic_store_n(&g_slots[ws->slot].busy, 0, __ATOMIC_RELEASE);
    else
        free(ws->ptr);
    ws->ptr = NULL;
    ws->slot = -1;
}

void cv_ws_free_all(void)
{
    for (int i = 0; i < CV_WS_SLOTS; i++) {
        if (!g_slots[i].busy) {
            free(g_slots[i].ptr);
            g_slots[i].ptr = NULL;
            g_slots[i].size = 0;
        }
    }
}

size_t cv_ws_bytes_reserved(void)
{
    size_t total = 0;
    for (int i = 0; i < CV_WS_SLOTS; i++) total += g_slots[i].size;
    return total;
}
