/* cvnn.h: every kernel prototype. No Python.h, no numpy headers.
 *
 * Conventions (STYLE.md): outputs, then what is saved for backward, then inputs, then sizes.
 * Inputs are contiguous, row-major. Sizes are int64_t. Backward kernels assign their outputs;
 * only a kernel whose name ends in _acc adds into them. A kernel that can fail returns an int
 * status (CV_OK, CV_ENOMEM, CV_EINVAL) that the binding turns into an exception.
 */
#ifndef CVNN_H
#define CVNN_H

#include <stddef.h>
#include <stdint.h>

#define CV_OK 0
#define CV_ENOMEM 1
#define CV_EINVAL 2

/* For kernels that copy or clear many short rows (GEMM packing, im2col): GCC would turn each
 * row's loop into a call to memmove/memset, whose call overhead then dominates; plain vector
 * moves are several times faster. */
#if defined(__GNUC__) && !defined(__clang__)
#define CV_NO_MEMCPY __attribute__((optimize("no-tree-loop-distribute-patterns")))
#else
#define CV_NO_MEMCPY
#endif

/* ---- runtime: ISA dispatch, threads, workspace (runtime.c, workspace.c) ---- */
typedef enum { CV_ISA_GENERIC = 0, CV_ISA_AVX2 = 1, CV_ISA_AVX512 = 2 } cv_isa_t;

cv_isa_t cv_isa_best(void);          /* the best path this CPU supports */
cv_isa_t cv_isa_active(void);        /* the path kernels use now */
int cv_isa_set(cv_isa_t isa);        /* CV_EINVAL if the CPU lacks it */
const char *cv_isa_name(cv_isa_t isa);
int cv_isa_from_name(const char *name, cv_isa_t *out); /* CV_EINVAL for an unknown name */

int cv_get_num_threads(void);
void cv_set_num_threads(int n);      /* n >= 1; clamped to 1 without OpenMP */
int cv_have_openmp(void);
/* Threads to use for a loop doing about `work` flops: 1 below the threshold. */
int cv_threads_for(double work);

/* Grow-only scratch buffers (64-byte aligned, huge pages where available). A slot is held by
 * one caller between acquire and release; with every slot busy, acquire falls back to a
 * private allocation that release frees. NULL on out-of-memory. */
typedef struct { void *ptr; int slot; } cv_ws_t;
void *cv_ws_acquire(cv_ws_t *ws, size_t bytes);
void cv_ws_release(cv_ws_t *ws);
void cv_ws_free_all(void);           /* module teardown */
size_t cv_ws_bytes_reserved(void);

/* ---- declare one prototype per dtype ---- */
#define CV_BOTH(decl_f32, decl_f64) decl_f32; decl_f64;

/* ---- GEMM (gemm.c): C = alpha * op(A) @ op(B) + beta * C, row-major ----
 * op(A) is (M,K), op(B) is (K,N), C is (M,N). transA: A is stored (K,M) with row stride lda.
 * beta == 0 overwrites C (NaN/Inf in C are ignored, as BLAS does). Returns a status.
 * Results do not depend on the thread count. */
int cv_gemm_f32(int transA, int transB, int64_t M, int64_t N, int64_t K, float alpha,
                const float *A, int64_t lda, const float *B, int64_t ldb, float beta,
                float *C, int64_t ldc);
int cv_gemm_f64(int transA, int transB, int64_t M, int64_t N, int64_t K, double alpha,
                const double *A, int64_t lda, const double *B, int64_t ldb, double beta,
                double *C, int64_t ldc);

/* ---- affine (affine.c) ---- */
/* x (N,D)  w (D,M)  b (M)  ->  out (N,M) */
int cv_affine_forward_f32(float *out, const float *x, const float *w, const float *b,
                          int64_t N, int64_t D, int64_t M);
int cv_affine_forward_f64(double *out, const double *x, const double *w, const double *b,
                          int64_t N, int64_t D, int64_t M);
/* dout (N,M) x (N,D) w (D,M) -> dx (N,D) dw (D,M) db (M) */
int cv_affine_backward_f32(float *dx, float *dw, float *db, const float *dout, const float *x,
                           const float *w, int64_t N, int64_t D, int64_t M);
int cv_affine_backward_f64(double *dx, double *dw, double *db, const double *dout,
                           const double *x, const double *w, int64_t N, int64_t D, int64_t M);

