#version 450
// Winograd F(2x2 or 4x4, 3x3), pass 2 of 3, on cooperative matrices (GL_NV_cooperative_matrix:
// NVIDIA tensor cores, Turing and later; src/nn/vk/conv.c; CPU reference: src/nn/winograd.h
// aim_nn_wino_gemm_c): the NPOS products M[p] (cout x nt) = U[p] (cout x cin, stored [ci][co])
// . V[p] (cin x nt) of wino_gemm.comp, as conv_cm.comp does its implicit GEMM: a 64 x 64 block
// of M[p] by 4 subgroups of 32 invocations, each a 32 x 32 quarter as 2 x 2 fp16 16x16x16
// multiply-adds into fp32 accumulators, K (cin) in slices of 16 staged in shared memory as
// fp16 (U's slice 16 rows of 64 consecutive output channels, V's 16 rows of 64 consecutive
// tiles: coalesced loads; the fp32 variant rounds U to fp16 there too), the accumulators
// through shared memory to coalesced fp32 stores of M.
// V (fp32) is split into two fp16 parts, hi = fp16(v) and lo = fp16(v - hi), and multiplied
// twice (U . V = U . hi + U . lo, the split of Markidis et al., "NVIDIA Tensor Core
// Programmability, Performance & Precision", 2018): V keeps ~22 bits, so the error is the
// fp16 U's, as in the other forms. Rounding V to fp16 alone (one product) gave F(4x4)'s fp16
// run 9.7e-3 against test_vk_winograd's 1e-2 tolerance (an emulation on lavapipe,
// bench/RESULTS-vk.md "Winograd's GEMM in GPU forms"); tensor cores have throughput to spare
// for the second product.
// Used only where the device runs cooperative matrices (aim_vk_device_coopmat: the 16x16x16
// fp16 -> fp32 subgroup shape, a subgroup size of 32, fp16, AIM_VK_COOPMAT=1); wino_gemm_tiled
// is the GPU form everywhere else.
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "common.glsl"

layout(local_size_x = 128) in;

layout(constant_id = 0) const int NPOS = 16; // positions: 16 for F(2x2, 3x3), 36 for F(4x4)

layout(binding = 0) readonly buffer U { sfp u[]; };
layout(binding = 1) readonly buffer V { float v[]; };
layout(binding = 2) writeonly buffer M { float m[]; };

layout(push_constant) uniform P { int cin, cout, nt; } p;

const int BM = 64, BN = 64, BK = 16;
shared float16_t As[BM * BK]; // row-major [m][k]
shared float16_t Bs[BK * BN]; // row-major [k][n]: V's high part
shared float16_t Bl[BK * BN]; // the same: V's low part, v - hi
shared float Cs[BM * BN];     // row-major [m][n]

void main()
{
    const int pos = GROUP_Z(NPOS);
    const int n0 = GROUP_X(NPOS) * BN, m0 = int(gl_WorkGroupID.y) * BM;
    if (n0 >= p.nt) // a folded grid's extra groups (common.glsl): the whole group leaves
        return;
    const int tid = int(gl_LocalInvocationID.x);
    const int sg = int(gl_SubgroupID); // 0..3: rows (sg / 2) * 32, columns (sg % 2) * 32
    const int sm = (sg / 2) * 32, sn = (sg % 2) * 32;
    const int ub = pos * p.cin * p.cout, vb = pos * p.cin * p.nt;

    fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> acc[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);

    // the loads: invocation tid stages column tid % 64 of slice rows tid / 64 + 2 i
    const int lc = tid % 64, lr = tid / 64;
    const int lm = m0 + lc, ln = n0 + lc;
    for (int k0 = 0; k0 < p.cin; k0 += BK) {
        for (int i = 0; i < BK / 2; i++) {
            int k = lr + 2 * i, kk = k0 + k;
            As[lc * BK + k] = float16_t(kk < p.cin && lm < p.cout
                                        ? float(u[ub + kk * p.cout + lm]) : 0.0);
            float x = kk < p.cin && ln < p.nt ? v[vb + kk * p.nt + ln] : 0.0;
            // hi clamped to fp16's largest finite value: a V past it (V = B^T d B, up to 100
            // max |d| in F(4x4): nn/winograd.c BT4's rows sum to 10 in magnitude) keeps a finite
            // hi + lo up to 2 x 65504, where fp16(v) is inf and v - inf NaN; the same below it
            float16_t hi = float16_t(clamp(x, -65504.0, 65504.0));
            Bs[k * BN + lc] = hi;
            Bl[k * BN + lc] = float16_t(x - float(hi));
        }
        barrier();
        fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[2], b[2], bl[2];
        for (int i = 0; i < 2; i++)
            coopMatLoadNV(a[i], As, uint((sm + 16 * i) * BK), uint(BK), false);
        for (int j = 0; j < 2; j++) {
            coopMatLoadNV(b[j], Bs, uint(sn + 16 * j), uint(BN), false);
            coopMatLoadNV(bl[j], Bl, uint(sn + 16 * j), uint(BN), false);
        }
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++) {
                acc[i][j] = coopMatMulAddNV(a[i], bl[j], acc[i][j]);
                acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
            }
        barrier();
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            coopMatStoreNV(acc[i][j], Cs, uint((sm + 16 * i) * BN + sn + 16 * j), uint(BN),
                           false);
    barrier();
    const int mb = pos * p.cout * p.nt;
    for (int i = 0; i < BM * BN / 128; i++) {
        int e = tid + 128 * i, co = m0 + e / BN, t = n0 + e % BN;
        if (co < p.cout && t < p.nt)
            m[mb + co * p.nt + t] = Cs[e];
    }
}
