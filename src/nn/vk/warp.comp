#version 450
// rife.Warp (src/nn/warp.c): out(q, y, x) = in(q, y + fy, x + fx), (fx, fy) the flow's
// channels 0 and 1, bilinear, the source position clamped to the image (NaN -> 0).
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) readonly buffer Flow { sfp flow[]; };
layout(binding = 2) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, fcstep; } p;

void main()
{
    int i = GLOBAL_X;
    if (i >= p.w * p.h)
        return;
    ivec2 g = ivec2(i % p.w, i / p.w);
    float sx = float(g.x) + float(flow[i]), sy = float(g.y) + float(flow[p.fcstep + i]);
    // the comparisons map NaN to 0, as the CPU op's do
    sx = sx > 0.0 ? (sx < float(p.w - 1) ? sx : float(p.w - 1)) : 0.0;
    sy = sy > 0.0 ? (sy < float(p.h - 1) ? sy : float(p.h - 1)) : 0.0;
    int x0 = int(sx), y0 = int(sy);
    int x1 = min(x0 + 1, p.w - 1), y1 = min(y0 + 1, p.h - 1);
    float ax = sx - float(x0), ay = sy - float(y0);
    for (int q = 0; q < p.c; q++) {
        int b = q * p.cstep;
        float v0 = float(src[b + y0 * p.w + x0]) * (1.0 - ax) + float(src[b + y0 * p.w + x1]) * ax;
        float v1 = float(src[b + y1 * p.w + x0]) * (1.0 - ax) + float(src[b + y1 * p.w + x1]) * ax;
        dst[b + i] = sfp(v0 * (1.0 - ay) + v1 * ay);
    }
}
