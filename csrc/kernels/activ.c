/* activ.c: element-wise activations, float32 and float64 from activ.inc. */
#include "cvnn.h"

#define T float
#define SFX(name) name##_f32
#include "activ.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "activ.inc"
#undef T
#undef SFX
