/* conv.c: 2-D convolution, float32 and float64 from conv.inc. Two versions side by side: the
 * direct loops (the "naive" reference the notebooks time) and im2col + GEMM (the fast path). */
#include "cvnn.h"

#include "parallel.h"

/* Column buffers of one chunk of images stay below this many bytes; the chunk size depends on
 * the shape only (never on the thread count), so sums over chunks are reproducible. */
#define CV_CONV_CHUNK_BYTES ((double)(8 << 20))
/* One image's columns above this are refused (CV_ENOMEM) before any allocation is tried. */
#define CV_CONV_MAX_BYTES 1e14

/* Images per chunk: as many as fit CV_CONV_CHUNK_BYTES with per_image bytes each, >= 1. */
static int64_t conv_chunk(double per_image, int64_t N)
{
    double nb = per_image > 0 ? CV_CONV_CHUNK_BYTES / per_image : (double)N;
    if (nb < 1) return 1;
    return nb >= (double)N ? N : (int64_t)nb;
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
