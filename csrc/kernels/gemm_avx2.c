/* gemm_avx2.c: AVX2+FMA micro-kernels of the packed GEMM (see gemm_kernels.h for the contract).
 *
 * f32 6x16 and f64 6x8: 12 accumulators of one ymm each, two ymm of B per k and one broadcast
 * of A at a time, 15 of the 16 ymm registers. */
#include "gemm_kernels.h"

#if CV_GEMM_X86
#include <immintrin.h>

#define MR 6

/* The accumulators are named variables, c<r>0 and c<r>1 for row r, not an array: GCC then
 * keeps every one of them in a register instead of spilling some to the stack. */
#define CV_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5)
#define CV_DECL(r) VEC c##r##0 = ZERO(), c##r##1 = ZERO();
#define CV_FMA(r) { VEC a_r = SET1(a[r]); c##r##0 = FMA(a_r, b0, c##r##0); c##r##1 = FMA(a_r, b1, c##r##1); }
#define CV_PREF(r) _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);
#define CV_STEP b0 = LOAD(b); b1 = LOAD(b + LANES); CV_ROWS(CV_FMA) a += MR; b += 2 * LANES;
/* c = alpha*acc, or alpha*acc + beta*c (separate multiply and add, as the other paths) */
#define CV_ST0(r) STORE(c + r * ldc, MUL(va, c##r##0)); STORE(c + r * ldc + LANES, MUL(va, c##r##1));
#define CV_ST1(r)                                                                              \
    STORE(c + r * ldc, ADD(MUL(va, c##r##0), MUL(vb, LOAD(c + r * ldc))));                     \
    STORE(c + r * ldc + LANES, ADD(MUL(va, c##r##1), MUL(vb, LOAD(c + r * ldc + LANES))));

/* The body is the same for both dtypes: only the vector type and intrinsics differ. */
#define CV_UKR_BODY                                                                            \
    VEC b0, b1;                                                                                \
    CV_ROWS(CV_DECL)                                                                           \
    CV_ROWS(CV_PREF)                                                                           \
    int64_t k = 0;                                                                             \
    for (; k + 4 <= K; k += 4) {                                                               \
        _mm_prefetch((const char *)(b + 16 * LANES), _MM_HINT_T0);                             \
        CV_STEP CV_STEP CV_STEP CV_STEP                                                        \
    }                                                                                          \
    for (; k < K; k++) { CV_STEP }                                                             \
    VEC va = SET1(alpha);                                                                      \
    if (beta == 0) {                                                                           \
        CV_ROWS(CV_ST0)                                                                        \
    } else {                                                                                   \
        VEC vb = SET1(beta);                                                                   \
        CV_ROWS(CV_ST1)                                                                        \
    }

#define T float
#define VEC __m256
#define LANES 8
#define FMA _mm256_fmadd_ps
#define MUL _mm256_mul_ps
#define ADD _mm256_add_ps
#define SET1 _mm256_set1_ps
#define ZERO _mm256_setzero_ps
#define LOAD _mm256_loadu_ps
#define STORE _mm256_storeu_ps
CV_TARGET_AVX2 CV_GEMM_UKR_DECL(float, cv_gemm_ukr_f32_avx2) { CV_UKR_BODY }
CV_TARGET_AVX2 double cv_gemm_fma_loop_f32_avx2(int64_t iters) { CV_FMA_LOOP(float) }
#undef T
#undef VEC
#undef LANES
#undef FMA
#undef MUL
#undef ADD
#undef SET1
#undef ZERO
#undef LOAD
#undef STORE

#define T double
#define VEC __m256d
#define LANES 4
#define FMA _mm256_fmadd_pd
#define MUL _mm256_mul_pd
#define ADD _mm256_add_pd
#define SET1 _mm256_set1_pd
#define ZERO _mm256_setzero_pd
#define LOAD _mm256_loadu_pd
#define STORE _mm256_storeu_pd
CV_TARGET_AVX2 CV_GEMM_UKR_DECL(double, cv_gemm_ukr_f64_avx2) { CV_UKR_BODY }
CV_TARGET_AVX2 double cv_gemm_fma_loop_f64_avx2(int64_t iters) { CV_FMA_LOOP(double) }
#endif
