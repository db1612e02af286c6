/* gemm.c: C = alpha * op(A) @ op(B) + beta * C for float32 and float64, row-major: packed,
 * cache-blocked, with a register-blocked micro-kernel per ISA chosen at run time
 * (cv_isa_active: gemm_avx512.c, gemm_avx2.c, or the plain-C one in gemm.inc). The blocked
 * loops and packing are in gemm.inc, included once per dtype. */
#define _POSIX_C_SOURCE 200112L /* clock_gettime under -std=c11 */
#include "cvnn.h"
#include "gemm_kernels.h"

#include <time.h>
#ifdef CVNN_OPENMP
#include <omp.h>
#endif

/* Below this many flops (8^3 multiply-adds), or with a dimension of 1 or 2, packing costs more
 * than it saves: plain loops. */
#define CV_GEMM_DIRECT_FLOPS (2.0 * 8 * 8 * 8)
/* Below this, waking a second thread and packing its own copy of one operand cost more than the
 * half of the work it takes. About 96^3: an estimate (a 96^3 product takes ~20 us on one core,
 * waking a thread a few us); the shared machine was too loaded to time 2 threads fairly. */
#define CV_GEMM_THREAD_FLOPS (2.0 * 96 * 96 * 96)
/* A row-major op(B) of at most this many bytes (in L2 anyway) is cheaper to read in place than
 * to pack, and A then too: 64^3 float64 took 11.1 us packed and 10.4 us in place (1 thread).
 * 128 KiB takes 128^2 float64. A variable, so that tests can run both paths on small shapes. */
static double g_inplace_bytes = 131072.0;

double cv_gemm_inplace_bytes(double limit)
{
    double before = g_inplace_bytes;
    if (limit == limit) g_inplace_bytes = limit; /* NaN: only read it */
    return before;
}

/* the largest micro-tile of any path, in elements */
#define CV_GEMM_MAX_TILE (CV_GEMM_MR_F32_AVX512 * CV_GEMM_NR_F32_AVX512)

/* Cache blocks (elements). Zen 4 per core: 32 KiB L1d, 1 MiB L2; 32 MiB shared L3. KC x NR of B
 * (a micro-panel) is streamed through L1 for every MR-row panel of A; MC x KC of A stays in
 * L2; KC x NC of B stays in L3. The AVX-512 blocks were tuned on the EPYC (single-thread CPU
 * time, KC 128..512 x MC 56..224); the AVX2 and generic ones are reasoned, not tuned. */
#define CV_GEMM_MC_F32_AVX512 (14 * 12)
#define CV_GEMM_KC_F32_AVX512 384
#define CV_GEMM_NC_F32_AVX512 (32 * 128)
#define CV_GEMM_MC_F64_AVX512 (14 * 12)
#define CV_GEMM_KC_F64_AVX512 384
#define CV_GEMM_NC_F64_AVX512 (16 * 128)
#define CV_GEMM_MC_F32_AVX2 (6 * 24)
#define CV_GEMM_KC_F32_AVX2 256
#define CV_GEMM_NC_F32_AVX2 (16 * 256)
#define CV_GEMM_MC_F64_AVX2 (6 * 16)
#define CV_GEMM_KC_F64_AVX2 256
#define CV_GEMM_NC_F64_AVX2 (8 * 256)
#define CV_GEMM_MC_F32_GENERIC (4 * 32)
#define CV_GEMM_KC_F32_GENERIC 256
#define CV_GEMM_NC_F32_GENERIC (8 * 256)
#define CV_GEMM_MC_F64_GENERIC (4 * 32)
#define CV_GEMM_KC_F64_GENERIC 256
#define CV_GEMM_NC_F64_GENERIC (4 * 512)

#define T float
#define SFX(name) name##_f32
#define GEN_NR 8
#define BLK(what, isa) CV_GEMM_##what##_F32_##isa
#define UKR_MR(isa) CV_GEMM_MR_F32_##isa
#define UKR_NR(isa) CV_GEMM_NR_F32_##isa
#define UKR(isa) cv_gemm_ukr_f32_##isa
#define UKR_EDGE(isa) cv_gemm_ukr_edge_f32_##isa
#define INTERLEAVE(isa) cv_gemm_interleave_f32_##isa
#define UKR_ROWA(isa) cv_gemm_ukr_rowa_f32_##isa
#include "gemm.inc"
#undef T
#undef SFX
#undef GEN_NR
#undef GEN_MR
#undef BLK
#undef UKR_MR
#undef UKR_NR
#undef UKR
#undef UKR_EDGE
#undef INTERLEAVE
#undef UKR_ROWA

#define T double
#define SFX(name) name##_f64
#define GEN_NR 4
#define BLK(what, isa) CV_GEMM_##what##_F64_##isa
#define UKR_MR(isa) CV_GEMM_MR_F64_##isa
#define UKR_NR(isa) CV_GEMM_NR_F64_##isa
#define UKR(isa) cv_gemm_ukr_f64_##isa
#define UKR_EDGE(isa) cv_gemm_ukr_edge_f64_##isa
#define INTERLEAVE(isa) cv_gemm_interleave_f64_##isa
#define UKR_ROWA(isa) cv_gemm_ukr_rowa_f64_##isa
#include "gemm.inc"

/* CPU time of the calling thread: the peak is measured per thread on its own CPU time, so that
 * other processes sharing the machine do not lower it (they do lower wall-clock GFLOP/s). */
static double thread_seconds(void)
{
#if defined(CLOCK_THREAD_CPUTIME_ID)
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
#else
    return (double)clock() / CLOCKS_PER_SEC; /* no per-thread clock: process time */
#endif
}

/* Flops of one iteration of the FMA loop of the active ISA. */
static double fma_flops_per_iter(int f64)
{
    cv_isa_t isa = cv_isa_active();
    int lanes = f64 ? 4 : 8; /* generic: GEN_NR lanes; AVX2: one ymm */
    if (isa == CV_ISA_AVX512) lanes = f64 ? 8 : 16;
    return 12.0 * 2.0 * lanes;
}

/* One thread's FMA loop on the active ISA. */
static double fma_loop(int f64, int64_t iters)
{
#if CV_GEMM_X86
    cv_isa_t isa = cv_isa_active();
    if (isa == CV_ISA_AVX512)
        return f64 ? cv_gemm_fma_loop_f64_avx512(iters) : cv_gemm_fma_loop_f32_avx512(iters);
    if (isa == CV_ISA_AVX2)
        return f64 ? cv_gemm_fma_loop_f64_avx2(iters) : cv_gemm_fma_loop_f32_avx2(iters);
#endif
    return f64 ? gemm_fma_loop_generic_f64(iters) : gemm_fma_loop_generic_f32(iters);
}

/* GFLOP/s of `threads` threads each running independent FMA chains: the sum over threads of
 * flops / thread CPU time, best of 5 runs. */
double cv_gemm_fma_peak(int f64, int threads)
{
    const int64_t iters = 4000000;
    const double flops = (double)iters * fma_flops_per_iter(f64);
    double best = 0.0;
    if (threads < 1) threads = 1;
#ifndef CVNN_OPENMP
    threads = 1;
#endif
    for (int rep = 0; rep < 5; rep++) {
        double rate = 0.0;
#ifdef CVNN_OPENMP
#pragma omp parallel num_threads(threads) reduction(+ : rate)
#endif
        {
            double t0 = thread_seconds();
            double sink = fma_loop(f64, iters);
            double dt = thread_seconds() - t0;
            rate += sink == sink && dt > 0 ? flops / dt * 1e-9 : 0.0;
        }
        if (rate > best) best = rate;
    }
    return best;
}
