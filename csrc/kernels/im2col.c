/* im2col.c: image <-> column-matrix rearrangement for the GEMM-backed convolution and pooling,
 * float32 and float64 from im2col.inc. Kept apart from conv.c so that each step is testable. */
#include "cvnn.h"

#include <string.h> /* memcpy */

/* First and one-past-last output column ow whose input column ow*s + j - pad lies in [0, W). */
static inline void cv_valid_range(int64_t j, int64_t pad, int64_t s, int64_t W, int64_t Wo,
                                  int64_t *lo, int64_t *hi)
{
    int64_t a = pad - j; /* need ow*s >= a */
    int64_t l = a <= 0 ? 0 : (a + s - 1) / s;
    int64_t b = W - 1 + pad - j; /* need ow*s <= b */
    int64_t h = b < 0 ? 0 : b / s + 1;
    if (h > Wo) h = Wo;
    if (l > h) l = h;
    *lo = l;
    *hi = h;
}

#define T float
#define SFX(name) name##_f32
#include "im2col.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "im2col.inc"
#undef T
#undef SFX
