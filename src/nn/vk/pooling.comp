#version 450
// Windowed Pooling (ops.c pool_fwd): max (type 0) or average (type 1) over a kw x kh window at
// stride (sw, sh) from (-pl, -pt); pixels outside the input are skipped. The average divides by
// the pixels inside, or with count_include_pad (incl) by the window clipped to the input plus
// the explicit right/bottom padding (pr, pb), never the tail that pad_mode 0 adds.
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P {
    int w, h, c, cstep, iw, ih, icstep, type, kw, kh, sw, sh, pl, pt, pr, pb, incl;
} p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    int y0 = g.y * p.sh - p.pt, x0 = g.x * p.sw - p.pl;
    float m = -3.402823466e38, sum = 0.0;
    int cnt = 0;
    for (int ky = 0; ky < p.kh; ky++) {
        int iy = y0 + ky;
        if (iy < 0 || iy >= p.ih)
            continue;
        for (int kx = 0; kx < p.kw; kx++) {
            int ix = x0 + kx;
            if (ix < 0 || ix >= p.iw)
                continue;
            float v = float(src[g.z * p.icstep + iy * p.iw + ix]);
            m = max(m, v);
            sum += v;
            cnt++;
        }
    }
    float r = m;
    if (p.type != 0) {
        int area = cnt;
        if (p.incl != 0)
            area = (min(y0 + p.kh, p.ih + p.pb) - y0) * (min(x0 + p.kw, p.iw + p.pr) - x0);
        r = area != 0 ? sum / float(area) : 0.0;
    }
    dst[g.z * p.cstep + g.y * p.w + g.x] = sfp(r);
}
