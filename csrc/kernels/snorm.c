/* snorm.c: spatial batch normalisation and group normalisation on NCHW, float32 and float64
 * from snorm.inc. Statistics are accumulated in double whatever the dtype. */
#include "cvnn.h"

#include <math.h>

#include "parallel.h"

#define T float
#define SFX(name) name##_f32
#include "snorm.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "snorm.inc"
#undef T
#undef SFX