/* ---- activations (activ.c) ---- */
/* x (n) -> out (n) */
void cv_relu_forward_f32(float *out, const float *x, int64_t n);
void cv_relu_forward_f64(double *out, const double *x, int64_t n);
/* dout (n) x (n) -> dx (n) */
void cv_relu_backward_f32(float *dx, const float *dout, const float *x, int64_t n);
void cv_relu_backward_f64(double *dx, const double *dout, const double *x, int64_t n);

/* ---- losses (loss.c) ---- */
/* x (N,C) y (N) in [0,C) -> loss, dx (N,C). Averaged over N (N >= 1). */
double cv_softmax_loss_f32(float *dx, const float *x, const int64_t *y, int64_t N, int64_t C);
double cv_softmax_loss_f64(double *dx, const double *x, const int64_t *y, int64_t N, int64_t C);
double cv_svm_loss_f32(float *dx, const float *x, const int64_t *y, int64_t N, int64_t C);
double cv_svm_loss_f64(double *dx, const double *x, const int64_t *y, int64_t N, int64_t C);

/* ---- im2col (im2col.c): one image x (C,H,W), kernel HH x WW, stride s, zero pad ----
 * cols (C*HH*WW, Ho*Wo), rows ldc apart: cols[(c*HH+i)*WW+j, oh*Wo+ow] =
 * x[c, oh*s+i-pad, ow*s+j-pad] (0 in the padding). col2im_acc adds cols back into dx. */
CV_BOTH(void cv_im2col_f32(float *cols, int64_t ldc, const float *x, int64_t C, int64_t H,
                           int64_t W, int64_t HH, int64_t WW, int64_t s, int64_t pad,
                           int64_t Ho, int64_t Wo),
        void cv_im2col_f64(double *cols, int64_t ldc, const double *x, int64_t C, int64_t H,
                           int64_t W, int64_t HH, int64_t WW, int64_t s, int64_t pad,
                           int64_t Ho, int64_t Wo))
CV_BOTH(void cv_col2im_acc_f32(float *dx, const float *cols, int64_t ldc, int64_t C, int64_t H,
                               int64_t W, int64_t HH, int64_t WW, int64_t s, int64_t pad,
                               int64_t Ho, int64_t Wo),
        void cv_col2im_acc_f64(double *dx, const double *cols, int64_t ldc, int64_t C,
                               int64_t H, int64_t W, int64_t HH, int64_t WW, int64_t s,
                               int64_t pad, int64_t Ho, int64_t Wo))
/* the same for scratch columns, whose padding entries it may overwrite with 0 (faster for
 * stride-1 "same" convolutions) */
CV_BOTH(void cv_col2im_acc_scratch_f32(float *dx, float *cols, int64_t ldc, int64_t C,
                                       int64_t H, int64_t W, int64_t HH, int64_t WW, int64_t s,
                                       int64_t pad, int64_t Ho, int64_t Wo),
        void cv_col2im_acc_scratch_f64(double *dx, double *cols, int64_t ldc, int64_t C,
                                       int64_t H, int64_t W, int64_t HH, int64_t WW, int64_t s,
                                       int64_t pad, int64_t Ho, int64_t Wo))

/* ---- convolution (conv.c): x (N,C,H,W) w (F,C,HH,WW) b (F) -> out (N,F,Ho,Wo),
 * Ho = 1 + (H + 2 pad - HH) / s; s >= 1, pad >= 0, HH <= H + 2 pad, WW <= W + 2 pad.
 * _naive: the direct loops; without suffix: im2col + GEMM (CV_ENOMEM if columns do not fit) */
CV_BOTH(void cv_conv_forward_naive_f32(float *out, const float *x, const float *w,
                                       const float *b, int64_t N, int64_t C, int64_t H,
                                       int64_t W, int64_t F, int64_t HH, int64_t WW, int64_t s,
                                       int64_t pad),
        void cv_conv_forward_naive_f64(double *out, const double *x, const double *w,
                                       const double *b, int64_t N, int64_t C, int64_t H,
                                       int64_t W, int64_t F, int64_t HH, int64_t WW, int64_t s,
                                       int64_t pad))
