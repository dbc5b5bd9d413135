#version 450
// Winograd F(2x2 or 4x4, 3x3), pass 2 of 3, the GPU form (src/nn/vk/conv.c; CPU reference:
// src/nn/winograd.h aim_nn_wino_gemm_c): the same NPOS products M[p] (cout x nt) = U[p] (cout x
// cin, stored [ci][co]) . V[p] (cin x nt) as wino_gemm.comp (the register-blocked form CPU
// drivers keep), tiled as the classic shared-memory SGEMM: a work group of 256 invocations
// computes a BM x BN = 64 x 64 block of M[p] (16 x 256 for narrow layers, BM below), walks K
// (cin) in slices of BK = 16 staged in shared memory (U's slice is 16 rows of BM consecutive
// output channels, V's 16 rows of BN consecutive tiles: both loads coalesced, each value
// loaded once and read from shared memory by BN / 4 or BM / 4 invocations), and each
// invocation keeps a 4 x 4 block of outputs in registers (rows ty + BM / 4 i, columns
// tx + BN / 4 j: a subgroup's shared-memory reads are broadcasts (A) or consecutive words (B),
// its stores consecutive floats). Sizes: 64 x 64 x 16 with 4 x 4 per invocation is the
// textbook step of the public CUDA SGEMM walkthroughs (a 64 x 64 block from 64 x 16 and
// 16 x 64 slices, 4 x 4 outputs a thread; e.g. github.com/CalebDu/gemm), the size before their
// 128 x 128 one, chosen because our M is small (48-64 output channels: one row of groups) and
// nt per chunk is a few thousand: 8 warps on NVIDIA, 4 wave64 on AMD, 8 KiB of shared memory
// (17 KiB for 16 x 256) and 16 accumulators, so several groups fit per SM / CU.
// Unmeasured on a GPU (bench/vk_bench.sh measures it: AIM_VK_CONV=winograd4).
// U in the run's precision, V and M fp32; every output is the fma chain over ci in ascending
// order, as wino_gemm.comp's, so the two forms give the same floats.
#include "common.glsl"

layout(local_size_x = 256) in;

layout(constant_id = 0) const int NPOS = 16; // positions: 16 for F(2x2, 3x3), 36 for F(4x4)
// The block's rows (output channels): 64, or 16 for narrow layers (conv.c), BN = 4096 / BM tiles
// (conv.comp's narrow tiles: a 3- to 16-channel layer would waste 4-20x of a 64-row block)
layout(constant_id = 1) const int BM = 64;

layout(binding = 0) readonly buffer U { sfp u[]; };
layout(binding = 1) readonly buffer V { float v[]; };
layout(binding = 2) writeonly buffer M { float m[]; };

layout(push_constant) uniform P { int cin, cout, nt; } p;

const int BN = 4096 / BM, BK = 16, T = 4;
const int TX = BN / T; // invocations along n (64 x 4, or 16 x 16 for BM = 64)
shared float As[BK * BM]; // [k][m]: U's slice
shared float Bs[BK * BN]; // [k][n]: V's slice

void main()
{
    const int pos = GROUP_Z(NPOS);
    const int n0 = GROUP_X(NPOS) * BN, m0 = int(gl_WorkGroupID.y) * BM;
    if (n0 >= p.nt) // a folded grid's extra groups (common.glsl): the whole group leaves
        return;
    const int tid = int(gl_LocalInvocationID.x), tx = tid % TX, ty = tid / TX;
    const int ub = pos * p.cin * p.cout, vb = pos * p.cin * p.nt;
    float acc[T][T];
    for (int i = 0; i < T; i++)
        for (int j = 0; j < T; j++)
            acc[i][j] = 0.0;
    for (int k0 = 0; k0 < p.cin; k0 += BK) {
        // element e of a slice is row e / width, column e % width: consecutive invocations
        // load consecutive words
        for (int e = tid; e < BK * BM; e += 256) {
            int kk = k0 + e / BM, mm = m0 + e % BM;
            As[e] = kk < p.cin && mm < p.cout ? float(u[ub + kk * p.cout + mm]) : 0.0;
        }
        for (int e = tid; e < BK * BN; e += 256) {
            int kk = k0 + e / BN, nn = n0 + e % BN;
            Bs[e] = kk < p.cin && nn < p.nt ? v[vb + kk * p.nt + nn] : 0.0;
        }
        barrier();
        // past cin the slice holds zeros, but the fma chain stops at cin like wino_gemm.comp's
        const int kn = min(BK, p.cin - k0);
        for (int k = 0; k < kn; k++) {
            float a[T], b[T];
            for (int i = 0; i < T; i++)
                a[i] = As[k * BM + ty + (BM / T) * i];
            for (int j = 0; j < T; j++)
                b[j] = Bs[k * BN + tx + TX * j];
            for (int i = 0; i < T; i++)
                for (int j = 0; j < T; j++)
                    acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier();
    }
    const int mb = pos * p.cout * p.nt;
    for (int i = 0; i < T; i++) {
        int co = m0 + ty + (BM / T) * i;
        for (int j = 0; j < T; j++) {
            int t = n0 + tx + TX * j;
            if (co < p.cout && t < p.nt)
                m[mb + co * p.nt + t] = acc[i][j];
        }
    }
}
