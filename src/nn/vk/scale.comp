#version 450
// Scale (ops.c scale_fwd): out = in * scale[k] + bias[k], k the channel (3-d), row (2-d) or
// element (1-d). The scales come from the layer's weights or from a second input tensor (read
// as a plain vector, as the CPU op does: `blob` 1, binding 2; else binding 3); has_bias 0: no
// bias. Bindings a variant does not read may be any buffer.
#include "common.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(binding = 2) readonly buffer ScB { sfp scb[]; };
layout(binding = 3) readonly buffer ScW { float scw[]; };
layout(binding = 4) readonly buffer Bi { float bi[]; };
layout(push_constant) uniform P { int w, h, c, cstep, dims, blob, has_bias; } p;

void main()
{
    int i = GLOBAL_X, q = int(gl_GlobalInvocationID.y);
    if (i >= p.w * p.h || q >= p.c)
        return;
    int e = q * p.cstep + i, k = p.dims == 3 ? q : p.dims == 2 ? i / p.w : i;
    float s = p.blob != 0 ? float(scb[k]) : scw[k];
    dst[e] = sfp(float(src[e]) * s + (p.has_bias != 0 ? bi[k] : 0.0));
}
