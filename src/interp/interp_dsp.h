// Hot loops of the classic interpolation engine, as function pointers (dav1d src/pal.h style).
// aim_interp_dsp_init() assigns the C references (the specification, never deleted) and then
// lets the x86 init override them per the allowed CPU flags. tests/dsp/test_interp_dsp.c checks
// every optimised kernel against its reference.
#ifndef AIM_INTERP_DSP_H
#define AIM_INTERP_DSP_H

#include <stddef.h>
#include <stdint.h>

/** Patch side of the inverse search (DIS uses 8; the kernels are written for exactly 8). */
#define AIM_FLOW_PATCH 8

/**
 * Luma to float at 1/d resolution: dst[x] = scale * sum of the d x d box of src at (d*x, 0),
 * for x < w. scale folds 1/(d*d) and the bit-depth normalisation (values in 8-bit units).
 */
#define decl_luma_down_fn(name) \
    void (name)(float *dst, const uint16_t *src, ptrdiff_t stride, int w, int d, float scale)
/** 2x2 box: dst[x] = 0.25 * (s0[2x] + s0[2x+1] + s1[2x] + s1[2x+1]) for x < w. */
#define decl_down2_fn(name) void (name)(float *dst, const float *s0, const float *s1, int w)
/**
 * Central differences of one row of a padded image (src[-1], src[w], src[+-stride] readable):
 * gx[x] = (src[x+1] - src[x-1]) / 2, gy[x] = (src[x+stride] - src[x-stride]) / 2, x < w.
 */
#define decl_grad_fn(name) void (name)(float *gx, float *gy, const float *src, ptrdiff_t stride, int w)
/**
 * One Gauss-Newton step of the 8x8 inverse search. i1 points at the integer top-left of the
 * displaced patch in the target image, (fx, fy) in [0,1] the bilinear fraction; tp/gx/gy the
 * template patch and its gradients (stride st). With d = I1(bilinear) - T over the 64 pixels:
 * out[0] = sum gx*d, out[1] = sum gy*d, out[2] = sum d, out[3] = sum d*d.
 */
#define decl_patch_step_fn(name) \
    void (name)(float out[4], const float *i1, ptrdiff_t s1, float fx, float fy, \
                const float *tp, const float *gx, const float *gy, ptrdiff_t st)
/**
 * Sums over an 8x8 patch of gradients gx, gy (stride st) for the inverse search's Hessian:
 * out[0] = sum gx, out[1] = sum gy, out[2] = sum gx*gx, out[3] = sum gx*gy, out[4] = sum gy*gy.
 */
#define decl_patch_hess_fn(name) \
    void (name)(float out[5], const float *gx, const float *gy, ptrdiff_t st)
/**
 * DIS densification of one 8x8 patch with flow (u, v): per pixel, e = |I1(bilinear) - T - mean|,
 * wgt = 1 / max(1, e); acc[0][i] += wgt*u, acc[1][i] += wgt*v, acc[2][i] += wgt (acc stride sa).
 */
#define decl_patch_densify_fn(name) \
    void (name)(float *acc_u, float *acc_v, float *acc_w, ptrdiff_t sa, const float *i1, \
                ptrdiff_t s1, float fx, float fy, const float *tp, ptrdiff_t st, float mean, \
                float u, float v)
/**
 * Horizontal field upsampling for one output row: for x < w, with i = xi[x], f = xf[x]:
 * mx[x] = (ru[i] + f * (ru[i+1] - ru[i])) * sx, my[x] likewise from rv times sy, and w0[x] from rw
 * unscaled. The rows have been interpolated vertically by the caller.
 */
#define decl_field_row_fn(name) \
    void (name)(float *mx, float *my, float *w0, const float *ru, const float *rv, \
                const float *rw, const int32_t *xi, const float *xf, float sx, float sy, int w)
/**
 * Two-sided warp of columns x0 <= x < w of output row y (dst, mx, my, w0 indexed by x):
 * p0 = (x - t*mx, y - t*my) in src0 and
 * p1 = (x + (1-t)*mx, y + (1-t)*my) in src1, clamped to the plane, sampled bilinearly;
 * dst[x] = clamp(round(w0*a + (1-w0)*b), 0, maxv). Planes are pw x ph with strides s0, s1,
 * readable 8 samples past each row's end (SIMD versions may over-read: AimFrame's padding).
 */
