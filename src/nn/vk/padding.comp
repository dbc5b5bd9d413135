#version 450
// Padding (ops.c pad_fwd): type 0 constant `value`, 1 replicate the edge, 2 reflect (without
// repeating the edge pixel).
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P {
    int w, h, c, cstep, iw, ih, icstep, top, left, type;
    float value;
} p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    int sy = g.y - p.top, sx = g.x - p.left;
    float v;
    if (p.type == 0) {
        v = sy < 0 || sx < 0 || sy >= p.ih || sx >= p.iw ? p.value :
            float(src[g.z * p.icstep + sy * p.iw + sx]);
    } else {
        if (p.type == 1) {
            sy = clamp(sy, 0, p.ih - 1);
            sx = clamp(sx, 0, p.iw - 1);
        } else {
            sy = sy < 0 ? -sy : sy >= p.ih ? 2 * p.ih - 2 - sy : sy;
            sx = sx < 0 ? -sx : sx >= p.iw ? 2 * p.iw - 2 - sx : sx;
        }
        v = float(src[g.z * p.icstep + sy * p.iw + sx]);
    }
    dst[g.z * p.cstep + g.y * p.w + g.x] = sfp(v);
}
