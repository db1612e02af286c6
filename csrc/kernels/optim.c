/* optim.c: the element-wise parameter updates of cvnn.optim, float32 and float64 from
 * optim.inc. The Python side owns the hyperparameters and the step count; these loops only do
 * the arithmetic, updating the optimizer state arrays in place. */
#include <math.h>

#include "cvnn.h"

#define T float
#define SFX(name) name##_f32
#define SQRT sqrtf
#include "optim.inc"
#undef T
#undef SFX
#undef SQRT
#define T double
#define SFX(name) name##_f64
#define SQRT sqrt
#include "optim.inc"
#undef T
#undef SFX
#undef SQRT
