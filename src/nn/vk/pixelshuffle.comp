#version 450
// PixelShuffle (ops.c ps_fwd): out(p, y, x) = in(q, y / r, x / r) with (sy, sx) = (y, x) mod r
// and q = p * r * r + sy * r + sx (mode 0, PyTorch) or (sy * r + sx) * C + p (mode 1).
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, iw, icstep, r, mode; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    int sy = g.y % p.r, sx = g.x % p.r;
    int s = p.mode == 0 ? (q * p.r + sy) * p.r + sx : (sy * p.r + sx) * p.c + q;
    dst[q * p.cstep + i] = src[s * p.icstep + (g.y / p.r) * p.iw + g.x / p.r];
}
