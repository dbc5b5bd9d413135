#version 450
// ReLU with ncnn's slope (param 0): y = x > 0 ? x : x * slope. One invocation per element.
#include "common.glsl"

layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp x[]; };
layout(binding = 1) writeonly buffer Out { sfp y[]; };
layout(push_constant) uniform P { int plane, c, cstep; float slope; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.plane || q >= p.c)
        return;
    int k = q * p.cstep + i;
    afp v = afp(x[k]);
    y[k] = sfp(v > afp(0) ? v : v * afp(p.slope));
}
