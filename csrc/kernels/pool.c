/* pool.c: max pooling, float32 and float64 from pool.inc. */
#include "cvnn.h"

#ifdef CVNN_OPENMP
#include <omp.h>
#define CV_PFOR _Pragma("omp parallel for num_threads(nt) schedule(static) if(nt > 1)")
#else
#define CV_PFOR
#endif

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
