/* loss.c: softmax and SVM losses on scores, float32 and float64 from loss.inc. */
#include "cvnn.h"

#include <math.h>

#define T float
#define SFX(name) name##_f32
#include "loss.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "loss.inc"
#undef T
#undef SFX