#define decl_warp_row_fn(name) \
    void (name)(uint16_t *dst, const uint16_t *src0, ptrdiff_t s0, const uint16_t *src1, \
                ptrdiff_t s1, int pw, int ph, int y, const float *mx, const float *my, \
                const float *w0, float t, int maxv, int x0, int w)

/**
 * Forward-backward consistency of flow row y (u, v: that row of the w x h flow): for x < w,
 * with (X, Y) = (x + u[x], y + v[x]), cu = u[x] + ou(X, Y), cv = v[x] + ov(X, Y), the other
 * direction's flow ou, ov (w x h, stride w) sampled bilinearly as aim_bilin_f (clamped);
 * q[x] = 1 / (1 + cu^2 + cv^2) + 1e-3. Needs w, h >= 2 (as aim_bilin_f).
 */
#define decl_fb_qual_row_fn(name) \
    void (name)(float *q, const float *u, const float *v, const float *ou, const float *ov, \
                int w, int h, int y)
/**
 * Splat of flow row y of one frame to time t (the classic engine's step 1): for x < w, the
 * pixel moves to (X, Y) = (x + step*u[x], y + step*v[x]) and adds, to each of the 4 grid
 * points around it inside the w x h grid, bilinear weight b times wq = q[x]^2 * nearw into
 * acc[4*k .. 4*k+2] += (b*wq*sign*u, b*wq*sign*v, b*wq) (acc: 4 floats per grid point, row
 * stride 4*w). Points with X or Y outside (-1, w) x (-1, h) add nothing. Adds happen in order
 * of x, then the 4 corners (top-left, top-right, bottom-left, bottom-right).
 */
#define decl_splat_row_fn(name) \
    void (name)(float *acc, const float *u, const float *v, const float *q, int w, int h, \
                int y, float step, float sign, float nearw)

/**
 * Field from the two splat accumulators (4 floats per point: u*w, v*w, w, unused), n points:
 * with s = a0 + a1, u[k] = s.u / s.w, v[k] = s.v / s.w, c[k] = 1 where s.w > 0, else 0, 0, 0.
 * Then both accumulators are zeroed (ready for the next splat).
 */
#define decl_field_norm_fn(name) \
    void (name)(float *u, float *v, float *c, float *a0, float *a1, int n)

/** One row of the classic engine's visibility / trust pass (see classic.c visibility_job);
 *  w, h >= 2 (bilinear sampling as aim_bilin_f). */
typedef struct AimVisRow {
    const float *U, *V;                 ///< field at t, this row
    const float *u01, *v01, *u10, *v10; ///< both flows, this row
    const float *q0, *q1;               ///< splat qualities, whole w x h images (stride w)
    const float *i0, *i1;               ///< luma images, pixel (0, 0) (padded planes)
    ptrdiff_t si0, si1;                 ///< their strides
    float *bad, *fdiff, *stay0, *stay1, *fw0; ///< outputs, this row
    int w, h, y;
    float t;
} AimVisRow;
#define decl_vis_row_fn(name) void (name)(const AimVisRow *a)

/**
 * One row of the 2x flow upsampling (flow.c, upsample_flow): rows a, b of the coarse level (cw
 * values each) blend vertically into tmp[x] = 2 * (a[x] + wy1 * (b[x] - a[x])), x < cw, then
 * for x < w (w is 2cw - 1, 2cw or 2cw + 1): with c0 = (x >> 1) - 1 + (x & 1) and c1 = c0 + 1,
 * both clamped to [0, cw - 1], and wx1 = 0.25 for odd x, 0.75 for even x:
 * o[x] = tmp[c0] + wx1 * (tmp[c1] - tmp[c0]). Needs cw >= 1.
 */
#define decl_flow_up_row_fn(name) \
    void (name)(float *o, float *tmp, const float *a, const float *b, float wy1, int cw, int w)
// Variational refinement of the flow (flow.c refine_level), one row per call. All images are
// w x h with stride w except the pyramid planes of the data term. Rows must be done in order
// where a kernel reads a previous row's output (var_diag_row's wd_up).

