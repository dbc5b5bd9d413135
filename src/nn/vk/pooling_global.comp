#version 450
// Global Pooling (ops.c pool_fwd, global): each channel's plane reduced to its max (type 0) or
// mean (type 1) in fp32, output element q of a 1-d tensor. A parallel reduction (pooling.c):
// pass 0 runs `parts` work groups per channel (x; channels on y), each reducing its `chunk` of
// consecutive elements to one value: into the partials (binding 2, `parts` floats per channel),
// or with one part straight into the output; pass 1 (parts > 1) runs one group per channel over
// its partials. In a group: a serial loop per invocation (stride: the group size), then a
// shared-memory tree (the group size must be a power of two).
#include "common.glsl"
layout(local_size_x = 256) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(binding = 2) buffer Part { float part[]; };
layout(push_constant) uniform P { int w, h, c, cstep, type, parts, chunk, pass; } p;
const int LX = int(gl_WorkGroupSize.x);
shared float red[gl_WorkGroupSize.x];

float combine(float a, float b)
{
    return p.type == 0 ? max(a, b) : a + b;
}

void main()
{
    int k = GROUP_X(1), q = int(gl_WorkGroupID.y), t = int(gl_LocalInvocationID.x);
    int n = p.w * p.h;
    if (k >= (p.pass == 0 ? p.parts : 1) || q >= p.c) // the whole group (a folded grid's tail)
        return;
    float acc = p.type == 0 ? -3.402823466e38 : 0.0;
    if (p.pass == 0) {
        int end = min(k * p.chunk + p.chunk, n);
        for (int i = k * p.chunk + t; i < end; i += LX)
            acc = combine(acc, float(src[q * p.cstep + i]));
    } else {
        for (int i = t; i < p.parts; i += LX)
            acc = combine(acc, part[q * p.parts + i]);
    }
    red[t] = acc;
    barrier();
    for (int s = LX / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] = combine(red[t], red[t + s]);
        barrier();
    }
    if (t != 0)
        return;
    if (p.pass == 0 && p.parts > 1)
        part[q * p.parts + k] = red[0];
    else
        dst[q] = sfp(p.type == 0 ? red[0] : red[0] / float(n));
}
