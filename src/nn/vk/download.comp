#version 450
// A tensor of the run's precision -> host fp32 at the host layout's cstep (the outputs).
#include "common.glsl"

layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Src { sfp s[]; };
layout(binding = 1) writeonly buffer Dst { float d[]; };
layout(push_constant) uniform P { int plane, c, src_cstep, dst_cstep; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.plane || q >= p.c)
        return;
    d[q * p.dst_cstep + i] = float(s[q * p.src_cstep + i]);
}
