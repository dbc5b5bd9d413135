#version 450
// Convolution and Deconvolution (ncnn semantics, the CPU reference aim_nn_conv_forward_ref /
// aim_nn_deconv_forward_ref) as an implicit GEMM: out[co][n] = act(bias[co] + sum_k
// W[co][k] * B[k][n]) with k = (ci, ky, kx) in the weights' own order ([cout][cin/g][kh][kw], so
// the weights are uploaded unpacked) and n an output pixel; B is gathered from the input on the
// fly (no im2col buffer): for a convolution the input pixel under tap (ky, kx), the pad value
// outside; for a deconvolution the input pixel whose stride-spaced tap lands on n, 0 if none.
//
// Tiling (the classic shared-memory SGEMM): a work group of 256 invocations computes a 64
// (output channels) x 64 (pixels) tile; K is walked in slices of 16: both operand slices are
// staged in shared memory (each invocation loads 4 + 4 elements, consecutive invocations reading
// consecutive pixels), then each invocation accumulates its 4 x 4 outputs (channels tm + 16i,
// pixels tn + 16j: neighbouring invocations write neighbouring pixels). Accumulation is fp32
// in both variants. Groups (grouped convolution) are the z dimension of the dispatch.
#include "common.glsl"

layout(local_size_x = 256) in;

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
} p;

const int BM = 64, BN = 64, BK = 16;
shared float As[BK][BM];
shared float Bs[BK][BN];

// As aim_nn_act_apply. GLSL's tanh and exp may give NaN/inf at large arguments: softplus is v
// itself above 20 (exp(-20) is below float epsilon), and tanh(20) is 1 in float.
float act(float v)
{
    if (ACT == 1) return max(v, 0.0);
    if (ACT == 2) return v > 0.0 ? v : v * ACT_A;
    if (ACT == 3) return clamp(v, ACT_A, ACT_B);
    if (ACT == 4) return 1.0 / (1.0 + exp(-v));
    if (ACT == 5) return v * tanh(min(v > 20.0 ? v : log(1.0 + exp(v)), 20.0));
    if (ACT == 6) {
        float lower = -ACT_B / ACT_A, upper = 1.0 / ACT_A + lower;
        return v < lower ? 0.0 : v > upper ? v : v * (v * ACT_A + ACT_B);
    }
    return v;
}

void main()
{
    const int maxk = KW * KH;
    const int K = p.cing * maxk;
    const int npix = p.ow * p.oh;
    const int tid = int(gl_LocalInvocationID.x);
    const int tm = tid / 16, tn = tid % 16;
    const int n0 = int(gl_WorkGroupID.x) * BN;
    const int m0 = int(gl_WorkGroupID.y) * BM;
    const int g = int(gl_WorkGroupID.z);
    const int cin0 = g * p.cing, cout0 = g * p.coutg;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0;

    // the pixel this invocation gathers for B: constant over the K loop
    const int bn = tid % BN, bk0 = tid / BN; // k rows bk0, bk0 + 4, ...
    const int n = n0 + bn;
    const int oy = n / max(p.ow, 1), ox = n - oy * p.ow;

    for (int k0 = 0; k0 < K; k0 += BK) {
        // weights: As[k][m] = W[cout0 + m0 + m][k0 + k]
        for (int i = 0; i < 4; i++) {
            int e = tid + 256 * i, m = e / BK, k = e % BK;
            int co = m0 + m, kk = k0 + k;
            As[k][m] = co < p.coutg && kk < K ? float(wt[(cout0 + co) * K + kk]) : 0.0;
        }
        // inputs: Bs[k][n]
        for (int i = 0; i < 4; i++) {
            int k = bk0 + 4 * i, kk = k0 + k;
            float v = 0.0;
            if (kk < K && n < npix) {
                int ci = kk / maxk, r = kk - ci * maxk, ky = r / KW, kx = r - ky * KW;
                if (DECONV == 0) {
                    int iy = oy * SH + ky * DH - p.pt, ix = ox * SW + kx * DW - p.pl;
                    v = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w
                        ? float(x[(cin0 + ci) * p.cstep + iy * p.w + ix]) : p.pad_value;
                } else {
                    int ty = oy + p.pt - ky * DH, tx = ox + p.pl - kx * DW;
                    int iy = ty / SH, ix = tx / SW;
                    if (ty >= 0 && tx >= 0 && iy * SH == ty && ix * SW == tx && iy < p.h &&
                        ix < p.w)
                        v = float(x[(cin0 + ci) * p.cstep + iy * p.w + ix]);
                }
            }
            Bs[k][bn] = v;
        }
        barrier();
        for (int k = 0; k < BK; k++) {
            float a[4], b[4];
            for (int i = 0; i < 4; i++)
                a[i] = As[k][tm + 16 * i];
            for (int j = 0; j < 4; j++)
                b[j] = Bs[k][tn + 16 * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }

    for (int i = 0; i < 4; i++) {
        int co = m0 + tm + 16 * i;
        if (co >= p.coutg)
            continue;
        float bv = BIAS != 0 ? bias[cout0 + co] : 0.0;
        for (int j = 0; j < 4; j++) {
            int nn = n0 + tn + 16 * j;
            if (nn < npix)
                y[(cout0 + co) * p.ocstep + nn] = sfp(act(acc[i][j] + bv));
        }
    }
}