/* dout (N,F,Ho,Wo) x w -> dx (N,C,H,W) dw (F,C,HH,WW) db (F) */
CV_BOTH(void cv_conv_backward_naive_f32(float *dx, float *dw, float *db, const float *dout,
                                        const float *x, const float *w, int64_t N, int64_t C,
                                        int64_t H, int64_t W, int64_t F, int64_t HH,
                                        int64_t WW, int64_t s, int64_t pad),
        void cv_conv_backward_naive_f64(double *dx, double *dw, double *db, const double *dout,
                                        const double *x, const double *w, int64_t N, int64_t C,
                                        int64_t H, int64_t W, int64_t F, int64_t HH,
                                        int64_t WW, int64_t s, int64_t pad))
CV_BOTH(int cv_conv_forward_f32(float *out, const float *x, const float *w, const float *b,
                                int64_t N, int64_t C, int64_t H, int64_t W, int64_t F,
                                int64_t HH, int64_t WW, int64_t s, int64_t pad),
        int cv_conv_forward_f64(double *out, const double *x, const double *w, const double *b,
                                int64_t N, int64_t C, int64_t H, int64_t W, int64_t F,
                                int64_t HH, int64_t WW, int64_t s, int64_t pad))
/* The largest per-image column matrix (bytes) that the one-image-at-a-time path takes
 * (default about the L2); sets it unless `limit` is NaN, and returns the previous one. Tests
 * set it below 0 to run the chunked path on small shapes. */
double cv_conv_fused_bytes(double limit);
/* the im2col + GEMM backward also takes dx == NULL: dw and db only */
CV_BOTH(int cv_conv_backward_f32(float *dx, float *dw, float *db, const float *dout,
                                 const float *x, const float *w, int64_t N, int64_t C,
                                 int64_t H, int64_t W, int64_t F, int64_t HH, int64_t WW,
                                 int64_t s, int64_t pad),
        int cv_conv_backward_f64(double *dx, double *dw, double *db, const double *dout,
                                 const double *x, const double *w, int64_t N, int64_t C,
                                 int64_t H, int64_t W, int64_t F, int64_t HH, int64_t WW,
                                 int64_t s, int64_t pad))

/* ---- max pooling (pool.c): NC planes (H,W), window ph x pw, stride s, no padding,
 * Ho = 1 + (H - ph) / s. One argmax per window (the first maximum); idx (NC,Ho,Wo) holds it
 * as h*W + w when not NULL. backward: idx, or NULL to recompute it from x; overlapping
 * windows accumulate. backward_split: ties share the gradient equally (CS231n "reshape"). */
CV_BOTH(void cv_maxpool_forward_f32(float *out, int64_t *idx, const float *x, int64_t NC,
                                    int64_t H, int64_t W, int64_t ph, int64_t pw, int64_t s),
        void cv_maxpool_forward_f64(double *out, int64_t *idx, const double *x, int64_t NC,
                                    int64_t H, int64_t W, int64_t ph, int64_t pw, int64_t s))
CV_BOTH(void cv_maxpool_backward_f32(float *dx, const float *dout, const int64_t *idx,
                                     const float *x, int64_t NC, int64_t H, int64_t W,
                                     int64_t ph, int64_t pw, int64_t s),
        void cv_maxpool_backward_f64(double *dx, const double *dout, const int64_t *idx,
                                     const double *x, int64_t NC, int64_t H, int64_t W,
                                     int64_t ph, int64_t pw, int64_t s))
CV_BOTH(void cv_maxpool_backward_split_f32(float *dx, const float *dout, const float *x,
                                           const float *out, int64_t NC, int64_t H, int64_t W,
                                           int64_t ph, int64_t pw, int64_t s),
        void cv_maxpool_backward_split_f64(double *dx, const double *dout, const double *x,
                                           const double *out, int64_t NC, int64_t H, int64_t W,
                                           int64_t ph, int64_t pw, int64_t s))

/* ---- spatial norms (snorm.c): x (N,C,HW) NCHW ----
 * sbn: per channel over N*HW (stats needs N*HW >= 1); gn: per (n, group of C/G channels).
 * Biased variance; backward with train == 0 treats mean/var as constants (test mode). */
CV_BOTH(void cv_sbn_stats_f32(float *mean, float *var, const float *x, int64_t N, int64_t C,
                              int64_t HW),
        void cv_sbn_stats_f64(double *mean, double *var, const double *x, int64_t N, int64_t C,
                              int64_t HW))