/** Data terms of row y (needs w, h >= 2, as aim_bilin_f): with (X, Y) = (x + u[x], y + v[x])
 *  and I1, G1x, G1y sampled there as aim_bilin_f: ix = (G1x + g0x) / 2, iy = (G1y + g0y) / 2,
 *  iz = I1 - i0, ixz = G1x - g0x, iyz = G1y - g0y, out = 1 where (X, Y) lies outside
 *  [0, w-1] x [0, h-1], else 0. */
typedef struct AimVarData {
    float *ix, *iy, *iz, *ixz, *iyz, *out; ///< outputs, this row
    const float *u, *v;                    ///< flow, this row
    const float *i0, *g0x, *g0y;           ///< template image and gradients, this row
    const float *i1, *g1x, *g1y;           ///< target image and gradients, pixel (0, 0)
    ptrdiff_t s1;                          ///< their (common) stride
    int w, h, y;
} AimVarData;
#define decl_var_data_row_fn(name) void (name)(const AimVarData *a)

/** Linear system of one row (see refine_level): normalised intensity and gradient constancy
 *  (Charbonnier) into a11, a12, a22, b1, b2 (all 0 where out[x] != 0), smoothness weight
 *  ws = alpha / sqrt(|grad u|^2 + |grad v|^2 + eps^2) with forward differences. Neighbours
 *  outside the image are clamped: at the first / last row the *_up / *_dn pointers point at
 *  this row; x - 1 and x + 1 are clamped to [0, w-1]. */
typedef struct AimVarCoef {
    float *a11, *a12, *a22, *b1, *b2, *ws;      ///< outputs, this row
    const float *ix, *iy, *iz, *ixz, *iyz, *out; ///< var_data_row's outputs, this row
    const float *ix_up, *ix_dn, *iy_up, *iy_dn; ///< ix, iy of rows y-1 and y+1 (clamped)
    const float *u, *v, *u_dn, *v_dn;           ///< flow of this row and of row y+1 (clamped)
    int w;
    float alpha, gamma, delta;
} AimVarCoef;
#define decl_var_coef_row_fn(name) void (name)(const AimVarCoef *a)

/** Edge weights and inverted diagonals of one row: wr[x] = (ws[x] + ws[x+1]) / 2 (0 at
 *  x = w-1), wd[x] = (ws[x] + ws_dn[x]) / 2 (0 on the last row, ws_dn == NULL); with sw the
 *  sum of the weights of the existing neighbours (wr[x-1], wr[x], wd_up[x], wd[x]; wd_up ==
 *  NULL on the first row, else the previous row's wd), i11 = 1 / (a11 + sw), i22 likewise. */
typedef struct AimVarDiag {
    float *wr, *wd, *i11, *i22; ///< outputs, this row
    const float *ws, *ws_dn;    ///< smoothness weights of this row and the next (or NULL)
    const float *wd_up;         ///< wd of the previous row (or NULL)
    const float *a11, *a22;     ///< this row
    int w;
} AimVarDiag;
#define decl_var_diag_row_fn(name) void (name)(const AimVarDiag *a)

/** Red-black split of a row for the SOR sweeps: the row's even pixels, then its odd ones,
 *  dst[x / 2] = src[x] for even x, dst[(w + 1) / 2 + x / 2] = src[x] for odd x (dst != src).
 *  In a row each half is one colour of the checkerboard, so a half-sweep reads and writes
 *  consecutive values. */
#define decl_var_split_row_fn(name) void (name)(float *dst, const float *src, int w)
/** Inverse of the split, adding two split rows: dst[x] = a[i] + b[i] with i the split index
 *  of x (dst distinct from a and b). */
#define decl_var_merge_row_fn(name) void (name)(float *dst, const float *a, const float *b, int w)

/** One red-black SOR half-sweep of one row, on split rows (var_split_row): the pixels of
 *  parity x0 (x = x0, x0 + 2, ... < w) get du += omega * ((b1 - a12 * dv + su) * i11 - du),
 *  then dv likewise with the new du and b2, i22, sv, where su = sum over the existing
 *  neighbours n (left: weight wr[x-1], right: wr[x], up: wd of the row above, down: wd[x]) of
 *  weight * (u[n] + du[n] - u[x]), added in that order (sv: v, dv). All arrays are split rows
 *  of stride w: rows above / below (when up / down) at -w / +w. The neighbours are of the
 *  other colour, so the pixels of one call are independent. */
