// The ops RIFE v4 needs on top of the built-in table (ops.c), passed to the loader as extra
// op descriptors (AimNetSettings.extra_ops):
//   "rife.Warp"  rife-ncnn-vulkan's custom layer (reference: src/nn/warp.c): out(c, y, x) =
//                in(c, y + fy, x + fx) with (fx, fy) = flow channels 0 and 1, bilinear,
//                coordinates clamped to the image (PyTorch grid_sample(padding_mode="border",
//                align_corners=True), what RIFE's warp() does); the fast path here.
//   "Interp"     bilinear resize (resize_type 2) with a separable two-tap fast path; every other
//                resize type is the built-in reference op. Same coefficients as the built-in
//                op (ncnn's linear_coeffs: half-pixel centres, edges clamped), any factor.
//   "Slice"      ncnn Slice (split one blob into several along an axis; -233 = equal parts).
//                RIFE v4 graphs exported by pnnx use Crop instead, older exports use Slice.
// Each op has a plain C reference (the specification, used with AimNnOpt.ref: src/nn/warp.c,
// the Interp of ops.c, Slice here) and a fast path (threaded over AimNnOpt.pool, AVX2 row
// kernels where the CPU allows). The row kernels' C versions are their SIMD references.
#ifndef AIM_NN_OPS_RIFE_H
#define AIM_NN_OPS_RIFE_H

#include <stddef.h>

#include "nn/net.h"

/** The extra op table for aim_net_load_ncnn* (AimNetSettings.extra_ops / n_extra_ops). */
extern const AimNnOpDesc aim_nn_rife_ops[];
extern const int aim_nn_rife_nops;

/**
 * Warp of the pixels [x0, x1) of output row y, c channels. src[q] / dst[q] are w*h planes,
 * fx / fy the flow planes (pixels). Only those pixels of dst are written.
 */
#define decl_rife_warp_fn(name) \
    void (name)(float *const *dst, const float *const *src, int c, const float *fx, \
                const float *fy, int y, int x0, int x1, int w, int h)
typedef decl_rife_warp_fn(*AimRifeWarpFn);

/**
 * Horizontal bilinear pass of one row: dst[x] = src[xi[x]] * a[2x] + src[xi[x] + 1] * a[2x+1]
 * for x < n (xi[x] + 1 < source width, see aim_nn_rife_linear_coeffs).
 */
#define decl_rife_hlerp_fn(name) \
    void (name)(float *dst, const float *src, const int *xi, const float *a, int n)
typedef decl_rife_hlerp_fn(*AimRifeHlerpFn);

decl_rife_warp_fn(aim_nn_rife_warp_row_c);
decl_rife_warp_fn(aim_nn_rife_warp_row_avx2);
decl_rife_hlerp_fn(aim_nn_rife_hlerp_c);
decl_rife_hlerp_fn(aim_nn_rife_hlerp_avx2);

typedef struct AimRifeKernels {
    AimRifeWarpFn warp_row;
    AimRifeHlerpFn hlerp;
    const char *isa; ///< "c" or "avx2"
} AimRifeKernels;

/** C references first, then the best ISA `cpu_flags` allows. */
void aim_nn_rife_kernels_init(AimRifeKernels *k, unsigned cpu_flags);

/**
 * ncnn's bilinear coefficients (Interp resize_type 2, align_corner 0/1) for resizing `in`
 * samples to `out`: for each output sample, the left source index xi[d] (0 .. in-2, or 0 when
 * in == 1) and weights a[2d], a[2d+1]. in >= 1, out >= 1.
 */
void aim_nn_rife_linear_coeffs(int in, int out, int align, int *xi, float *a);

/**
 * Slice: the axis (*k: 0 channels, 1 rows, 2 columns) and the size of each of the layer's
 * outputs along it (sz[l->nout], l->nout <= 256). 0 or AIM_ERR_INVALID_DATA (logged).
 */
int aim_nn_slice_sizes(const AimNnLayer *l, const AimNnMat *in, int *k, int *sz,
                       const AimLog *log);

#endif