CV_BOTH(void cv_sbn_apply_f32(float *out, const float *x, const float *mean, const float *var,
                              const float *gamma, const float *beta, int64_t N, int64_t C,
                              int64_t HW, double eps),
        void cv_sbn_apply_f64(double *out, const double *x, const double *mean,
                              const double *var, const double *gamma, const double *beta,
                              int64_t N, int64_t C, int64_t HW, double eps))
CV_BOTH(void cv_sbn_backward_f32(float *dx, float *dgamma, float *dbeta, const float *dout,
                                 const float *x, const float *mean, const float *var,
                                 const float *gamma, int64_t N, int64_t C, int64_t HW,
                                 double eps, int train),
        void cv_sbn_backward_f64(double *dx, double *dgamma, double *dbeta, const double *dout,
                                 const double *x, const double *mean, const double *var,
                                 const double *gamma, int64_t N, int64_t C, int64_t HW,
                                 double eps, int train))
/* gn: mean var (N,G), G divides C */
CV_BOTH(void cv_gn_forward_f32(float *out, float *mean, float *var, const float *x,
                               const float *gamma, const float *beta, int64_t N, int64_t C,
                               int64_t HW, int64_t G, double eps),
        void cv_gn_forward_f64(double *out, double *mean, double *var, const double *x,
                               const double *gamma, const double *beta, int64_t N, int64_t C,
                               int64_t HW, int64_t G, double eps))
CV_BOTH(void cv_gn_backward_f32(float *dx, float *dgamma, float *dbeta, const float *dout,
                                const float *x, const float *mean, const float *var,
                                const float *gamma, int64_t N, int64_t C, int64_t HW,
                                int64_t G, double eps),
        void cv_gn_backward_f64(double *dx, double *dgamma, double *dbeta, const double *dout,
                                const double *x, const double *mean, const double *var,
                                const double *gamma, int64_t N, int64_t C, int64_t HW,
                                int64_t G, double eps))
/* ---- optimizers (optim.c): element-wise updates; state arrays updated in place ---- */
/* w (n) dw (n) -> next_w (n) */
void cv_optim_sgd_f32(float *next_w, const float *w, const float *dw, float lr, int64_t n);
void cv_optim_sgd_f64(double *next_w, const double *w, const double *dw, double lr, int64_t n);
/* v (n, in/out) w (n) dw (n) -> next_w (n) */
void cv_optim_sgd_momentum_f32(float *next_w, float *v, const float *w, const float *dw,
                               float lr, float mu, int64_t n);
void cv_optim_sgd_momentum_f64(double *next_w, double *v, const double *w, const double *dw,
                               double lr, double mu, int64_t n);
/* cache (n, in/out) w (n) dw (n) -> next_w (n) */
void cv_optim_rmsprop_f32(float *next_w, float *cache, const float *w, const float *dw,
                          float lr, float decay, float eps, int64_t n);
void cv_optim_rmsprop_f64(double *next_w, double *cache, const double *w, const double *dw,
                          double lr, double decay, double eps, int64_t n);
/* m (n, in/out) v (n, in/out) w (n) dw (n), step t >= 1 -> next_w (n) */
void cv_optim_adam_f32(float *next_w, float *m, float *v, const float *w, const float *dw,
                       float lr, float beta1, float beta2, float eps, int64_t t, int64_t n);
void cv_optim_adam_f64(double *next_w, double *m, double *v, const double *w, const double *dw,
                       double lr, double beta1, double beta2, double eps, int64_t t, int64_t n);
/* ---- dropout (dropout.c) ---- */
/* Inverted dropout; p is the KEEP probability in (0, 1] (the binding checks it).
 * x (n)  u (n) uniform in [0,1) from NumPy's RNG, in double  ->  mask (n) = (u < p) / p,
 * out (n) = x * mask. u stays double so the thresholding matches NumPy's for both dtypes. */
void cv_dropout_forward_f32(float *out, float *mask, const float *x, const double *u, double p,
                            int64_t n);
void cv_dropout_forward_f64(double *out, double *mask, const double *x, const double *u,
                            double p, int64_t n);
/* dout (n)  mask (n)  ->  dx (n) = dout * mask */
void cv_dropout_backward_f32(float *dx, const float *dout, const float *mask, int64_t n);
void cv_dropout_backward_f64(double *dx, const double *dout, const double *mask, int64_t n);

