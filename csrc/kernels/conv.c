/* conv.c: 2-D convolution, float32 and float64 from conv.inc. Two versions side by side: the
 * direct loops (the "naive" reference the notebooks time) and im2col + GEMM (the fast path). */
#define _GNU_SOURCE
#include "cvnn.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h> /* sysconf */
#endif

#include "parallel.h"

/* Column buffers of one chunk of images stay below this many bytes (small enough to stay in
 * cache between im2col and the GEMM); the chunk size depends on the shape only (never on the
 * thread count), so sums over chunks are reproducible. */
#define CV_CONV_CHUNK_BYTES ((double)(8 << 20))

/* One image's columns above this are refused (CV_ENOMEM) before any allocation is tried: half
 * the physical memory where it is known. With overcommit a huge allocation may "succeed" and
 * the process die when the pages are touched, so the malloc result alone is no guard. */
static double conv_max_bytes(void)
{
    double lim = 1e14;
#if defined(_SC_PHYS_PAGES) && defined(_SC_PAGESIZE)
    long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
    if (pages > 0 && psize > 0 && 0.5 * (double)pages * (double)psize < lim)
        lim = 0.5 * (double)pages * (double)psize;
#endif
    return lim;
}
#define CV_CONV_MAX_BYTES conv_max_bytes()

/* Images per chunk: as many as fit CV_CONV_CHUNK_BYTES with per_image bytes each, >= 1. */
static int64_t conv_chunk(double per_image, int64_t N)
{
    double nb = per_image > 0 ? CV_CONV_CHUNK_BYTES / per_image : (double)N;
    if (nb < 1) return 1;
    return nb >= (double)N ? N : (int64_t)nb;
}

/* The one-image-at-a-time path (conv.inc, conv_forward_fused) runs when one image's columns
 * take at most this many bytes (about the 1 MiB L2 of a Zen 4 core), so that they are still in
 * cache when the GEMM reads them, and the backward's per-group dw partials stay small.
 * Measured on the EPYC (bench_conv.py, bench_conv_train.py, 1 thread): the 25x27x256 CS231n
 * shape, the 32x147x1024 ThreeLayerConvNet layer and the 128x1152x256 layer all run faster this
 * way than in chunks of images; the 256x2304x64 layer's backward did not (its partials were
 * 75 MB, hence the second limit). */
#define CV_CONV_FUSED_BYTES ((double)(5 << 18))
#define CV_CONV_PARTIAL_BYTES ((double)(4 << 20))
/* Images per partial sum of dw in the fused backward: a constant, so the order of the sum
 * depends on N only. */
#define CV_CONV_GROUP 4

static double g_fused_bytes = CV_CONV_FUSED_BYTES;

double cv_conv_fused_bytes(double limit)
{
    double before = g_fused_bytes;
    if (limit == limit) g_fused_bytes = limit; /* NaN: only read it */
    return before;
}

static int conv_fused(double cols_bytes, double partial_bytes)
{
    return cols_bytes <= g_fused_bytes && partial_bytes <= CV_CONV_PARTIAL_BYTES;
}

#define T float
#define SFX(name) name##_f32
#include "conv.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "conv.inc"
#undef T
#undef SFX
