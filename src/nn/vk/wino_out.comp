#version 450
// Winograd F(TM x TM, 3x3), pass 3 of 3 (src/nn/vk/conv.c; CPU reference: src/nn/winograd.h
// aim_nn_wino_output_c): the TM x TM outputs of tile t, Y = A^T M A, plus the bias and the
// fused activation (act.glsl), pixels past the output's edge dropped. One invocation a tile (x)
// of one output channel (y), over the chunk of nt tiles from tile t0.
#include "common.glsl"
#include "act.glsl"

layout(local_size_x = 64) in;

layout(constant_id = 0) const int ACT = 0;     // AIM_NN_ACT_* (nn/ops.h)
layout(constant_id = 1) const float ACT_A = 0;
layout(constant_id = 2) const float ACT_B = 0;
layout(constant_id = 3) const int BIAS = 0;
layout(constant_id = 4) const int TM = 2; // the output tile: F(2x2, 3x3) or F(4x4, 3x3)
// SMALL (conv.c, chunks of fewer than WINO_GEMM_SMALL_TILES tiles): the invocations packed
// densely over (tile, channel), tiles fastest, the dispatch's x counting all nt * cout of them
// (y is 1), as wino_in.comp's; the same arithmetic per element
layout(constant_id = 5) const int SMALL = 0;

layout(binding = 0) readonly buffer M { float m[]; };
layout(binding = 1) writeonly buffer Out { sfp y[]; };
layout(binding = 2) readonly buffer Bias { float bias[]; };

layout(push_constant) uniform P { int ow, oh, ocstep, cout, tw, t0, nt; } p;

// F(4x4, 3x3)'s A^T times a column of 6 (winograd.c AT4)
void at6(const float q[6], out float o[4])
{
    const float a = q[1] + q[2], b = q[1] - q[2], c = q[3] + q[4], d = q[3] - q[4];
    o[0] = q[0] + a + c;
    o[1] = b + 2.0 * d;
    o[2] = a + 4.0 * c;
    o[3] = b + 8.0 * d + q[5];
}

// F(4x4, 3x3): the 16 outputs of tile t of channel co
void output6(int co, int t)
{
    const int ps = p.cout * p.nt, at = co * p.nt + t;
    float s[6][4]; // A^T M, transposed: s[c] is column c
    for (int c = 0; c < 6; c++) {
        float col[6];
        for (int r = 0; r < 6; r++)
            col[r] = m[(6 * r + c) * ps + at];
        at6(col, s[c]);
    }
    const float bv = BIAS != 0 ? bias[co] : 0.0;
    const int ty = (p.t0 + t) / p.tw, tx = p.t0 + t - ty * p.tw;
    for (int r = 0; r < 4; r++) { // (A^T M) A
        int oy = 4 * ty + r;
        float row[6] = { s[0][r], s[1][r], s[2][r], s[3][r], s[4][r], s[5][r] }, o[4];
        at6(row, o);
        for (int c = 0; c < 4; c++) {
            int ox = 4 * tx + c;
            if (oy < p.oh && ox < p.ow)
                y[co * p.ocstep + oy * p.ow + ox] = sfp(act_apply(ACT, ACT_A, ACT_B, o[c] + bv));
        }
    }
}

void main()
{
    int t = GLOBAL_X, co = int(gl_WorkGroupID.y);
    if (SMALL != 0) {
        co = t / p.nt;
        t -= co * p.nt;
        if (co >= p.cout)
            return;
    } else if (t >= p.nt)
        return;
    if (TM == 4) {
        output6(co, t);
        return;
    }
    const int ps = p.cout * p.nt, at = co * p.nt + t;
    float q[4][4];
    for (int k = 0; k < 16; k++)
        q[k / 4][k % 4] = m[k * ps + at];
    float s[2][4];
    for (int c = 0; c < 4; c++) { // A^T M
        s[0][c] = q[0][c] + q[1][c] + q[2][c];
        s[1][c] = q[1][c] - q[2][c] - q[3][c];
    }
    const float bv = BIAS != 0 ? bias[co] : 0.0;
    const int ty = (p.t0 + t) / p.tw, tx = p.t0 + t - ty * p.tw;
    for (int r = 0; r < 2; r++) { // (A^T M) A
        int oy = 2 * ty + r;
        float o[2] = { s[r][0] + s[r][1] + s[r][2], s[r][1] - s[r][2] - s[r][3] };
        for (int c = 0; c < 2; c++) {
            int ox = 2 * tx + c;
            if (oy < p.oh && ox < p.ow)
                y[co * p.ocstep + oy * p.ow + ox] = sfp(act_apply(ACT, ACT_A, ACT_B, o[c] + bv));
        }
    }
}
