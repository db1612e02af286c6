/* gemm.c: C = alpha * op(A) @ op(B) + beta * C for float32 and float64, row-major, with a path
 * per ISA chosen at run time (cv_isa_active). */
#include "cvnn.h"

#ifdef CVNN_OPENMP
#include <omp.h>
#endif

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CV_HAVE_X86 1
#define CV_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define CV_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#else
#define CV_HAVE_X86 0
#endif

/* one include per (dtype, ISA) */
#define T float
#define GEMM_ROWS gemm_rows_f32_generic
#define CV_TARGET
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#if CV_HAVE_X86
#define GEMM_ROWS gemm_rows_f32_avx2
#define CV_TARGET CV_TARGET_AVX2
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#define GEMM_ROWS gemm_rows_f32_avx512
#define CV_TARGET CV_TARGET_AVX512
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#endif
#undef T

#define T double
#define GEMM_ROWS gemm_rows_f64_generic
#define CV_TARGET
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#if CV_HAVE_X86
#define GEMM_ROWS gemm_rows_f64_avx2
#define CV_TARGET CV_TARGET_AVX2
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#define GEMM_ROWS gemm_rows_f64_avx512
#define CV_TARGET CV_TARGET_AVX512
#include "gemm.inc"
#undef GEMM_ROWS
#undef CV_TARGET
#endif
#undef T

/* The driver, once per dtype: pick the ISA's row kernel, split rows of C over threads. */
#define CV_GEMM_DRIVER(T, SFXNAME)                                                              \
    int cv_gemm_##SFXNAME(int transA, int transB, int64_t M, int64_t N, int64_t K, T alpha,    \
                          const T *A, int64_t lda, const T *B, int64_t ldb, T beta, T *C,      \
                          int64_t ldc)                                                          \
    {                                                                                           \
        void (*rows)(int, int, int64_t, int64_t, int64_t, int64_t, T, const T *, int64_t,      \
                     const T *, int64_t, T, T *, int64_t) = gemm_rows_##SFXNAME##_generic;      \
        if (M <= 0 || N <= 0) return CV_OK;                                                     \
        if (CV_HAVE_X86_DISPATCH) {                                                             \
            cv_isa_t isa = cv_isa_active();                                                     \
            CV_PICK_##SFXNAME(isa);                                                             \
        }                                                                                       \
        int nt = cv_threads_for(2.0 * (double)M * (double)N * (double)K);                      \
        if (nt > M) nt = (int)M;                                                                \
        if (nt <= 1) {                                                                          \
            rows(transA, transB, 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);             \
            return CV_OK;                                                                       \
        }                                                                                       \
        CV_GEMM_PARALLEL                                                                        \
        return CV_OK;                                                                           \
    }

#if CV_HAVE_X86
#define CV_HAVE_X86_DISPATCH 1
#define CV_PICK_f32(isa)                                                                       \
    if (isa == CV_ISA_AVX512) rows = gemm_rows_f32_avx512;                                     \
    else if (isa == CV_ISA_AVX2) rows = gemm_rows_f32_avx2;
#define CV_PICK_f64(isa)                                                                       \
    if (isa == CV_ISA_AVX512) rows = gemm_rows_f64_avx512;                                     \
    else if (isa == CV_ISA_AVX2) rows = gemm_rows_f64_avx2;
#else
#define CV_HAVE_X86_DISPATCH 0
#define CV_PICK_f32(isa) (void)isa;
#define CV_PICK_f64(isa) (void)isa;
#endif

#ifdef CVNN_OPENMP
/* Static chunks of rows: each row of C is computed by exactly one thread, in a fixed order. */
#define CV_GEMM_PARALLEL                                                                       \
    _Pragma("omp parallel for num_threads(nt) schedule(static)")                               \
    for (int t = 0; t < nt; t++) {                                                              \
        int64_t i0 = M * t / nt, i1 = M * (t + 1) / nt;                                          \
        rows(transA, transB, i0, i1, N, K, alpha, A, lda, B, ldb, beta, C, ldc);               \
    }
#else
#define CV_GEMM_PARALLEL rows(transA, transB, 0, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
#endif

CV_GEMM_DRIVER(float, f32)
CV_GEMM_DRIVER(double, f64)
