/* parallel.h: the one OpenMP idiom the layer kernels use. CV_PFOR before a for loop over
 * independent items (images, planes, channels) runs it on `nt` threads (a variable in scope,
 * from cv_threads_for) with static chunks; without OpenMP, or with nt == 1, it is a plain loop.
 * Each item is owned by one thread, so results never depend on the thread count. */
#ifndef CVNN_PARALLEL_H
#define CVNN_PARALLEL_H

#ifdef CVNN_OPENMP
#include <omp.h>
#define CV_PFOR _Pragma("omp parallel for num_threads(nt) schedule(static) if(nt > 1)")
#else
#define CV_PFOR
#endif

#endif
