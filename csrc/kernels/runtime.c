/* runtime.c: which ISA path the kernels take, and how many threads they may use. */
#include "cvnn.h"

#include <string.h>
#ifdef CVNN_OPENMP
#include <omp.h>
#endif

static cv_isa_t g_active = CV_ISA_GENERIC;
static int g_active_set = 0;
static int g_threads = 0; /* 0: not yet chosen */

cv_isa_t cv_isa_best(void)
{
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512bw"))
        return CV_ISA_AVX512;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return CV_ISA_AVX2;
#endif
    return CV_ISA_GENERIC;
}

cv_isa_t cv_isa_active(void)
{
    if (!g_active_set) {
        g_active = cv_isa_best();
        g_active_set = 1;
    }
    return g_active;
}

int cv_isa_set(cv_isa_t isa)
{
    if (isa < CV_ISA_GENERIC || isa > CV_ISA_AVX512 || isa > cv_isa_best())
        return CV_EINVAL;
    g_active = isa;
    g_active_set = 1;
    return CV_OK;
}

const char *cv_isa_name(cv_isa_t isa)
{
    switch (isa) {
    case CV_ISA_AVX512: return "avx512";
    case CV_ISA_AVX2: return "avx2";
    default: return "generic";
    }
}

int cv_isa_from_name(const char *name, cv_isa_t *out)
{
    if (!strcmp(name, "generic") || !strcmp(name, "c")) { *out = CV_ISA_GENERIC; return CV_OK; }
    if (!strcmp(name, "avx2")) { *out = CV_ISA_AVX2; return CV_OK; }
    if (!strcmp(name, "avx512")) { *out = CV_ISA_AVX512; return CV_OK; }
    return CV_EINVAL;
}

int cv_have_openmp(void)
{
#ifdef CVNN_OPENMP
    return 1;
#else
    return 0;
#endif
}

int cv_get_num_threads(void)
{
    if (g_threads == 0) {
#ifdef CVNN_OPENMP
        g_threads = omp_get_max_threads();
#else
        g_threads = 1;
#endif
        if (g_threads < 1) g_threads = 1;
    }
    return g_threads;
}

void cv_set_num_threads(int n)
{
    if (n < 1) n = 1;
    if (!cv_have_openmp()) n = 1;
    g_threads = n;
}

/* Below about a quarter of a megaflop, waking a second thread costs more than it saves. Inside
 * a parallel region (a kernel that already gave each thread its own images) it is 1: the
 * callee runs on the calling thread instead of starting a nested team. */
int cv_threads_for(double work)
{
    int t = cv_get_num_threads();
    if (t <= 1 || work < 2.5e5) return 1;
#ifdef CVNN_OPENMP
    if (omp_in_parallel()) return 1;
#endif
    return t;
}
