#version 450
// The (de)convolution of conv.comp on cooperative matrices (GL_NV_cooperative_matrix: NVIDIA
// tensor cores, Turing and later): the same implicit GEMM, operands and epilogue
// (conv_common.glsl), with the 64 x 64 output tile computed by 4 subgroups of 32 invocations,
// each a 32 x 32 quarter as 2 x 2 fp16 16x16x16 multiply-adds into fp32 accumulators. The
// operand slices are staged in shared memory as fp16 (both variants: the fp32 variant rounds
// its operands to fp16 there) and loaded with coopMatLoadNV; the accumulators go through
// shared memory to the epilogue (bias, activation, coalesced stores).
// Used only where the device reports the 16x16x16 fp16 -> fp32 subgroup shape and a subgroup
// size of 32 (conv.c); conv.comp stays the path everywhere else.
#extension GL_NV_cooperative_matrix : require
#extension GL_KHR_memory_scope_semantics : require
#extension GL_KHR_shader_subgroup_basic : require
#extension GL_EXT_shader_explicit_arithmetic_types_float16 : require
#include "common.glsl"

layout(local_size_x = 128) in;

#include "conv_common.glsl"

const int BM = 64, BN = 64, BK = 16;
shared float16_t As[BM * BK]; // row-major [m][k]
shared float16_t Bs[BK * BN]; // row-major [k][n]
shared float Cs[BM * BN];     // row-major [m][n]

void main()
{
    const int K = p.cing * KW * KH;
    const int npix = p.ow * p.oh;
    const int tid = int(gl_LocalInvocationID.x);
    const int n0 = GROUP_X(p.nz) * BN; // the grid may be folded
    const int m0 = int(gl_WorkGroupID.y) * BM;
    const int g = GROUP_Z(p.nz);
    const int cin0 = g * p.cing, cout0 = g * p.coutg;
    const int sg = int(gl_SubgroupID); // 0..3: rows (sg / 2) * 32, columns (sg % 2) * 32
    const int sm = (sg / 2) * 32, sn = (sg % 2) * 32;

    fcoopmatNV<32, gl_ScopeSubgroup, 16, 16> acc[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            acc[i][j] = fcoopmatNV<32, gl_ScopeSubgroup, 16, 16>(0.0);

    const int bn = tid % BN, bk0 = tid / BN; // k rows bk0, bk0 + 2, ...
    const int n = n0 + bn;
    const int oy = n / max(p.ow, 1), ox = n - oy * p.ow;

    for (int k0 = 0; k0 < K; k0 += BK) {
        for (int i = 0; i < 8; i++) {
            int e = tid + 128 * i, m = e / BK, k = e % BK;
            As[m * BK + k] = float16_t(load_w(cout0, m0 + m, k0 + k, K));
        }
        for (int i = 0; i < 8; i++) {
            int k = bk0 + 2 * i, kk = k0 + k;
            Bs[k * BN + bn] = float16_t(kk < K && n < npix ? gather(cin0, kk, oy, ox) : 0.0);
        }
        barrier();
        fcoopmatNV<16, gl_ScopeSubgroup, 16, 16> a[2], b[2];
        for (int i = 0; i < 2; i++)
            coopMatLoadNV(a[i], As, uint((sm + 16 * i) * BK), uint(BK), false);
        for (int j = 0; j < 2; j++)
            coopMatLoadNV(b[j], Bs, uint(sn + 16 * j), uint(BN), false);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 2; j++)
                acc[i][j] = coopMatMulAddNV(a[i], b[j], acc[i][j]);
        barrier();
    }
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++)
            coopMatStoreNV(acc[i][j], Cs, uint((sm + 16 * i) * BN + sn + 16 * j), uint(BN),
                           false);
    barrier();
    for (int i = 0; i < BM * BN / 128; i++) {
        int e = tid + 128 * i, m = e / BN, nn = n0 + e % BN, co = m0 + m;
        if (co < p.coutg && nn < npix) {
            float bv = BIAS != 0 ? bias[cout0 + co] : 0.0;
            y[(cout0 + co) * p.ocstep + nn] = sfp(act(Cs[e] + bv));
        }
    }
}
