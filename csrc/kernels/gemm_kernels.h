/* gemm_kernels.h: the register-blocked micro-kernels of the packed GEMM, one per (dtype, ISA),
 * and the FMA loops that measure a core's peak. gemm.c drives them; gemm_avx512.c and
 * gemm_avx2.c define the SIMD ones (each function carries its own target attribute).
 *
 * Micro-kernel contract: a is an MR-row panel packed k-major (a[k*MR + r] = op(A)[i0+r, k]),
 * b an NR-column panel packed k-major (b[k*NR + j] = op(B)[k, j0+j]), both zero-padded, K >= 1.
 * It writes the MR x NR tile c (row stride ldc):  c = alpha * (a b) + beta * c, where beta == 0
 * never reads c (NaN/Inf there are overwritten). The result is computed as alpha*acc, then
 * + beta*c as a separate multiply and add, so every path rounds the same way. */
#ifndef CVNN_GEMM_KERNELS_H
#define CVNN_GEMM_KERNELS_H

#include "cvnn.h"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define CV_GEMM_X86 1
#define CV_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define CV_TARGET_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx512bw,avx2,fma")))
#else
#define CV_GEMM_X86 0
#endif

/* register blocks (rows of A x columns of B per micro-tile) */
#define CV_GEMM_MR_F32_AVX512 14
#define CV_GEMM_NR_F32_AVX512 32
#define CV_GEMM_MR_F64_AVX512 14
#define CV_GEMM_NR_F64_AVX512 16
#define CV_GEMM_MR_F32_AVX2 6
#define CV_GEMM_NR_F32_AVX2 16
#define CV_GEMM_MR_F64_AVX2 6
#define CV_GEMM_NR_F64_AVX2 8

#define CV_GEMM_UKR_DECL(T, name)                                                             \
    void name(int64_t K, const T *restrict a, const T *restrict b, T *restrict c, int64_t ldc, \
              T alpha, T beta)

/* The same for a partial tile: only rows x cols (rows <= MR, cols <= NR) of c are read or
 * written, and only cols columns of b, whose k-th row is at b + k*bstride (NR when packed;
 * ldb when B is read in place); a is still a full MR-row panel. */
#define CV_GEMM_UKR_EDGE_DECL(T, name)                                                        \
    void name(int64_t K, const T *restrict a, const T *restrict b, int64_t bstride,           \
              T *restrict c, int64_t ldc, T alpha, T beta, int rows, int cols)

/* The edge kernel with A read in place from row-major storage instead of a packed panel: row r
 * of the tile, column k, at a[r*lda + k]. With B in place too (bstride = ldb), a small product
 * needs no packing at all. Same arithmetic as the packed kernels, so the same results. */
#define CV_GEMM_UKR_ROWA_DECL(T, name)                                                        \
    void name(int64_t K, const T *restrict a, int64_t lda, const T *restrict b,               \
              int64_t bstride, T *restrict c, int64_t ldc, T alpha, T beta, int rows, int cols)

/* Packing of R rows stored ld apart into one panel of width W >= R: dst[k*W + r] =
 * src[r*ld + k] for r < R and 0 for R <= r < W, k < kc. A from row-major storage and B from
 * transposed storage both need it (W <= 32 for f32, <= 16 for f64). */
#define CV_GEMM_INTERLEAVE_DECL(T, name)                                                      \
    void name(T *restrict dst, const T *restrict src, int64_t ld, int64_t kc, int R, int W)

#if CV_GEMM_X86
CV_GEMM_INTERLEAVE_DECL(float, cv_gemm_interleave_f32_avx512);
CV_GEMM_INTERLEAVE_DECL(double, cv_gemm_interleave_f64_avx512);
CV_GEMM_UKR_EDGE_DECL(float, cv_gemm_ukr_edge_f32_avx512);
CV_GEMM_UKR_EDGE_DECL(double, cv_gemm_ukr_edge_f64_avx512);
CV_GEMM_UKR_ROWA_DECL(float, cv_gemm_ukr_rowa_f32_avx512);
CV_GEMM_UKR_ROWA_DECL(double, cv_gemm_ukr_rowa_f64_avx512);
CV_GEMM_UKR_DECL(float, cv_gemm_ukr_f32_avx512);
CV_GEMM_UKR_DECL(double, cv_gemm_ukr_f64_avx512);
CV_GEMM_UKR_DECL(float, cv_gemm_ukr_f32_avx2);
CV_GEMM_UKR_DECL(double, cv_gemm_ukr_f64_avx2);

/* iters rounds of 12 independent FMA chains on full vectors; returns a value that depends on
 * every chain (so the loop is not optimised away). Flops = iters * 12 * lanes * 2. */
double cv_gemm_fma_loop_f32_avx512(int64_t iters);
double cv_gemm_fma_loop_f64_avx512(int64_t iters);
double cv_gemm_fma_loop_f32_avx2(int64_t iters);
double cv_gemm_fma_loop_f64_avx2(int64_t iters);

/* The body of the FMA-peak loops, for a SIMD file that has defined VEC, LANES, SET1, FMA, ADD and
 * STORE: 12 independent chains x = x*m + d (enough to fill two pipes of 4-cycle FMAs), then
 * their sum. */
#define CV_FMA_LOOP(T)                                                                         \
    VEC x[12], m = SET1((T)0.999999), d = SET1((T)1e-3);                                       \
    T out[LANES], s = 0;                                                                       \
    for (int i = 0; i < 12; i++) x[i] = SET1((T)i);                                            \
    for (int64_t it = 0; it < iters; it++)                                                     \
        for (int i = 0; i < 12; i++) x[i] = FMA(x[i], m, d);                                   \
    for (int i = 1; i < 12; i++) x[0] = ADD(x[0], x[i]);                                       \
    STORE(out, x[0]);                                                                          \
    for (int i = 0; i < LANES; i++) s += out[i];                                               \
    return s;
#endif

#endif
