#version 450
// InnerProduct (ops.c ip_fwd): out[i] = act(bias[i] + sum_k in(k) * weight[i * K + k]), the
// input flattened channel by channel (k = q * plane + j). One workgroup per output; its
// 64 invocations split the sum (the tree reduction needs a power of two).
#include "common.glsl"
#include "act.glsl"
layout(local_size_x = 64) in;
layout(binding = 0) readonly buffer In { sfp src[]; };
layout(binding = 1) writeonly buffer Out { sfp dst[]; };
layout(binding = 2) readonly buffer W { float weight[]; };
layout(binding = 3) readonly buffer Bi { float bias[]; };
layout(push_constant) uniform P { int plane, c, cstep, has_bias, act; float a, b; int nout; } p;
const int LX = int(gl_WorkGroupSize.x);
shared float red[gl_WorkGroupSize.x];

void main()
{
    int o = GROUP_X(1), t = int(gl_LocalInvocationID.x), k = p.plane * p.c;
    if (o >= p.nout) // the whole group: past the outputs of a folded grid
        return;
    float acc = 0.0;
    for (int i = t; i < k; i += LX) {
        int q = i / p.plane, j = i - q * p.plane;
        acc += float(src[q * p.cstep + j]) * weight[o * k + i];
    }
    red[t] = acc;
    barrier();
    for (int s = LX / 2; s > 0; s >>= 1) {
        if (t < s)
            red[t] += red[t + s];
        barrier();
    }
    if (t == 0)
        dst[o] = sfp(act_apply(p.act, p.a, p.b, red[0] + (p.has_bias != 0 ? bias[o] : 0.0)));
}
