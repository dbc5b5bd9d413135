#version 450
// Winograd F(2x2, 3x3), pass 1 of 3 (src/nn/vk/conv.c; the CPU reference and the notation:
// src/nn/winograd.h aim_nn_wino23_input_c): V[p][ci][t] = (B^T d B)[p] for the 4 x 4 input
// patch d of tile t, the pad value outside the input (as conv.comp's gather). One invocation a
// tile (x) of one input channel (y), over the chunk of nt tiles from tile t0 (conv.c: the
// scratch holds one chunk). V is fp32 in both variants (a scratch range of the run).
#include "common.glsl"

layout(local_size_x = 64) in;

layout(binding = 0) readonly buffer In { sfp x[]; };
layout(binding = 1) writeonly buffer V { float v[]; };

layout(push_constant) uniform P {
    int w, h, cstep, cin;
    int pl, pt;
    float pad_value;
    int tw, t0, nt;
} p;

void main()
{
    const int t = GLOBAL_X, ci = int(gl_WorkGroupID.y);
    if (t >= p.nt)
        return;
    const int ty = (p.t0 + t) / p.tw, tx = p.t0 + t - ty * p.tw;
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
