/* knn.c: k-nearest-neighbour distances and the majority vote, float32 and float64 from
 * knn.inc. */
#include "cvnn.h"

#include <math.h>
#include <stdlib.h>
#ifdef CVNN_OPENMP
#include <omp.h>
#endif

/* qsort comparator for the labels of the k nearest neighbours */
static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* (d1, i1) comes before (d2, i2): nearer first, the smaller training index on equal distance.
 * NaN distances were mapped to +inf by the caller, so they come last. */
static int knn_before(double d1, int64_t i1, double d2, int64_t i2)
{
    return d1 < d2 || (d1 == d2 && i1 < i2);
}

/* Restore the max-heap property (the farthest of the k kept neighbours at the root) below i. */
static void knn_sift_down(double *hd, int64_t *hi, int64_t n, int64_t i)
{
    for (;;) {
        int64_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && knn_before(hd[m], hi[m], hd[l], hi[l])) m = l;
        if (r < n && knn_before(hd[m], hi[m], hd[r], hi[r])) m = r;
        if (m == i) return;
        double td = hd[i]; hd[i] = hd[m]; hd[m] = td;
        int64_t ti = hi[i]; hi[i] = hi[m]; hi[m] = ti;
        i = m;
    }
}

static void knn_sift_up(double *hd, int64_t *hi, int64_t i)
{
    while (i > 0) {
        int64_t p = (i - 1) / 2;
        if (!knn_before(hd[p], hi[p], hd[i], hi[i])) return;
        double td = hd[i]; hd[i] = hd[p]; hd[p] = td;
        int64_t ti = hi[i]; hi[i] = hi[p]; hi[p] = ti;
        i = p;
    }
}

/* One row of distances (N) -> the majority label of its k nearest training points. hd, hi,
 * lab are scratch of k entries each. */
static int64_t knn_vote_row(double *hd, int64_t *hi, int64_t *lab, int64_t n_kept_max,
                            const void *row, int is_f32, const int64_t *y, int64_t N)
{
    int64_t n = 0;
    for (int64_t j = 0; j < N; j++) {
        double d = is_f32 ? (double)((const float *)row)[j] : ((const double *)row)[j];
        if (d != d) d = INFINITY;
        if (n < n_kept_max) {
            hd[n] = d; hi[n] = j;
            knn_sift_up(hd, hi, n);
            n++;
        } else if (knn_before(d, j, hd[0], hi[0])) {
            hd[0] = d; hi[0] = j;
            knn_sift_down(hd, hi, n, 0);
        }
    }
    for (int64_t t = 0; t < n; t++) lab[t] = y[hi[t]];
    qsort(lab, (size_t)n, sizeof(int64_t), cmp_i64);
    /* runs of equal labels in ascending order: the first longest run wins, so a tie goes to
     * the smaller label */
    int64_t best = lab[0], best_count = 0;
    for (int64_t t = 0; t < n;) {
        int64_t u = t;
        while (u < n && lab[u] == lab[t]) u++;
        if (u - t > best_count) { best_count = u - t; best = lab[t]; }
        t = u;
    }
    return best;
}

/* dists (M,N) ytrain (N) -> ypred (M): majority vote among the k nearest (1 <= k <= N). */
static int knn_predict_labels(int64_t *ypred, const void *dists, int is_f32, const int64_t *y,
                              int64_t M, int64_t N, int64_t k)
{
    if (k < 1 || k > N) return CV_EINVAL;
    cv_ws_t ws;
    char *buf = cv_ws_acquire(&ws, (size_t)k * (sizeof(double) + 2 * sizeof(int64_t)));
    if (!buf) return CV_ENOMEM;
    double *hd = (double *)buf;
    int64_t *hi = (int64_t *)(hd + k), *lab = hi + k;
    const size_t esz = is_f32 ? sizeof(float) : sizeof(double);
    for (int64_t i = 0; i < M; i++)
        ypred[i] = knn_vote_row(hd, hi, lab, k, (const char *)dists + (size_t)(i * N) * esz,
                                is_f32, y, N);
    cv_ws_release(&ws);
    return CV_OK;
}

int cv_knn_predict_labels_f32(int64_t *ypred, const float *dists, const int64_t *y, int64_t M,
                              int64_t N, int64_t k)
{
    return knn_predict_labels(ypred, dists, 1, y, M, N, k);
}

int cv_knn_predict_labels_f64(int64_t *ypred, const double *dists, const int64_t *y, int64_t M,
                              int64_t N, int64_t k)
{
    return knn_predict_labels(ypred, dists, 0, y, M, N, k);
}

#define T float
#define SFX(name) name##_f32
#include "knn.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "knn.inc"
#undef T
#undef SFX
