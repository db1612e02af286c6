/* gemm_avx512.c: AVX-512 micro-kernels of the packed GEMM (see gemm_kernels.h for the contract).
 *
 * f32 14x32 and f64 14x16: 28 accumulators of one zmm each, two zmm of B per k, and the 14
 * values of A broadcast straight from memory into the FMAs ({1toN} operands), so 30 of the 32
 * zmm registers hold data. The accumulators are named variables (c<r>0, c<r>1 for row r), not an
 * array, and each row's two FMAs are one asm statement with the broadcast as a memory operand:
 * written with intrinsics, GCC 12 hoists the broadcasts into registers and spills accumulators.
 *
 * Partial tiles need no temporary: there is a kernel for every row count 1..14 (the A panel
 * keeps its stride of 14 per k), and the columns of B and C are read and written with masked
 * loads and stores, which also lets small products read B in place, unpacked. */
#include "gemm_kernels.h"

#if CV_GEMM_X86
#include <immintrin.h>

#define MR 14
#if MR != CV_GEMM_MR_F32_AVX512 || MR != CV_GEMM_MR_F64_AVX512
#error "gemm_avx512.c is written for 14-row panels"
#endif

/* the first n rows of a tile, as an X-macro list */
#define CV_ROWS1(X) X(0)
#define CV_ROWS2(X) CV_ROWS1(X) X(1)
#define CV_ROWS3(X) CV_ROWS2(X) X(2)
#define CV_ROWS4(X) CV_ROWS3(X) X(3)
#define CV_ROWS5(X) CV_ROWS4(X) X(4)
#define CV_ROWS6(X) CV_ROWS5(X) X(5)
#define CV_ROWS7(X) CV_ROWS6(X) X(6)
#define CV_ROWS8(X) CV_ROWS7(X) X(7)
#define CV_ROWS9(X) CV_ROWS8(X) X(8)
#define CV_ROWS10(X) CV_ROWS9(X) X(9)
#define CV_ROWS11(X) CV_ROWS10(X) X(10)
#define CV_ROWS12(X) CV_ROWS11(X) X(11)
#define CV_ROWS13(X) CV_ROWS12(X) X(12)
#define CV_ROWS14(X) CV_ROWS13(X) X(13)

