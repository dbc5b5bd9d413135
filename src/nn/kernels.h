// The hot loop of convolution, as a function pointer picked at run time (dav1d style).
//
// gemm: out[m * ldo + n] = sum_{r < k} w[r * AIM_NN_MR + m] * rows[r][xoff + n]
//       for m < AIM_NN_MR, n < nr (the kernel's width: 24 for C and AVX2, 48 for AVX-512).
//       "Indirect" GEMM: each reduction step r reads its own
//       row pointer, so a convolution needs no im2col copy (XNNPACK's indirect convolution).
//       rows[r] + xoff must have nr readable floats.
#ifndef AIM_NN_KERNELS_H
#define AIM_NN_KERNELS_H

#include <stddef.h>

#define AIM_NN_MR 4
#define AIM_NN_NR 24     ///< width of the C and AVX2 kernels
#define AIM_NN_NR_MAX 48 ///< the widest kernel (AVX-512)

#define decl_nn_gemm_fn(name) \
    void (name)(int k, const float *w, const float *const *rows, ptrdiff_t xoff, float *out, \
                ptrdiff_t ldo)
typedef decl_nn_gemm_fn(*AimNnGemmFn);

decl_nn_gemm_fn(aim_nn_gemm_c);
decl_nn_gemm_fn(aim_nn_gemm_avx2);
decl_nn_gemm_fn(aim_nn_gemm_avx512);

typedef struct AimNnKernels {
    AimNnGemmFn gemm;
    int nr;
    const char *gemm_name;
} AimNnKernels;

/** C references first, then the best ISA `cpu_flags` allows. */
void aim_nn_kernels_init(AimNnKernels *k, unsigned cpu_flags);

#endif
