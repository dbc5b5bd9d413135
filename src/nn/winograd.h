// Internal to src/nn: Winograd F(2x2, 3x3) convolution, the CPU reference (the specification) of
// the Vulkan shaders wino_in.comp, wino_gemm.comp and wino_out.comp (src/nn/vk/conv.c), and the
// weight transform their init uses. For a 3x3 convolution of stride 1 and dilation 1, group 1.
//
// The output is cut into 2 x 2 tiles (tw x th of them, the last row/column may hang over the
// output's edge); tile t = ty * tw + tx reads the 4 x 4 input patch at (2 tx - pl, 2 ty - pt),
// the pad value outside the input. With d that patch, g a 3x3 kernel and (Lavin and Gray,
// "Fast Algorithms for Convolutional Neural Networks", 2015)
//   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; .5 .5 .5; .5 -.5 .5; 0 0 1],
//   A^T = [1 1 1 0; 0 1 -1 -1]:
//   U = G g G^T, V = B^T d B (4 x 4 each, position p = 4 i + j), M[p] = sum_ci U[p] V[p],
//   Y = A^T M A (the 2 x 2 outputs).
// Layouts (fp32): U[p][ci][co], V[p][ci][t], M[p][co][t].
// Errors: none (the callers size the arrays). Thread-safety: pure functions.
#ifndef AIM_NN_WINOGRAD_H
#define AIM_NN_WINOGRAD_H

#include "nn/net.h"
#include "nn/ops.h"

#define AIM_NN_WINO_POS 16 ///< transform positions of F(2x2, 3x3)

/** u[16 * cin * cout] = G g G^T of the weights g[cout][cin][3][3] (ncnn's order). */
void aim_nn_wino23_weights_c(float *u, const float *g, int cout, int cin);
/** v[16 * in->c * tw * th]: the input transform of every tile and channel. */
void aim_nn_wino23_input_c(float *v, const AimNnMat *in, int pl, int pt, float pad_value,
                           int tw, int th);
/** m[16 * cout * nt] = the 16 products U[p] (cout x cin) . V[p] (cin x nt). */
void aim_nn_wino23_gemm_c(float *m, const float *u, const float *v, int cin, int cout, int nt);
/**
 * The output transform into out (its w x h x c already set and allocated): bias (NULL: none)
 * and the activation applied, pixels past out's edge dropped.
 */
void aim_nn_wino23_output_c(AimNnMat *out, const float *m, const float *bias,
                            const AimNnAct *act, int tw, int th);

#endif