typedef struct AimVarSor {
    float *du, *dv;       ///< updates, this row (read and written)
    const float *u, *v;   ///< flow, this row
    const float *wr, *wd; ///< edge weights, this row
    const float *b1, *b2, *a12, *i11, *i22;
    int w, x0, up, down;
    float omega;
} AimVarSor;
#define decl_var_sor_row_fn(name) void (name)(const AimVarSor *a)

typedef decl_luma_down_fn(*AimLumaDownFn);
typedef decl_down2_fn(*AimDown2Fn);
typedef decl_grad_fn(*AimGradFn);
typedef decl_patch_step_fn(*AimPatchStepFn);
typedef decl_patch_hess_fn(*AimPatchHessFn);
typedef decl_patch_densify_fn(*AimPatchDensifyFn);
typedef decl_field_row_fn(*AimFieldRowFn);
typedef decl_warp_row_fn(*AimWarpRowFn);
typedef decl_fb_qual_row_fn(*AimFbQualRowFn);
typedef decl_splat_row_fn(*AimSplatRowFn);
typedef decl_vis_row_fn(*AimVisRowFn);
typedef decl_field_norm_fn(*AimFieldNormFn);
typedef decl_flow_up_row_fn(*AimFlowUpRowFn);
typedef decl_var_data_row_fn(*AimVarDataRowFn);
typedef decl_var_coef_row_fn(*AimVarCoefRowFn);
typedef decl_var_diag_row_fn(*AimVarDiagRowFn);
typedef decl_var_sor_row_fn(*AimVarSorRowFn);
typedef decl_var_split_row_fn(*AimVarSplitRowFn);
typedef decl_var_merge_row_fn(*AimVarMergeRowFn);

typedef struct AimInterpDsp {
    AimLumaDownFn luma_down;
    AimDown2Fn down2;
    AimGradFn grad;
    AimPatchStepFn patch_step;
    AimPatchHessFn patch_hess;
    AimPatchDensifyFn patch_densify;
    AimFieldRowFn field_row;
    AimWarpRowFn warp_row;
    AimFbQualRowFn fb_qual_row;
    AimSplatRowFn splat_row;
    AimVisRowFn vis_row;
    AimFieldNormFn field_norm;
    AimFlowUpRowFn flow_up_row;
    AimVarDataRowFn var_data_row;
    AimVarCoefRowFn var_coef_row;
    AimVarDiagRowFn var_diag_row;
    AimVarSorRowFn var_sor_row;
    AimVarSplitRowFn var_split_row;
    AimVarMergeRowFn var_merge_row;
    unsigned isa; ///< AIM_CPU_* level the kernels above were chosen for (0 = C)
} AimInterpDsp;

/** C references, then the best SIMD versions `flags` allows. */
void aim_interp_dsp_init(AimInterpDsp *dsp, unsigned flags);
/** x86 part (src/x86/interp_init.c). */
void aim_interp_dsp_init_x86(AimInterpDsp *dsp, unsigned flags);

// The C references, for tests.
decl_luma_down_fn(aim_luma_down_c);
decl_down2_fn(aim_down2_c);
decl_grad_fn(aim_grad_c);
decl_patch_step_fn(aim_patch_step_c);
decl_patch_hess_fn(aim_patch_hess_c);
decl_patch_densify_fn(aim_patch_densify_c);
decl_field_row_fn(aim_field_row_c);
decl_warp_row_fn(aim_warp_row_c);
decl_fb_qual_row_fn(aim_fb_qual_row_c);
decl_splat_row_fn(aim_splat_row_c);
decl_vis_row_fn(aim_vis_row_c);
decl_field_norm_fn(aim_field_norm_c);
decl_flow_up_row_fn(aim_flow_up_row_c);
decl_var_data_row_fn(aim_var_data_row_c);
decl_var_coef_row_fn(aim_var_coef_row_c);
decl_var_diag_row_fn(aim_var_diag_row_c);
decl_var_sor_row_fn(aim_var_sor_row_c);
decl_var_split_row_fn(aim_var_split_row_c);
decl_var_merge_row_fn(aim_var_merge_row_c);

#endif
