// Internal to src/nn: Winograd F(m x m, 3x3) convolution for m = 2 and m = 4, the CPU reference
// (the specification) of the Vulkan shaders wino_in.comp, wino_gemm.comp and wino_out.comp
// (src/nn/vk/conv.c), and the weight transform their init uses. For a 3x3 convolution of
// stride 1 and dilation 1, group 1.
//
// The output is cut into m x m tiles (tw x th of them, the last row/column may hang over the
// output's edge); tile t = ty * tw + tx reads the n x n input patch (n = m + 2) at
// (m tx - pl, m ty - pt), the pad value outside the input. With d that patch, g a 3x3 kernel:
//   U = G g G^T, V = B^T d B (n x n each, position p = n i + j), M[p] = sum_ci U[p] V[p],
//   Y = A^T M A (the m x m outputs).
// The matrices (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2015;
// interpolation points 0, 1, -1 for m = 2 and 0, 1, -1, 2, -2 for m = 4): the tables of
// winograd.c. F(4x4, 3x3) takes 36 products per tile of 16 outputs (2.25 an output, against
// F(2x2)'s 4), but its constants (up to 8 in A, 5 in B, 1/24 in G) amplify rounding more.
// Layouts (fp32): U[p][ci][co], V[p][ci][t], M[p][co][t].
// Errors: none (the callers size the arrays; m is 2 or 4). Thread-safety: pure functions.
#ifndef AIM_NN_WINOGRAD_H
#define AIM_NN_WINOGRAD_H

#include "nn/net.h"
#include "nn/ops.h"

/** Transform positions of F(m x m, 3x3): 16 for m = 2, 36 for m = 4. */
#define AIM_NN_WINO_POS(m) (((m) + 2) * ((m) + 2))

/** u[POS(m) * cin * cout] = G g G^T of the weights g[cout][cin][3][3] (ncnn's order). */
void aim_nn_wino_weights_c(float *u, const float *g, int cout, int cin, int m);
/** v[POS(m) * in->c * tw * th]: the input transform of every tile and channel. */
void aim_nn_wino_input_c(float *v, const AimNnMat *in, int pl, int pt, float pad_value, int tw,
                         int th, int m);
/** mm[POS(m) * cout * nt] = the POS(m) products U[p] (cout x cin) . V[p] (cin x nt). */
void aim_nn_wino_gemm_c(float *mm, const float *u, const float *v, int cin, int cout, int nt,
                        int m);
/**
 * The output transform into out (its w x h x c already set and allocated): bias (NULL: none)
 * and the activation applied, pixels past out's edge dropped.
 */
void aim_nn_wino_output_c(AimNnMat *out, const float *mm, const float *bias, const AimNnAct *act,
                          int tw, int th, int m);

#endif