#define CV_DECL(r) VEC c##r##0 = ZERO(), c##r##1 = ZERO();
/* c<r>0 += a[r] * b0, c<r>1 += a[r] * b1, a[r] broadcast from memory */
#define CV_FMA(r)                                                                              \
    __asm__(FMA_BCAST "%2%{" BCAST "%}, %3, %0\n\t" FMA_BCAST "%2%{" BCAST "%}, %4, %1"        \
            : "+v"(c##r##0), "+v"(c##r##1) : "m"(a[r]), "v"(b0), "v"(b1));
/* the same with A read in place, row-major: row r of the tile is lda elements after row r-1 */
#define CV_FMAR(r)                                                                             \
    __asm__(FMA_BCAST "%2%{" BCAST "%}, %3, %0\n\t" FMA_BCAST "%2%{" BCAST "%}, %4, %1"        \
            : "+v"(c##r##0), "+v"(c##r##1) : "m"(a[(r) * lda]), "v"(b0), "v"(b1));
/* both ends of the tile's row r of C (2*LANES elements: two lines, three when unaligned), to be
 * read or written at the end; when C is far larger than the caches it comes from memory */
#define CV_PREF(r)                                                                             \
    _mm_prefetch((const char *)(c + r * ldc), _MM_HINT_T0);                                    \
    _mm_prefetch((const char *)(c + r * ldc + 2 * LANES - 1), _MM_HINT_T0);
/* c = alpha*acc, or alpha*acc + beta*c (a separate multiply and add, as on the other paths);
 * m0/m1 mask the columns of the two vectors, so nothing past the tile is read or written */
#define CV_ST0(r)                                                                              \
    MSTORE(c + r * ldc, m0, MUL(va, c##r##0));                                                 \
    MSTORE(c + r * ldc + LANES, m1, MUL(va, c##r##1));
#define CV_ST1(r)                                                                              \
    MSTORE(c + r * ldc, m0, ADD(MUL(va, c##r##0), MUL(vb, MLOAD(m0, c + r * ldc))));          \
    MSTORE(c + r * ldc + LANES, m1, ADD(MUL(va, c##r##1), MUL(vb, MLOAD(m1, c + r * ldc + LANES))));

/* The same for tiles of at most LANES columns (one vector of B): half the FMAs of the full
 * kernel, where that one would compute a second vector of masked-off columns. */
#define CV_DECLH(r) VEC c##r##0 = ZERO();
#define CV_FMAH(r)                                                                             \
    __asm__(FMA_BCAST "%1%{" BCAST "%}, %2, %0" : "+v"(c##r##0) : "m"(a[r]), "v"(b0));
#define CV_FMARH(r)                                                                            \
    __asm__(FMA_BCAST "%1%{" BCAST "%}, %2, %0" : "+v"(c##r##0) : "m"(a[(r) * lda]), "v"(b0));
#define CV_ST0H(r) MSTORE(c + r * ldc, m0, MUL(va, c##r##0));
#define CV_ST1H(r) MSTORE(c + r * ldc, m0, ADD(MUL(va, c##r##0), MUL(vb, MLOAD(m0, c + r * ldc))));

/* A kernel over the rows in ROWS (the first n of a 14-row panel), for both dtypes (VEC, LANES,
 * ... set): VARS declares the B vectors, LOADB loads one k-row of them, FMA1 reads A at a[r]
 * (packed; ASTEP = MR) or at a[r*lda] (in place, row-major; ASTEP = 1). */
#define CV_UKR_GEN(fname, ROWS, VARS, LOADB, FMA1, DECL, ST0, ST1, ASTEP)                      \
    CV_TARGET_AVX512 static void fname(int64_t K, const T *restrict a, int64_t lda,            \
                                       const T *restrict b, int64_t bs, T *restrict c,         \
                                       int64_t ldc, T alpha, T beta, MASK m0, MASK m1)         \
    {                                                                                          \
        VARS                                                                                   \
        ROWS(DECL)                                                                             \
        ROWS(CV_PREF)                                                                          \
        int64_t k = 0;                                                                         \
        (void)m1;                                                                              \
        (void)lda;                                                                             \
        for (; k + 4 <= K; k += 4) {                                                           \
            _mm_prefetch((const char *)(b + 8 * bs), _MM_HINT_T0);                             \
            for (int u = 0; u < 4; u++) {                                                      \
                LOADB                                                                          \
                ROWS(FMA1)                                                                     \
                a += ASTEP; b += bs;                                                           \
            }                                                                                  \
        }                                                                                      \
        for (; k < K; k++) {                                                                   \
            LOADB                                                                              \
            ROWS(FMA1)                                                                         \
            a += ASTEP; b += bs;                                                               \
        }                                                                                      \
        VEC va = SET1(alpha);                                                                  \
        if (beta == 0) {                                                                       \
            ROWS(ST0)                                                                          \
        } else {                                                                               \
            VEC vb = SET1(beta);                                                               \
            ROWS(ST1)                                                                          \
        }                                                                                      \
    }

#define CV_B2 VEC b0; VEC b1;
#define CV_LOADB2 b0 = MLOAD(m0, b); b1 = MLOAD(m1, b + LANES);
#define CV_B1 VEC b0;
#define CV_LOADB1 b0 = MLOAD(m0, b);
/* full width (2 vectors) as ukr_<dtype>_r<n>, one vector as ukh_<dtype>_r<n>; the same reading
 * A in place as uar_ and uah_ */
#define CV_UKR_ROWS(SFXNAME, n)                                                                \
    CV_UKR_GEN(ukr_##SFXNAME##_r##n, CV_ROWS##n, CV_B2, CV_LOADB2, CV_FMA, CV_DECL, CV_ST0,    \
               CV_ST1, MR)                                                                     \
    CV_UKR_GEN(ukh_##SFXNAME##_r##n, CV_ROWS##n, CV_B1, CV_LOADB1, CV_FMAH, CV_DECLH,          \
               CV_ST0H, CV_ST1H, MR)                                                           \
    CV_UKR_GEN(uar_##SFXNAME##_r##n, CV_ROWS##n, CV_B2, CV_LOADB2, CV_FMAR, CV_DECL, CV_ST0,   \
               CV_ST1, 1)                                                                      \
    CV_UKR_GEN(uah_##SFXNAME##_r##n, CV_ROWS##n, CV_B1, CV_LOADB1, CV_FMARH, CV_DECLH,         \
               CV_ST0H, CV_ST1H, 1)

/* kernels by row count, full and one-vector wide */
#define CV_UKR_TABLE(name)                                                                     \
    static void (*const name##_by_rows[MR + 1])(int64_t, const T *restrict, int64_t,           \
                                                const T *restrict, int64_t, T *restrict,       \
                                                int64_t, T, T, MASK, MASK) = {                 \
        NULL, name##_r1, name##_r2, name##_r3, name##_r4, name##_r5, name##_r6, name##_r7,     \
        name##_r8, name##_r9, name##_r10, name##_r11, name##_r12, name##_r13, name##_r14};

#define CV_UKR_ALL(SFXNAME)                                                                    \
    CV_UKR_ROWS(SFXNAME, 1) CV_UKR_ROWS(SFXNAME, 2) CV_UKR_ROWS(SFXNAME, 3)                    \
    CV_UKR_ROWS(SFXNAME, 4) CV_UKR_ROWS(SFXNAME, 5) CV_UKR_ROWS(SFXNAME, 6)                    \
    CV_UKR_ROWS(SFXNAME, 7) CV_UKR_ROWS(SFXNAME, 8) CV_UKR_ROWS(SFXNAME, 9)                    \
    CV_UKR_ROWS(SFXNAME, 10) CV_UKR_ROWS(SFXNAME, 11) CV_UKR_ROWS(SFXNAME, 12)                 \
    CV_UKR_ROWS(SFXNAME, 13) CV_UKR_ROWS(SFXNAME, 14)                                          \
    CV_UKR_TABLE(ukr_##SFXNAME) CV_UKR_TABLE(ukh_##SFXNAME)                                    \
    CV_UKR_TABLE(uar_##SFXNAME) CV_UKR_TABLE(uah_##SFXNAME)

/* masks of the first `cols` of the 2*LANES columns */
#define CV_MASKS(cols)                                                                         \
    MASK m0 = (MASK)((cols) >= LANES ? ALL : ((1u << (cols)) - 1u));                           \
    MASK m1 = (MASK)((cols) >= 2 * LANES ? ALL : (cols) <= LANES ? 0u : ((1u << ((cols) - LANES)) - 1u));

/* The exported kernels of one dtype (gemm_kernels.h): the full 14-row tile, partial tiles
 * from a packed A panel, and partial tiles reading A in place. */
#define CV_UKR_ENTRIES(SFXNAME)                                                                \
    CV_TARGET_AVX512 CV_GEMM_UKR_DECL(T, cv_gemm_ukr_##SFXNAME##_avx512)                       \
    {                                                                                          \
        ukr_##SFXNAME##_r14(K, a, MR, b, 2 * LANES, c, ldc, alpha, beta, (MASK)ALL, (MASK)ALL); \
    }                                                                                          \
    CV_TARGET_AVX512 CV_GEMM_UKR_EDGE_DECL(T, cv_gemm_ukr_edge_##SFXNAME##_avx512)             \
    {                                                                                          \
        CV_MASKS(cols)                                                                         \
        (cols <= LANES ? ukh_##SFXNAME##_by_rows : ukr_##SFXNAME##_by_rows)[rows](             \
            K, a, MR, b, bstride, c, ldc, alpha, beta, m0, m1);                                \
    }                                                                                          \
    CV_TARGET_AVX512 CV_GEMM_UKR_ROWA_DECL(T, cv_gemm_ukr_rowa_##SFXNAME##_avx512)             \
    {                                                                                          \
        CV_MASKS(cols)                                                                         \
        (cols <= LANES ? uah_##SFXNAME##_by_rows : uar_##SFXNAME##_by_rows)[rows](             \
            K, a, lda, b, bstride, c, ldc, alpha, beta, m0, m1);                               \
    }

#define T float
#define VEC __m512
#define MASK __mmask16
#define ALL 0xFFFFu
#define LANES 16
#define FMA_BCAST "vfmadd231ps "
#define BCAST "1to16"
#define FMA _mm512_fmadd_ps
#define MUL _mm512_mul_ps
#define ADD _mm512_add_ps
#define SET1 _mm512_set1_ps
#define ZERO _mm512_setzero_ps
#define LOAD _mm512_loadu_ps
#define MLOAD _mm512_maskz_loadu_ps
#define MSTORE _mm512_mask_storeu_ps
#define STORE _mm512_storeu_ps
CV_UKR_ALL(f32)
CV_UKR_ENTRIES(f32)
CV_TARGET_AVX512 double cv_gemm_fma_loop_f32_avx512(int64_t iters) { CV_FMA_LOOP(float) }

/* 16x16 transpose in registers: r[i][j] -> r[j][i] (unpack pairs of rows, then shuffle pairs,
 * then exchange 128-bit lanes twice). */
CV_TARGET_AVX512 static inline void transpose16(__m512 r[16])
{
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
    }
    for (int h = 0; h < 2; h++)
        for (int c = 0; c < 4; c++) {
            t[8 * h + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0x88);
            t[8 * h + 4 + c] = _mm512_shuffle_f32x4(r[8 * h + c], r[8 * h + 4 + c], 0xDD);
        }
    for (int c = 0; c < 8; c++) {
        r[c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0x88);
        r[8 + c] = _mm512_shuffle_f32x4(t[c], t[8 + c], 0xDD);
    }
}

/* The packing transpose, for both dtypes: blocks of LANES rows x LANES k are loaded as rows
 * (contiguous; rows past R as zeros), transposed in registers and stored as LANES-lane slices
 * of the panel, so the padding lanes [R, W) get their zeros on the way; the last k
 * (kc % LANES) are copied one by one. */
#define CV_INTERLEAVE_BODY(TRANSPOSE)                                                          \
    int64_t k0 = 0;                                                                            \
    for (; k0 + LANES <= kc; k0 += LANES) {                                                    \
        for (int g = 0; g < W; g += LANES) {                                                   \
            const int n = R - g < 0 ? 0 : R - g < LANES ? R - g : LANES;                       \
            const int w = W - g < LANES ? W - g : LANES;                                       \
            const MASK mk = (MASK)(w == LANES ? ALL : (1u << w) - 1u);                         \
            VEC r[LANES];                                                                      \
            for (int i = 0; i < LANES; i++)                                                    \
                r[i] = i < n ? LOAD(src + (g + i) * ld + k0) : ZERO();                         \
            TRANSPOSE(r);                                                                      \
            for (int c = 0; c < LANES; c++) MSTORE(dst + (k0 + c) * W + g, mk, r[c]);          \
        }                                                                                      \
    }                                                                                          \
    for (int64_t k = k0; k < kc; k++) {                                                        \
        for (int i = 0; i < R; i++) dst[k * W + i] = src[i * ld + k];                          \
        for (int i = R; i < W; i++) dst[k * W + i] = (T)0;                                     \
    }

/* dst[k*W + r] = src[r*ld + k] for r < R, 0 for R <= r < W (the contract in gemm_kernels.h) */
CV_TARGET_AVX512 CV_GEMM_INTERLEAVE_DECL(float, cv_gemm_interleave_f32_avx512)
{
    CV_INTERLEAVE_BODY(transpose16)
}
#undef T
#undef VEC
#undef MASK
#undef ALL
#undef LANES
#undef FMA_BCAST
#undef BCAST
#undef FMA
#undef MUL
#undef ADD
#undef SET1
#undef ZERO
#undef LOAD
#undef MLOAD
#undef MSTORE
#undef STORE

#define T double
#define VEC __m512d
#define MASK __mmask8
#define ALL 0xFFu
#define LANES 8
#define FMA_BCAST "vfmadd231pd "
#define BCAST "1to8"
#define FMA _mm512_fmadd_pd
#define MUL _mm512_mul_pd
#define ADD _mm512_add_pd
#define SET1 _mm512_set1_pd
#define ZERO _mm512_setzero_pd
#define LOAD _mm512_loadu_pd
#define MLOAD _mm512_maskz_loadu_pd
#define MSTORE _mm512_mask_storeu_pd
#define STORE _mm512_storeu_pd
CV_UKR_ALL(f64)
CV_UKR_ENTRIES(f64)
CV_TARGET_AVX512 double cv_gemm_fma_loop_f64_avx512(int64_t iters) { CV_FMA_LOOP(double) }

/* 8x8 transpose in registers: unpack pairs of rows, then two exchanges of 128-bit lanes */
CV_TARGET_AVX512 static inline void transpose8(__m512d r[8])
{
    __m512d t[8], u[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm512_unpacklo_pd(r[2 * i], r[2 * i + 1]);     /* even columns */
        t[2 * i + 1] = _mm512_unpackhi_pd(r[2 * i], r[2 * i + 1]); /* odd columns */
    }
    for (int h = 0; h < 2; h++)     /* rows 0-3, rows 4-7 */
        for (int o = 0; o < 2; o++) { /* even, odd */
            u[4 * h + 2 * o] = _mm512_shuffle_f64x2(t[4 * h + o], t[4 * h + 2 + o], 0x88);
            u[4 * h + 2 * o + 1] = _mm512_shuffle_f64x2(t[4 * h + o], t[4 * h + 2 + o], 0xDD);
        }
    /* u[2o] holds columns o, o+4; u[2o+1] columns o+2, o+6 (rows of one half each) */
    for (int o = 0; o < 2; o++)
        for (int q = 0; q < 2; q++) {
            r[o + 2 * q] = _mm512_shuffle_f64x2(u[2 * o + q], u[4 + 2 * o + q], 0x88);
            r[o + 2 * q + 4] = _mm512_shuffle_f64x2(u[2 * o + q], u[4 + 2 * o + q], 0xDD);
        }
}

CV_TARGET_AVX512 CV_GEMM_INTERLEAVE_DECL(double, cv_gemm_interleave_f64_avx512)
{
    CV_INTERLEAVE_BODY(transpose8)
}
#endif
