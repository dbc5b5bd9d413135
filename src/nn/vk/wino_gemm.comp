#version 450
// Winograd F(2x2 or 4x4, 3x3), pass 2 of 3 (src/nn/vk/conv.c; CPU reference:
// src/nn/winograd.h aim_nn_wino_gemm_c): for each of the NPOS positions p (the dispatch's z),
// the product M[p] (cout x nt) = U[p] (cout x cin, stored [ci][co]) . V[p] (cin x nt).
// Register-blocked as conv.comp's DIRECT form (no shared memory, no barriers: on a CPU driver
// loads set the speed): each invocation computes RM output channels x RN consecutive tiles, so
// each loaded weight feeds RN multiply-adds and each loaded V value RM. U in the run's
// precision, V and M fp32, accumulation fp32.
#include "common.glsl"

layout(local_size_x = 64) in;

layout(constant_id = 0) const int NPOS = 16; // positions: 16 for F(2x2, 3x3), 36 for F(4x4)

layout(binding = 0) readonly buffer U { sfp u[]; };
layout(binding = 1) readonly buffer V { float v[]; };
layout(binding = 2) writeonly buffer M { float m[]; };

layout(push_constant) uniform P { int cin, cout, nt; } p;

// SMALL (conv.c, chunks of fewer than WINO_GEMM_SMALL_TILES tiles): each invocation computes
// 16 output channels x 4 tiles instead, and the invocations are packed densely over
// (tile block, channel block), tile blocks fastest, the dispatch's x counting them in groups of
// 64 (y is 1): a chunk of 12 tiles (RIFE's coarsest IFBlock) fills one invocation of the big
// shape's 64 per work group, on lavapipe one SIMD lane of 8 working. Same sums as the big shape,
// bit for bit: every output is the fma chain over ci in order from 0.
layout(constant_id = 1) const int SMALL = 0;

// The big shape 8 x 16: on lavapipe 8 x 8 (conv.comp DIRECT's) took 5-14% more CPU time for
// realesr-animevideov3, 16 x 16 was not clearly better than 8 x 16 under the machine's load
// (bench/RESULTS-vk.md, "Winograd F(2x2, 3x3)"); the sums are the same, bit for bit
const int RM = SMALL != 0 ? 16 : 8, RN = SMALL != 0 ? 4 : 16;

void main()
{
    const int pos = GROUP_Z(NPOS);
    int n0, m0;
    if (SMALL != 0) {
        const int idx = GROUP_X(NPOS) * 64 + int(gl_LocalInvocationID.x);
        const int tb = (p.nt + RN - 1) / RN, cb = idx / tb;
        n0 = (idx - cb * tb) * RN;
        m0 = cb * RM;
        if (m0 >= p.cout)
            return;
    } else {
        n0 = (GROUP_X(NPOS) * 64 + int(gl_LocalInvocationID.x)) * RN;
        m0 = int(gl_WorkGroupID.y) * RM;
        if (n0 >= p.nt)
            return;
    }
    const int ub = pos * p.cin * p.cout, vb = pos * p.cin * p.nt;
    const int nn = min(RN, p.nt - n0), mm = min(RM, p.cout - m0);
    float acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++)
            acc[i][j] = 0.0;
    for (int ci = 0; ci < p.cin; ci++) {
        float b[RN], a[RM];
        for (int j = 0; j < RN; j++)
            b[j] = j < nn ? v[vb + ci * p.nt + n0 + j] : 0.0;
        for (int i = 0; i < RM; i++)
            a[i] = i < mm ? float(u[ub + ci * p.cout + m0 + i]) : 0.0;
        for (int i = 0; i < RM; i++)
            for (int j = 0; j < RN; j++)
                acc[i][j] = fma(a[i], b[j], acc[i][j]);
    }
    const int mb = pos * p.cout * p.nt;
    for (int i = 0; i < mm; i++)
        for (int j = 0; j < nn; j++)
            m[mb + (m0 + i) * p.nt + n0 + j] = acc[i][j];
}
