/* dropout.c: inverted dropout, float32 and float64 from dropout.inc. The uniform numbers come
 * from NumPy's RNG in Python (so np.random.seed reproduces CS231n's masks); the kernel does the
 * thresholding, scaling and multiply. */
#include "cvnn.h"

#define T float
#define SFX(name) name##_f32
#include "dropout.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "dropout.inc"
#undef T
#undef SFX
