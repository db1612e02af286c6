/* norm.c: batch and layer normalisation over (N,D) arrays, float32 and float64 from norm.inc.
 *
 * Work on the batch axis (batch statistics, dgamma, dbeta) is done in blocks of NORM_BLOCK
 * features: for each block, rows are read in order and each feature accumulates in a double on
 * the stack. OpenMP (above cv_threads_for's threshold) hands whole blocks to threads, so every
 * feature is summed by one thread in row order and the results are bitwise the same for any
 * thread count. Per-sample work (layer norm) is split over rows, which are independent. */
#include "cvnn.h"

#include <math.h>

/* features per block: a few double accumulators of this length live on the stack */
#define NORM_BLOCK 64

static int64_t norm_blocks(int64_t D) { return (D + NORM_BLOCK - 1) / NORM_BLOCK; }

#define T float
#define SFX(name) name##_f32
#include "norm.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "norm.inc"
#undef T
#undef SFX
