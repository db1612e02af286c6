/* pool.c: max pooling, float32 and float64 from pool.inc. */
#include "cvnn.h"

#include "parallel.h"

#define T float
#define SFX(name) name##_f32
#include "pool.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "pool.inc"
#undef T
#undef SFX
