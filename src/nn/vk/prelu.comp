#version 450
// PReLU (ops.c prelu_fwd): slope per channel (3-d), per row (2-d) or per element (1-d), or one
// slope for all (n == 1).
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(binding = 2) readonly buffer Slope { float slope[]; };
layout(push_constant) uniform P { int w, h, c, cstep, dims, n; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    int k = q * p.cstep + i;
    float s = slope[p.n == 1 ? 0 : p.dims == 3 ? q : p.dims == 2 ? i / p.w : i];
    float v = float(src[k]);
    dst[k] = sfp(v > 0.0 ? v : v * s);
}
