#version 450
// Winograd F(TM x TM, 3x3), pass 1 of 3 (src/nn/vk/conv.c; the CPU reference and the notation:
// src/nn/winograd.h aim_nn_wino_input_c): V[p][ci][t] = (B^T d B)[p] for the n x n input patch
// d of tile t (n = TM + 2), the pad value outside the input (as conv.comp's gather). One invocation a
// tile (x) of one input channel (y), over the chunk of nt tiles from tile t0 (conv.c: the
// scratch holds one chunk). V is fp32 in both variants (a scratch range of the run).
#include "common.glsl"

layout(local_size_x = 64) in;

layout(constant_id = 0) const int TM = 2; // the output tile: F(2x2, 3x3) or F(4x4, 3x3)
// SMALL (conv.c, chunks of fewer than WINO_GEMM_SMALL_TILES tiles): the invocations packed
// densely over (tile, channel), tiles fastest, the dispatch's x counting all nt * cin of them
// (y is 1), so a chunk of 12 tiles does not leave 52 of each work group's 64 idle (RIFE at
// 128x72 on lavapipe: its Winograd layers took 0.73-0.82x the time of the small GEMM with
// these passes in their big shape, bench/RESULTS-vk.md "Winograd's small shape"); the same
// arithmetic per element
layout(constant_id = 1) const int SMALL = 0;

layout(binding = 0) readonly buffer In { sfp x[]; };
layout(binding = 1) writeonly buffer V { float v[]; };

layout(push_constant) uniform P {
    int w, h, cstep, cin;
    int pl, pt;
    float pad_value;
    int tw, t0, nt;
} p;

// F(4x4, 3x3)'s B^T times one column of the 6 x 6 patch (winograd.c BT4)
void bt6(const float d[6], out float o[6])
{
    o[0] = 4.0 * d[0] - 5.0 * d[2] + d[4];
    o[1] = d[3] + d[4] - 4.0 * (d[1] + d[2]);
    o[2] = d[4] - d[3] + 4.0 * (d[1] - d[2]);
    o[3] = d[4] - d[2] + 2.0 * (d[3] - d[1]);
    o[4] = d[4] - d[2] + 2.0 * (d[1] - d[3]);
    o[5] = 4.0 * d[1] - 5.0 * d[3] + d[5];
}

// F(4x4, 3x3): the 6 x 6 patch at (x0, y0)
void input6(int ci, int t, int x0, int y0)
{
    float d[6][6];
    for (int r = 0; r < 6; r++)
        for (int c = 0; c < 6; c++) {
            int iy = y0 + r, ix = x0 + c;
            d[r][c] = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w
                      ? float(x[ci * p.cstep + iy * p.w + ix]) : p.pad_value;
        }
    float b[6][6]; // B^T d, transposed: b[c] is column c
    for (int c = 0; c < 6; c++) {
        float col[6] = { d[0][c], d[1][c], d[2][c], d[3][c], d[4][c], d[5][c] };
        bt6(col, b[c]);
    }
    const int ps = p.cin * p.nt, at = ci * p.nt + t;
    for (int r = 0; r < 6; r++) { // (B^T d) B: row r of B^T d times B
        float row[6] = { b[0][r], b[1][r], b[2][r], b[3][r], b[4][r], b[5][r] }, o[6];
        bt6(row, o);
        for (int c = 0; c < 6; c++)
            v[(6 * r + c) * ps + at] = o[c];
    }
}

void main()
{
    int t = GLOBAL_X, ci = int(gl_WorkGroupID.y);
    if (SMALL != 0) {
        ci = t / p.nt;
        t -= ci * p.nt;
        if (ci >= p.cin)
            return;
    } else if (t >= p.nt)
        return;
    const int ty = (p.t0 + t) / p.tw, tx = p.t0 + t - ty * p.tw;
    if (TM == 4) {
        input6(ci, t, 4 * tx - p.pl, 4 * ty - p.pt);
        return;
    }
    const int y0 = 2 * ty - p.pt, x0 = 2 * tx - p.pl;
    float d[4][4];
    for (int r = 0; r < 4; r++)
        for (int c = 0; c < 4; c++) {
            int iy = y0 + r, ix = x0 + c;
            d[r][c] = iy >= 0 && iy < p.h && ix >= 0 && ix < p.w
                      ? float(x[ci * p.cstep + iy * p.w + ix]) : p.pad_value;
        }
    float b[4][4];
    for (int c = 0; c < 4; c++) { // B^T d
        b[0][c] = d[0][c] - d[2][c];
        b[1][c] = d[1][c] + d[2][c];
        b[2][c] = d[2][c] - d[1][c];
        b[3][c] = d[1][c] - d[3][c];
    }
    const int ps = p.cin * p.nt, at = ci * p.nt + t;
    for (int r = 0; r < 4; r++) { // (B^T d) B
        v[(4 * r + 0) * ps + at] = b[r][0] - b[r][2];
        v[(4 * r + 1) * ps + at] = b[r][1] + b[r][2];
        v[(4 * r + 2) * ps + at] = b[r][2] - b[r][1];
        v[(4 * r + 3) * ps + at] = b[r][1] - b[r][3];
    }
}
