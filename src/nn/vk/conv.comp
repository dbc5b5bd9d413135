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
//
// DIRECT (the register-blocked form, for CPU Vulkan drivers: gpu.c conv_forms): no shared
// memory and no barriers; each invocation computes RM output channels x RN consecutive pixels
// straight from the buffers, so each loaded weight feeds RN multiply-adds and each gathered
// input RM. On Mesa's llvmpipe (Debian 12's lavapipe) buffer and shared-memory loads go lane by
// lane, so there loads, not multiply-adds, set the speed (measured, not traced): the tiled form
// does 2 per load (its 4 x 4 outputs, 8 shared loads a k), this one RM * RN / (RM + RN)
// (bench/RESULTS-vk.md, "lavapipe: the direct convolution": realesr-animevideov3 on lavapipe
// went from 0.26x to 0.48x the frames/s of realesrgan-ncnn-vulkan, 2.7x less CPU time).
#include "common.glsl"

layout(local_size_x = 256) in;

#include "conv_common.glsl"

// BM output channels x BN pixels per work group (BM * BN = 4096, 16 per invocation): 64 x 64,
// or 16 x 256 for layers of <= 16 output channels (to RGB: 3 of 64 rows would be work).
layout(constant_id = 11) const int BM = 64;
// 1: a strided deconvolution split by output phase (oy mod SH, ox mod SW: the z dimension
// holds group * SH * SW): each phase reads only the taps that land on it, where the plain
// gather multiplies SH * SW - 1 of every SH * SW taps by zero (k2s2: 4x the work).
layout(constant_id = 12) const int PHASE = 0;
// 1: the register-blocked form (DIRECT above), RM output channels x RN pixels an invocation.
// 8 x 8 measured best on lavapipe under load (bench/RESULTS-vk.md): 32 x 8 used 1.4-1.8x its
// CPU time there, 16 x 8 1.6x; 64 x 8 was 4x slower than 32 x 8 at a low load.
layout(constant_id = 13) const int DIRECT = 0;
const int RM = 8, RN = 8;
const int BN = 4096 / BM, BK = 16;
const int TM = BM / 4, TN = 256 / TM; // invocations along channels and pixels
shared float As[BK][BM];
shared float Bs[BK][BN];

// the phase's taps (PHASE): kernel rows/columns that land on output rows py + SH * q
int kys[KH], kxs[KW];
int nky = 0, nkx = 0;
// PHASE: this dispatch's phase (py, px) and its output grid (gw x gh: rows py + SH * q,
// columns px + SW * q); without PHASE the whole output, phase (0, 0)
int py = 0, px = 0, gw, gh;

// Sets py, px, gw, gh and (PHASE) the phase's taps for z = group * SH * SW + phase.
void phase_setup(int z)
{
    gw = p.ow;
    gh = p.oh;
    if (PHASE == 0)
        return;
    int ph = z % (SH * SW);
    py = ph / SW;
    px = ph % SW;
    gh = p.oh > py ? (p.oh - py + SH - 1) / SH : 0;
    gw = p.ow > px ? (p.ow - px + SW - 1) / SW : 0;
    for (int k = 0; k < KH; k++)
        if ((((py + p.pt - k * DH) % SH) + SH) % SH == 0)
            kys[nky++] = k;
    for (int k = 0; k < KW; k++)
        if ((((px + p.pl - k * DW) % SW) + SW) % SW == 0)
            kxs[nkx++] = k;
}

