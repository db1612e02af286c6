/* affine.c: the fully connected layer, float32 and float64 from affine.inc. */
#include "cvnn.h"

#define T float
#define SFX(name) name##_f32
#include "affine.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "affine.inc"
#undef T
#undef SFX
