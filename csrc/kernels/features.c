/* features.c: the CS231n A1 image features over a whole batch. HOG (always in double, as
 * CS231n's rgb2gray promotes to float64) here; the hue histogram per dtype from features.inc.
 * Images are independent, so threads split the batch and results do not depend on the
 * thread count. */
#include "cvnn.h"

#include <math.h>
#ifdef CVNN_OPENMP
#include <omp.h>
#endif

#define CV_HOG_BINS 9
#define CV_HOG_CELL 8

/* One image (H,W,Cin) -> out (W/8, H/8, 9); g is scratch of H*W doubles.
 * 1. gray = 0.299 R + 0.587 G + 0.144 B (CS231n's weights, 0.144 included) or the single
 *    channel when Cin == 1.
 * 2. forward differences gx[r,c] = g[r,c+1] - g[r,c], gy[r,c] = g[r+1,c] - g[r,c], zero on
 *    the last column / row (np.diff into a zero array).
 * 3. magnitude sqrt(gx^2 + gy^2), orientation atan2(gy, gx + 1e-15) in degrees + 90; a pixel
 *    votes its magnitude into bin i when 20 i <= ori < 20 (i+1) and ori > 0 (so orientations
 *    outside (0, 180) vote nowhere, as in CS231n).
 * 4. each bin's votes averaged over every 8x8 cell (CS231n's uniform_filter sampled at the
 *    cell centres), stored column-cell major: out[(a * (H/8) + b) * 9 + i] for the cell in
 *    column block a, row block b (CS231n's trailing .T). */
static void hog_one(double *out, double *g, const double *im, int64_t H, int64_t W, int64_t Cin)
{
    const int64_t ncr = H / CV_HOG_CELL, ncc = W / CV_HOG_CELL;
    const double binw = 180.0 / CV_HOG_BINS, deg = 180.0 / 3.141592653589793;
    for (int64_t p = 0; p < H * W; p++) {
        const double *px = im + p * Cin;
        g[p] = Cin >= 3 ? px[0] * 0.299 + px[1] * 0.587 + px[2] * 0.144 : px[0];
    }
    for (int64_t i = 0; i < ncr * ncc * CV_HOG_BINS; i++) out[i] = 0.0;
    for (int64_t r = 0; r < ncr * CV_HOG_CELL; r++) {
        const int64_t b = r / CV_HOG_CELL;
        for (int64_t c = 0; c < ncc * CV_HOG_CELL; c++) {
            const int64_t a = c / CV_HOG_CELL;
            double gx = c + 1 < W ? g[r * W + c + 1] - g[r * W + c] : 0.0;
            double gy = r + 1 < H ? g[(r + 1) * W + c] - g[r * W + c] : 0.0;
            double mag = sqrt(gx * gx + gy * gy);
            double ori = atan2(gy, gx + 1e-15) * deg + 90.0;
            if (!(ori > 0.0)) continue;
            for (int i = 0; i < CV_HOG_BINS; i++) {
                if (ori < binw * (i + 1) && ori >= binw * i) {
                    out[(a * ncr + b) * CV_HOG_BINS + i] += mag;
                    break;
                }
            }
        }
    }
    const double inv = 1.0 / (CV_HOG_CELL * CV_HOG_CELL);
    for (int64_t i = 0; i < ncr * ncc * CV_HOG_BINS; i++) out[i] *= inv;
}

/* im (N,H,W,Cin) with Cin == 1 or >= 3 -> out (N, (W/8)*(H/8)*9) */
int cv_hog_f64(double *out, const double *im, int64_t N, int64_t H, int64_t W, int64_t Cin)
{
    const int64_t F = (H / CV_HOG_CELL) * (W / CV_HOG_CELL) * CV_HOG_BINS;
    int nt = cv_threads_for(40.0 * (double)N * (double)H * (double)W);
    if (nt > N) nt = N > 0 ? (int)N : 1;
    cv_ws_t ws;
    double *g = cv_ws_acquire(&ws, (size_t)nt * (size_t)(H * W) * sizeof(double) + 8);
    if (!g) return CV_ENOMEM;
#ifdef CVNN_OPENMP
#pragma omp parallel num_threads(nt) if (nt > 1)
    {
        double *mine = g + (size_t)omp_get_thread_num() * (size_t)(H * W);
#pragma omp for schedule(static)
        for (int64_t n = 0; n < N; n++) hog_one(out + n * F, mine, im + n * H * W * Cin, H, W, Cin);
    }
#else
    for (int64_t n = 0; n < N; n++) hog_one(out + n * F, g, im + n * H * W * Cin, H, W, Cin);
#endif
    cv_ws_release(&ws);
    return CV_OK;
}

/* The bin of v among nbin ascending edges e[0..nbin], np.histogram's rule: e[i] <= v < e[i+1],
 * the last bin closed on the right; -1 outside [e[0], e[nbin]] or for NaN. */
static int64_t hist_bin(double v, const double *e, int64_t nbin)
{
    if (!(v >= e[0] && v <= e[nbin])) return -1;
    double span = e[nbin] - e[0];
    int64_t i = span > 0.0 ? (int64_t)((v - e[0]) / span * (double)nbin) : 0;
    if (i < 0) i = 0;
    if (i > nbin - 1) i = nbin - 1;
    while (i > 0 && v < e[i]) i--;
    while (i < nbin - 1 && v >= e[i + 1]) i++;
    return i;
}

#define T float
#define SFX(name) name##_f32
#include "features.inc"
#undef T
#undef SFX
#define T double
#define SFX(name) name##_f64
#include "features.inc"
#undef T
#undef SFX
