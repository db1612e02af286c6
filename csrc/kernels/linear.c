/* linear.c: the CS231n A1 linear classifier losses (multiclass SVM and softmax on scores
 * X @ W, plus reg * sum(W * W)), naive and vectorised, float32 and float64 from linear.inc. */
#include "cvnn.h"

#include <math.h>

#define T float
#define SFX(name) name##_f32
#include "linear.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "linear.inc"
#undef T
#undef SFX
