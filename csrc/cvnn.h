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
