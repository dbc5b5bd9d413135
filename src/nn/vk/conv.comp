#version 450
// Convolution and Deconvolution (ncnn semantics, the CPU reference aim_nn_conv_forward_ref /
// aim_nn_deconv_forward_ref) as an implicit GEMM: out[co][n] = act(bias[co] + sum_k
// W[co][k] * B[k][n]) with k = (ci, ky, kx) in the weights' own order ([cout][cin/g][kh][kw], so
// the weights are uploaded unpacked) and n an output pixel; B is gathered from the input on the
// fly (no im2col buffer): for a convolution the input pixel under tap (ky, kx), the pad value
// outside; for a deconvolution the input pixel whose stride-spaced tap lands on n, 0 if none.
//
// Tiling (the classic shared-memory SGEMM): a work group of 256 invocations computes a BM
// (output channels) x BN (pixels) tile; K is walked in slices of 16: both operand slices are
// staged in shared memory (consecutive invocations reading consecutive pixels), then each
// invocation accumulates its 4 x 4 outputs (channels tm + TM i, pixels tn + TN j: neighbouring
// invocations write neighbouring pixels). Accumulation is fp32
// in both variants. Groups (grouped convolution) are the z dimension of the dispatch.
#include "common.glsl"

layout(local_size_x = 256) in;

#include "conv_common.glsl"

// BM output channels x BN pixels per work group (BM * BN = 4096, 16 per invocation): 64 x 64,
// or 16 x 256 for layers of <= 16 output channels (to RGB: 3 of 64 rows would be work).
layout(constant_id = 11) const int BM = 64;
const int BN = 4096 / BM, BK = 16;
const int TM = BM / 4, TN = 256 / TM; // invocations along channels and pixels
shared float As[BK][BM];
shared float Bs[BK][BN];

void main()
{
    const int K = p.cing * KW * KH;
    const int npix = p.ow * p.oh;
    const int tid = int(gl_LocalInvocationID.x);
    const int tm = tid / TN, tn = tid % TN;
    const int n0 = int(gl_WorkGroupID.x) * BN;
    const int m0 = int(gl_WorkGroupID.y) * BM;
    const int g = int(gl_WorkGroupID.z);
    const int cin0 = g * p.cing, cout0 = g * p.coutg;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0;

    // the pixel this invocation gathers for B: constant over the K loop
    const int bn = tid % BN, bk0 = tid / BN, bks = 256 / BN; // k rows bk0, bk0 + bks, ...
    const int n = n0 + bn;
    const int oy = n / max(p.ow, 1), ox = n - oy * p.ow;

    for (int k0 = 0; k0 < K; k0 += BK) {
        // weights: As[k][m] = W[cout0 + m0 + m][k0 + k]
        for (int i = 0; i < BM * BK / 256; i++) {
            int e = tid + 256 * i, m = e / BK, k = e % BK;
            As[k][m] = load_w(cout0, m0 + m, k0 + k, K);
        }
        // inputs: Bs[k][n]
        for (int i = 0; i < BK / bks; i++) {
            int k = bk0 + bks * i, kk = k0 + k;
            Bs[k][bn] = kk < K && n < npix ? gather(cin0, kk, oy, ox) : 0.0;
        }
        barrier();
        for (int k = 0; k < BK; k++) {
            float a[4], b[4];
            for (int i = 0; i < 4; i++)
                a[i] = As[k][tm + TM * i];
            for (int j = 0; j < 4; j++)
                b[j] = Bs[k][tn + TN * j];
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++)
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }

    for (int i = 0; i < 4; i++) {
        int co = m0 + tm + TM * i;
        if (co >= p.coutg)
            continue;
        float bv = BIAS != 0 ? bias[cout0 + co] : 0.0;
        for (int j = 0; j < 4; j++) {
            int nn = n0 + tn + TN * j;
            if (nn < npix)
                y[(cout0 + co) * p.ocstep + nn] = sfp(act(acc[i][j] + bv));
        }
    }
}