/* ---- normalisation (norm.c) ----
 * Statistics, dgamma and dbeta are accumulated in double; mean and istd = 1/sqrt(var + eps)
 * are saved in double whatever T is. Reductions over the batch are split over features, each
 * feature summed by one thread in row order, so results do not depend on the thread count. */
/* batchnorm, train: x (N,D) gamma (D) beta (D) running_mean (D) running_var (D), N >= 1
 *   -> out (N,D), mean (D), istd (D) of the batch (biased variance), and the updated
 *      running_mean_out = momentum * running_mean + (1 - momentum) * mean (same for var) */
void cv_batchnorm_forward_train_f32(float *out, double *mean, double *istd,
                                    float *running_mean_out, float *running_var_out,
                                    const float *x, const float *gamma, const float *beta,
                                    const float *running_mean, const float *running_var,
                                    int64_t N, int64_t D, double eps, double momentum);
void cv_batchnorm_forward_train_f64(double *out, double *mean, double *istd,
                                    double *running_mean_out, double *running_var_out,
                                    const double *x, const double *gamma, const double *beta,
                                    const double *running_mean, const double *running_var,
                                    int64_t N, int64_t D, double eps, double momentum);
/* batchnorm, test: as train but mean = running_mean, istd = 1/sqrt(running_var + eps) */
void cv_batchnorm_forward_test_f32(float *out, double *mean, double *istd, const float *x,
                                   const float *gamma, const float *beta,
                                   const float *running_mean, const float *running_var,
                                   int64_t N, int64_t D, double eps);
void cv_batchnorm_forward_test_f64(double *out, double *mean, double *istd, const double *x,
                                   const double *gamma, const double *beta,
                                   const double *running_mean, const double *running_var,
                                   int64_t N, int64_t D, double eps);
/* dout (N,D) x (N,D) gamma (D) mean (D) istd (D) -> dx (N,D) dgamma (D) dbeta (D).
 * train != 0: mean and istd were the batch's own (x flows through them); train == 0: they were
 * fixed running statistics, dx = dout * gamma * istd. _alt is the closed form of the same. */
void cv_batchnorm_backward_f32(float *dx, float *dgamma, float *dbeta, const float *dout,
                               const float *x, const float *gamma, const double *mean,
                               const double *istd, int64_t N, int64_t D, int train);
void cv_batchnorm_backward_f64(double *dx, double *dgamma, double *dbeta, const double *dout,
                               const double *x, const double *gamma, const double *mean,
                               const double *istd, int64_t N, int64_t D, int train);
void cv_batchnorm_backward_alt_f32(float *dx, float *dgamma, float *dbeta, const float *dout,
                                   const float *x, const float *gamma, const double *mean,
                                   const double *istd, int64_t N, int64_t D, int train);
void cv_batchnorm_backward_alt_f64(double *dx, double *dgamma, double *dbeta,
                                   const double *dout, const double *x, const double *gamma,
                                   const double *mean, const double *istd, int64_t N, int64_t D,
                                   int train);
/* layernorm: x (N,D) gamma (D) beta (D) -> out (N,D), mean (N), istd (N) per sample */
void cv_layernorm_forward_f32(float *out, double *mean, double *istd, const float *x,
                              const float *gamma, const float *beta, int64_t N, int64_t D,
                              double eps);
void cv_layernorm_forward_f64(double *out, double *mean, double *istd, const double *x,
                              const double *gamma, const double *beta, int64_t N, int64_t D,
                              double eps);
/* dout (N,D) x (N,D) gamma (D) mean (N) istd (N) -> dx (N,D) dgamma (D) dbeta (D) */
void cv_layernorm_backward_f32(float *dx, float *dgamma, float *dbeta, const float *dout,
                               const float *x, const float *gamma, const double *mean,
                               const double *istd, int64_t N, int64_t D);
void cv_layernorm_backward_f64(double *dx, double *dgamma, double *dbeta, const double *dout,
                               const double *x, const double *gamma, const double *mean,
                               const double *istd, int64_t N, int64_t D);
