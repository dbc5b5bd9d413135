#version 450
// A window copy, the whole of Crop, Slice and Concat (ops.c crop_fwd / concat_fwd, ops_rife.c
// slice_fwd): out(q + oc, y + oy, x + ox) = in(q + ic, y + iy, x + ix) over the w x h x c
// window.
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P {
    int w, h, c;             // the window
    int iw, icstep, ix, iy, ic; // input row length, channel step, window origin
    int ow, ocstep, ox, oy, oc; // output
} p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    ivec3 g = ivec3(i % p.w, i / p.w, q);
    dst[(g.z + p.oc) * p.ocstep + (g.y + p.oy) * p.ow + g.x + p.ox] =
        src[(g.z + p.ic) * p.icstep + (g.y + p.iy) * p.iw + g.x + p.ix];
}