// DIRECT: the work group's 256 invocations take 256 * RN consecutive pixels (x) of RM output
// channels (y); a group (times SH * SW phases with PHASE) is z. With PHASE the pixels are the
// phase's grid and only its taps are walked. k runs tap by tap, the input channels inside: the
// RN input offsets of a tap (and whether it lands) are computed once for all channels, so the
// inner loop is RN loads, RM weight loads and RM * RN multiply-adds. Accumulation in fp32 (the
// tiles' order is channel by channel: the sums differ by rounding only).
void conv_direct()
{
    const int tid = int(gl_LocalInvocationID.x);
    const int z = GROUP_Z(p.nz), g = PHASE != 0 ? z / (SH * SW) : z;
    const int cin0 = g * p.cing, cout0 = g * p.coutg;
    phase_setup(z);
    const int n0 = (GROUP_X(p.nz) * 256 + tid) * RN, m0 = int(gl_WorkGroupID.y) * RM;
    const int npix = gw * gh, K = p.cing * KW * KH;
    if (n0 >= npix)
        return;
    int oys[RN], oxs[RN];
    for (int j = 0; j < RN; j++) {
        int qy = (n0 + j) / gw, qx = n0 + j - qy * gw;
        oys[j] = PHASE != 0 ? py + qy * SH : qy;
        oxs[j] = PHASE != 0 ? px + qx * SW : qx;
    }
    float acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++)
            acc[i][j] = 0.0;
    // outside: the pad value (convolution), 0 (no input pixel lands: deconvolution)
    const float outside = DECONV == 0 ? p.pad_value : 0.0;
    const int nty = PHASE != 0 ? nky : KH, ntx = PHASE != 0 ? nkx : KW;
    for (int ty = 0; ty < nty; ty++) {
        for (int tx = 0; tx < ntx; tx++) {
            int ky = PHASE != 0 ? kys[ty] : ty, kx = PHASE != 0 ? kxs[tx] : tx;
            int off[RN]; // the input pixel under (ky, kx) per output pixel, -1 for none
            for (int j = 0; j < RN; j++) {
                int iy, ix, ok;
                if (DECONV == 0) {
                    iy = oys[j] * SH + ky * DH - p.pt;
                    ix = oxs[j] * SW + kx * DW - p.pl;
                    ok = 1;
                } else { // PHASE: the taps land exactly; stride 1 otherwise
                    int ry = oys[j] + p.pt - ky * DH, rx = oxs[j] + p.pl - kx * DW;
                    iy = ry / SH;
                    ix = rx / SW;
                    ok = int(ry >= 0 && rx >= 0 && iy * SH == ry && ix * SW == rx);
                }
                ok = ok != 0 && n0 + j < npix && iy >= 0 && iy < p.h && ix >= 0 && ix < p.w
                     ? 1 : 0;
                off[j] = ok != 0 ? iy * p.w + ix : -1;
            }
            const int kt = ky * KW + kx;
            for (int ci = 0; ci < p.cing; ci++) {
                const int xc = (cin0 + ci) * p.cstep, kk = ci * KW * KH + kt;
                float b[RN];
                for (int j = 0; j < RN; j++)
                    b[j] = off[j] >= 0 ? float(x[xc + off[j]]) : outside;
                for (int i = 0; i < RM; i++) {
                    float a = load_w(cout0, m0 + i, kk, K);
                    for (int j = 0; j < RN; j++)
                        acc[i][j] = fma(a, b[j], acc[i][j]);
                }
            }
        }
    }
    for (int i = 0; i < RM; i++) {
        int co = m0 + i;
        if (co >= p.coutg)
            break;
        float bv = BIAS != 0 ? bias[cout0 + co] : 0.0;
        for (int j = 0; j < RN && n0 + j < npix; j++)
            y[(cout0 + co) * p.ocstep + oys[j] * p.ow + oxs[j]] = sfp(act(acc[i][j] + bv));
    }
}

void main()
{
    if (DIRECT != 0) {
        conv_direct();
        return;
    }
    const int tid = int(gl_LocalInvocationID.x);
    const int tm = tid / TN, tn = tid % TN;
    const int n0 = GROUP_X(p.nz) * BN, z = GROUP_Z(p.nz); // the grid may be folded
    const int m0 = int(gl_WorkGroupID.y) * BM;
    const int g = PHASE != 0 ? z / (SH * SW) : z;
    const int cin0 = g * p.cing, cout0 = g * p.coutg;
    // output pixel n of this dispatch -> (oy, ox): the whole output, or one phase's grid
    phase_setup(z);
    const int nk = PHASE != 0 ? nky * nkx : KW * KH;
    const int K = p.cing * nk, npix = gw * gh;

    float acc[4][4];
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            acc[i][j] = 0.0;

    // the pixel this invocation gathers for B: constant over the K loop
    const int bn = tid % BN, bk0 = tid / BN, bks = 256 / BN; // k rows bk0, bk0 + bks, ...
    const int n = n0 + bn;
    const int qy = n / max(gw, 1), qx = n - qy * gw;
    const int oy = PHASE != 0 ? py + qy * SH : qy, ox = PHASE != 0 ? px + qx * SW : qx;

    for (int k0 = 0; k0 < K; k0 += BK) {
        // weights: As[k][m] = W[cout0 + m0 + m][k0 + k] (PHASE: k counts the phase's taps)
        for (int i = 0; i < BM * BK / 256; i++) {
            int e = tid + 256 * i, m = e / BK, k = e % BK, kk = k0 + k;
            float wv = 0.0;
            if (kk < K) {
                if (PHASE != 0) { // the phase's tap -> its index in the whole kernel
                    int ci = kk / nk, r = kk - ci * nk, ty = r / nkx;
                    kk = ci * KW * KH + kys[ty] * KW + kxs[r - ty * nkx];
                }
                wv = load_w(cout0, m0 + m, kk, p.cing * KW * KH);
            }
            As[k][m] = wv;
        }
        // inputs: Bs[k][n]
        for (int i = 0; i < BK / bks; i++) {
            int k = bk0 + bks * i, kk = k0 + k;
            float v = 0.0;
            if (kk < K && n < npix) {
                if (PHASE == 0) {
                    v = gather(cin0, kk, oy, ox);
                } else {
                    // the phase's taps land exactly: (ry, rx) are multiples of the stride
                    int ci = kk / nk, r = kk - ci * nk, ty = r / nkx;
                    int ry = oy + p.pt - kys[ty] * DH, rx = ox + p.pl - kxs[r - ty * nkx] * DW;
                    int iy = ry / SH, ix = rx / SW;
                    if (ry >= 0 && rx >= 0 && iy < p.h && ix < p.w)
                        v = float(x[(cin0 + ci) * p.cstep + iy * p.w + ix]);
                }
            }
            Bs[k][bn] = v;
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
            if (nn >= npix)
                continue;
            int ry = nn / max(gw, 1), rx = nn - ry * gw;
            int o = PHASE != 0 ? (py + ry * SH) * p.ow + px + rx * SW : nn;
            y[(cout0 + co) * p.ocstep + o] = sfp(act(acc[i][j] + bv));
        }
    }
}
