#version 450
// Host fp32 (packed planes) -> a tensor of the run's precision at its cstep: the inputs and
// the weights (fp16 conversion on the GPU, so the host never converts).
#include "common.glsl"

layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer Src { float s[]; };
layout(binding = 1) writeonly buffer Dst { sfp d[]; };
layout(push_constant) uniform P { int plane, c, src_cstep, dst_cstep; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.plane || q >= p.c)
        return;
    d[q * p.dst_cstep + i] = sfp(s[q * p.src_cstep + i]);
}
