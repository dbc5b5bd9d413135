#version 450
// Global Pooling (ops.c pool_fwd, global): one workgroup per channel reduces its plane to the
// max (type 0) or the mean (type 1) in fp32; output element q of a 1-d tensor. The workgroup
// size must be a power of two.
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(push_constant) uniform P { int w, h, c, cstep, type; } p;
const int LX = int(gl_WorkGroupSize.x);
shared float red[gl_WorkGroupSize.x];

void main()
{
    int q = int(gl_WorkGroupID.x), t = int(gl_LocalInvocationID.x), n = p.w * p.h;
    float acc = p.type == 0 ? -3.402823466e38 : 0.0;
    for (int i = t; i < n; i += LX) {
        float v = float(src[q * p.cstep + i]);
        acc = p.type == 0 ? max(acc, v) : acc + v;
    }
    red[t] = acc;
    barrier();
    for (int s = LX / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] = p.type == 0 ? max(red[t], red[t + s]) : red[t] + red[t + s];
        barrier();
    }
    if (t == 0)
        dst[q] = sfp(p.type == 0 ? red[0] : red[0] / float(n));
}
