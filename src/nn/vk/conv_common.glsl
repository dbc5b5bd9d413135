// Shared by conv.comp and conv_cm.comp: the (de)convolution's constants, bindings, push
// constants, fused activation and its two GEMM operands (see conv.comp).
layout(constant_id = 0) const int KW = 3;
layout(constant_id = 1) const int KH = 3;
layout(constant_id = 2) const int DW = 1;
layout(constant_id = 3) const int DH = 1;
layout(constant_id = 4) const int SW = 1;
layout(constant_id = 5) const int SH = 1;
layout(constant_id = 6) const int DECONV = 0;
layout(constant_id = 7) const int ACT = 0;     // AIM_NN_ACT_* (nn/ops.h)
layout(constant_id = 8) const float ACT_A = 0; // leaky slope / clip min / hardswish alpha
layout(constant_id = 9) const float ACT_B = 0; // clip max / hardswish beta
layout(constant_id = 10) const int BIAS = 0;

layout(binding = 0) readonly buffer In { sfp x[]; };
layout(binding = 1) writeonly buffer Out { sfp y[]; };
layout(binding = 2) readonly buffer W { sfp wt[]; };
layout(binding = 3) readonly buffer Bias { float bias[]; };

layout(push_constant) uniform P {
    int w, h, cstep;     // input
    int ow, oh, ocstep;  // output
    int cing, coutg;     // channels per group
    int pl, pt;          // padding (left, top): conv pads the input, deconv crops the output
    float pad_value;     // conv only
    int nz;              // the logical grid's z: groups (times SH * SW phases with PHASE)
} p;

#include "act.glsl"
float act(float v)
{
    return act_apply(ACT, ACT_A, ACT_B, v);
}

// A[co][k]: the weights in their own order, 0 past the edges of the tile.
float load_w(int cout0, int co, int kk, int K)
{
    return co < p.coutg && kk < K ? float(wt[(cout0 + co) * K + kk]) : 0.0;
}

// B[k][n] for output pixel (oy, ox): k = (ci, ky, kx). Convolution: the input under the tap,
// the pad value outside. Deconvolution: the input pixel whose tap lands here, 0 if none.
float gather(int cin0, int kk, int oy, int ox)
{
    const int maxk = KW * KH;
    int ci = kk / maxk, r = kk - ci * maxk, ky = r / KW, kx = r - ky * KW;
    if (DECONV == 0) {
        int iy = oy * SH + ky * DH - p.pt, ix = ox * SW + kx * DW - p.pl;
        return iy >= 0 && iy < p.h && ix >= 0 && ix < p.w
               ? float(x[(cin0 + ci) * p.cstep + iy * p.w + ix]) : p.pad_value;
    }
    int ty = oy + p.pt - ky * DH, tx = ox + p.pl - kx * DW;
    int iy = ty / SH, ix = tx / SW;
    return ty >= 0 && tx >= 0 && iy * SH == ty && ix * SW == tx && iy < p.h && ix < p.w
           ? float(x[(cin0 + ci) * p.cstep + iy * p.w + ix]) : 0.0;
}