/* ---- GEMM internals (gemm.c): block sizes of the active ISA path, and the FMA peak ---- */
/* register block mr x nr, cache blocks mc (rows of A), kc (depth), nc (columns of B) */
int cv_gemm_blocking_f32(int *mr, int *nr, int64_t *mc, int64_t *kc, int64_t *nc);
int cv_gemm_blocking_f64(int *mr, int *nr, int64_t *mc, int64_t *kc, int64_t *nc);
/* The largest op(B) (K x N, bytes) that the GEMM reads in place instead of packing when B is
 * row-major; with A row-major as well, such a product packs nothing (default 128 KiB). Sets it
 * unless `limit` is NaN and returns the previous one; tests set it below 0 to pack everything. */
double cv_gemm_inplace_bytes(double limit);
/* GFLOP/s of independent FMA chains on the active ISA, `threads` threads, each timed on its own
 * CPU time (so machine load does not lower it), best of 5 runs */
double cv_gemm_fma_peak(int f64, int threads);
/* ---- k-nearest neighbour (knn.c) ---- */
/* a (M,D) test rows, b (N,D) training rows -> dists (M,N) Euclidean distances */
void cv_knn_dist_two_loops_f32(float *dists, const float *a, const float *b, int64_t M,
                               int64_t N, int64_t D);
void cv_knn_dist_two_loops_f64(double *dists, const double *a, const double *b, int64_t M,
                               int64_t N, int64_t D);
void cv_knn_dist_one_loop_f32(float *dists, const float *a, const float *b, int64_t M,
                              int64_t N, int64_t D);
void cv_knn_dist_one_loop_f64(double *dists, const double *a, const double *b, int64_t M,
                              int64_t N, int64_t D);
int cv_knn_dist_no_loops_f32(float *dists, const float *a, const float *b, int64_t M, int64_t N,
                             int64_t D);
int cv_knn_dist_no_loops_f64(double *dists, const double *a, const double *b, int64_t M,
                             int64_t N, int64_t D);
/* dists (M,N) y (N) any int64 labels, 1 <= k <= N -> ypred (M): majority vote of the k
 * nearest (equal distances: the smaller training index first; NaN is farthest), ties to the
 * smaller label */
int cv_knn_predict_labels_f32(int64_t *ypred, const float *dists, const int64_t *y, int64_t M,
                              int64_t N, int64_t k);
int cv_knn_predict_labels_f64(int64_t *ypred, const double *dists, const int64_t *y, int64_t M,
                              int64_t N, int64_t k);

/* ---- linear classifiers (linear.c) ---- */
/* W (D,C) X (N,D) y (N) in [0,C), N >= 1 -> *loss (mean + reg*sum(W^2)), dW (D,C) */
#define CV_LINEAR_LOSS(name, T)                                                                \
    int name(double *loss, T *dW, const T *W, const T *X, const int64_t *y, double reg,       \
             int64_t N, int64_t D, int64_t C);
CV_LINEAR_LOSS(cv_linear_svm_loss_naive_f32, float)
CV_LINEAR_LOSS(cv_linear_svm_loss_naive_f64, double)
CV_LINEAR_LOSS(cv_linear_svm_loss_vectorized_f32, float)
CV_LINEAR_LOSS(cv_linear_svm_loss_vectorized_f64, double)
CV_LINEAR_LOSS(cv_linear_softmax_loss_naive_f32, float)
CV_LINEAR_LOSS(cv_linear_softmax_loss_naive_f64, double)
CV_LINEAR_LOSS(cv_linear_softmax_loss_vectorized_f32, float)
CV_LINEAR_LOSS(cv_linear_softmax_loss_vectorized_f64, double)
#undef CV_LINEAR_LOSS

/* ---- image features (features.c) ---- */
/* im (N,H,W,Cin), Cin == 1 or >= 3 -> out (N, (W/8)*(H/8)*9) CS231n HOG */
int cv_hog_f64(double *out, const double *im, int64_t N, int64_t H, int64_t W, int64_t Cin);
/* im (N,HW,3), edges (nbin+1) -> counts (N,nbin) of hue(im/xmax)*xmax per np.histogram bin */
int cv_hue_hist_f32(int64_t *counts, const float *im, const double *edges, double xmax,
                    int64_t N, int64_t HW, int64_t nbin);
int cv_hue_hist_f64(int64_t *counts, const double *im, const double *edges, double xmax,
                    int64_t N, int64_t HW, int64_t nbin);

/* ---- new families: append their prototypes above this line ---- */

#endif
